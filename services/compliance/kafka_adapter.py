"""Compliance on the bus: the only writer of the suggestions topic the console reads.

Drafts in → steered suggestions out (with a verdict, always); transcript events in → alerts out.
A draft compliance cannot judge is dead-lettered, never passed on: nothing unjudged is shown.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
from seatcopilot.codec import bare_enum_name
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.telemetry import LATENCY_BUCKETS
from seatcopilot.topics import ALERTS, DRAFTS, SUGGESTIONS, TRANSCRIPT

from services.compliance.logic import ComplianceEngine

VERDICTS = Counter("seatcopilot_suggestions_total", "Suggestions by compliance verdict", ["verdict"])
ALERTS_RAISED = Counter("seatcopilot_compliance_alerts_total", "Compliance alerts raised", ["severity"])
DECISION_TIME = Histogram("seatcopilot_compliance_decision_seconds", "Time to a compliance decision",
                          ["input"], buckets=LATENCY_BUCKETS)


def attach(io: StageIO, engine: ComplianceEngine) -> list[Background]:
    async def on_event(event: ev.CallEvent) -> None:
        started = time.perf_counter()
        alerts = engine.check_event(event)
        DECISION_TIME.labels("utterance").observe(time.perf_counter() - started)
        for alert in alerts:
            ALERTS_RAISED.labels(bare_enum_name(cp.Severity.DESCRIPTOR, alert.severity)).inc()
            await io.publish(ALERTS, alert.call_id, alert)

    async def on_draft(draft: gen.SuggestionDraft) -> None:
        started = time.perf_counter()
        steered = engine.steer(draft)
        DECISION_TIME.labels("draft").observe(time.perf_counter() - started)
        VERDICTS.labels(bare_enum_name(cp.Verdict.DESCRIPTOR, steered.compliance.verdict)).inc()
        await io.publish(SUGGESTIONS, draft.call_id, steered)

    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.call_id, e.seq))
    io.consume(DRAFTS, gen.SuggestionDraft, on_draft, identity=lambda d: (d.call_id, d.seq))
    return []
