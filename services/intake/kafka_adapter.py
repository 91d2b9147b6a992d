"""Intake on the bus: contract events (`call-events`) and each platform's own format (platform source
topics) in, redacted ordered transcript events out.

A platform-topic message names its tenant in a `seatcopilot-tenant` header (or INTAKE_DEFAULT_TENANT
applies) and may name a scenario in `seatcopilot-scenario`; its `content-type` header picks the
format where a platform has two (Twilio: form or JSON).
"""

from __future__ import annotations

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Background, Rejected, StageIO
from seatcopilot.topics import CALL_EVENTS
from seatcopilot.transport.base import Message

from services.intake.adapters import Adapter, PayloadRejected, Source, build_adapters
from services.intake.gateway import Gateway, Origin, Report
from services.intake.logic import IntakeStage
from services.intake.scrub import scrub_payload
from services.intake.tenants import Tenants, parse_scenario

TENANT_HEADER = "seatcopilot-tenant"
SCENARIO_HEADER = "seatcopilot-scenario"
EXPIRY_FLOOR_S = 0.05


def _header(raw: Message, name: str) -> str:
    return raw.headers.get(name, b"").decode("utf-8", errors="replace").strip()


def attach(io: StageIO, stage: IntakeStage) -> list[Background]:
    """The embedded mode's entry: the same consumers as the service, platform topics included."""
    return attach_gateway(io, Gateway(stage, io), build_adapters(stage.config.adopt_window_s))


def attach_gateway(io: StageIO, gateway: Gateway, adapters: dict[str, Adapter]) -> list[Background]:
    io.scrub_dead_letter = scrub_payload
    tenants, default_tenant = gateway.stage.tenants, gateway.stage.config.default_tenant

    async def on_event(event: ev.CallEvent) -> None:
        event.source = event.source or "kafka"
        await gateway.accept(event, Origin(CALL_EVENTS.name, event.call_id, b"", "kafka"))

    io.consume(CALL_EVENTS, ev.CallEvent, on_event, identity=lambda e: (e.tenant, e.call_id, e.seq))
    for adapter in adapters.values():
        io.consume_bytes(adapter.topic, _platform_handler(adapter, gateway, tenants, default_tenant))

    config = gateway.stage.config
    interval = max(min(config.reorder_timeout_s, config.split_hold_s or config.reorder_timeout_s) / 4,
                   EXPIRY_FLOOR_S)

    async def expire() -> None:
        await gateway.run_expiry(interval)

    return [expire]


def _platform_handler(adapter: Adapter, gateway: Gateway, tenants: Tenants, default_tenant: str):
    async def handle(raw: Message) -> None:
        tenant_id = _header(raw, TENANT_HEADER) or default_tenant
        if not tenant_id:
            raise Rejected("unknown_tenant", f"no {TENANT_HEADER} header and no INTAKE_DEFAULT_TENANT")
        tenant = tenants.for_event(tenant_id)
        scenario = parse_scenario(_header(raw, SCENARIO_HEADER)) if _header(raw, SCENARIO_HEADER) else tenant.scenario
        if scenario is None:
            raise Rejected("bad_scenario", "seatcopilot-scenario must be SALES, SERVICE or COLLECTIONS")
        content_type = _header(raw, "content-type") or adapter.content_types[0]
        if content_type not in adapter.content_types:
            raise Rejected("unsupported_media_type", f"content-type {content_type}; this topic takes "
                                                     f"{' or '.join(adapter.content_types)}")
        try:
            mapped = adapter.map(adapter.parse(raw.value, content_type), Source(tenant, scenario))
        except PayloadRejected as rejected:
            raise Rejected(rejected.reason, rejected.detail) from rejected
        origin = Origin(raw.topic, raw.key, raw.value, adapter.platform)
        report = Report(skipped=mapped.skipped, duplicates=mapped.duplicates)
        await gateway.refuse_pieces(mapped.rejected, origin, report)
        await gateway.submit(mapped.events, origin, report)

    return handle
