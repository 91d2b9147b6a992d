"""Compliance on the bus: the only writer of the suggestions topic the console reads.

Drafts in → steered suggestions out (with a verdict, always); transcript events in → alerts out.
"""

from __future__ import annotations

from prometheus_client import Counter
from seatcopilot.codec import bare_enum_name
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import ALERTS, DRAFTS, SUGGESTIONS, TRANSCRIPT

from services.compliance.logic import ComplianceEngine

VERDICTS = Counter("seatcopilot_suggestions_total", "Suggestions by compliance verdict", ["verdict"])
ALERTS_RAISED = Counter("seatcopilot_compliance_alerts_total", "Compliance alerts raised", ["severity"])


def attach(io: StageIO, engine: ComplianceEngine) -> list[Background]:
    async def on_event(event: ev.CallEvent) -> None:
        for alert in engine.check_event(event):
            ALERTS_RAISED.labels(bare_enum_name(cp.Severity.DESCRIPTOR, alert.severity)).inc()
            await io.publish(ALERTS, alert.call_id, alert)

    async def on_draft(draft: gen.SuggestionDraft) -> None:
        steered = engine.steer(draft)
        VERDICTS.labels(bare_enum_name(cp.Verdict.DESCRIPTOR, steered.compliance.verdict)).inc()
        await io.publish(SUGGESTIONS, draft.call_id, steered)

    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.call_id, e.seq))
    io.consume(DRAFTS, gen.SuggestionDraft, on_draft, identity=lambda d: (d.call_id, d.seq))
    return []
