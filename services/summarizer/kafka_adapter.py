"""Summarizer on the bus: classified events, alerts and compliance's call states in (call state), summaries and manager
reports out; every wrap-up and every operator verdict on one (the feedback topic) read back into the
ledger."""

from __future__ import annotations

import asyncio
import logging

from seatcopilot import codec
from seatcopilot.calls import ref_identity
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import ALERTS, CLASSIFIED, COMPLIANCE_STATE, FEEDBACK, MANAGER_REPORTS, SUMMARIES

from services.summarizer.logic import Summarizer

log = logging.getLogger(__name__)
UNASSIGNED_TEAM = "unassigned"


def attach(io: StageIO, summarizer: Summarizer) -> list[Background]:
    async def publish_report(report: sm.ManagerReport | None) -> None:
        if report is not None:
            await io.publish(MANAGER_REPORTS, report.team_id or UNASSIGNED_TEAM, report)

    async def on_classified(classified: cl.ClassifiedEvent) -> None:
        summary = await summarizer.on_event(classified.event, classified.classification.intent,
                                            classified.dialogue)
        if summary is None:
            return
        await io.publish(SUMMARIES, summary.call.call_id, summary)
        if summary.kind == sm.SUMMARY_KIND_WRAPUP:
            await publish_report(summarizer.record_wrapup(summary))

    async def on_alert(alert: cp.Alert) -> None:
        summarizer.on_alert(alert)

    async def on_compliance_state(state: cp.CallComplianceState) -> None:
        summarizer.on_compliance_state(state)

    async def on_feedback(feedback: fb.Feedback) -> None:
        await publish_report(summarizer.record_feedback(feedback))

    async def into_ledger(summary: sm.Summary) -> None:
        if summary.kind == sm.SUMMARY_KIND_WRAPUP:
            summarizer.ledger.add_wrapup(summary)

    async def feedback_into_ledger(feedback: fb.Feedback) -> None:
        summarizer.ledger.add_feedback(feedback)

    async def expire_states() -> None:
        interval = min(3600.0, summarizer.config.state_retention_s / 4)
        while True:
            await asyncio.sleep(interval)
            expired = summarizer.expire_states()
            if expired:
                log.info("dropped the state of %d calls past retention", expired)

    io.consume(CLASSIFIED, cl.ClassifiedEvent, on_classified,
               identity=lambda c: ref_identity(c.call))
    io.consume(ALERTS, cp.Alert, on_alert,
               identity=lambda a: (*ref_identity(a.call), tuple(a.rule_ids)))
    io.consume(COMPLIANCE_STATE, cp.CallComplianceState, on_compliance_state,
               identity=lambda s: (s.call.tenant, s.call.call_id, s.operator_turns, hash(codec.encode(s))))
    io.consume(FEEDBACK, fb.Feedback, on_feedback, identity=_feedback_identity)
    # The ledger reads every instance's wrap-ups and feedback (not only its partitions'), back to its horizon.
    horizon = summarizer.config.ledger_horizon_s
    io.follow(SUMMARIES, sm.Summary, into_ledger,
              identity=lambda s: (*ref_identity(s.call), s.kind, "ledger"), since_s=horizon)
    io.follow(FEEDBACK, fb.Feedback, feedback_into_ledger,
              identity=lambda f: (*_feedback_identity(f), "ledger"), since_s=horizon)
    return [expire_states]


def _feedback_identity(feedback: fb.Feedback) -> tuple:
    call = feedback.call
    return (call.tenant, call.call_id, call.seq, feedback.subject, feedback.ts.seconds, feedback.ts.nanos)
