"""The generic JSON webhook: call events in the contract's JSON form (one object or a list).

For platforms without an adapter of their own: the sender numbers each call's events (`seq`) and
names the speaker. `tenant` may be left out (the URL's tenant is used; a different one is refused),
`scenario` and `language` default to the tenant's.
"""

from __future__ import annotations

from typing import Any

from seatcopilot import codec
from seatcopilot.codec import PayloadError
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.topics import PLATFORM_GENERIC

from services.intake.adapters.base import JsonAdapter, Mapped, Piece, Source, items

PLATFORM = "generic"


class GenericAdapter(JsonAdapter):
    platform = PLATFORM
    topic = PLATFORM_GENERIC

    def map(self, payload: Any, source: Source) -> Mapped:
        mapped = Mapped()
        for data in items(payload, "call event"):
            call_id = data.get("call_id") if isinstance(data.get("call_id"), str) else ""
            tenant = data.get("tenant", source.tenant.id)
            if tenant != source.tenant.id:
                mapped.rejected.append(Piece(call_id, "tenant_mismatch", f"the event's tenant {tenant!r} is not the "
                                                                         f"endpoint's ({source.tenant.id!r})"))
                continue
            try:
                event = codec.from_dict({**data, "tenant": tenant}, ev.CallEvent)
            except PayloadError as error:
                mapped.rejected.append(Piece(call_id, "schema_violation", str(error)))
                continue
            if event.scenario == ev.SCENARIO_UNSPECIFIED:
                event.scenario = source.scenario
            event.language = event.language or source.tenant.language
            event.source = event.source or PLATFORM
            mapped.events.append(event)
        return mapped
