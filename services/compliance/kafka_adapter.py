"""Compliance on the bus: the only writer of the suggestions topic the console reads.

Drafts in → steered suggestions out (with a verdict, always); transcript events in → alerts out, and
the call's compliance state (what is given, owed, overdue) whenever an event changes it, so the
operator's panel shows what is still owed from the same state that raises the alerts.
A draft compliance cannot judge is dead-lettered, never passed on: nothing unjudged is shown.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from prometheus_client import Counter, Histogram
from seatcopilot.calls import call_key, call_ref, ref_identity
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.telemetry import LATENCY_BUCKETS
from seatcopilot.topics import ALERTS, COMPLIANCE_STATE, DRAFTS, SUGGESTIONS, TRANSCRIPT
from seatcopilot.verdicts import SHOWN_VERDICTS, VerdictSigner, keys_for

from services.compliance.logic import ComplianceEngine

VERDICTS = Counter("seatcopilot_suggestions_total", "Suggestions by compliance verdict", ["verdict"])
ALERTS_RAISED = Counter("seatcopilot_compliance_alerts_total", "Compliance alerts raised", ["severity"])
# Rule ids are the pack's (bounded, no personal data): the denominators of the false-alarm rate per rule and
# of alerts per call.
RULE_ALERTS = Counter("seatcopilot_compliance_rule_alerts_total", "Compliance alerts raised, by rule and kind",
                      ["rule", "kind"])
CALLS_STARTED = Counter("seatcopilot_compliance_calls_total", "Calls compliance saw start")
DECISION_TIME = Histogram("seatcopilot_compliance_decision_seconds", "Time to a compliance decision",
                          ["input"], buckets=LATENCY_BUCKETS)
REMEMBERED_STATES = 50_000
BATCH_WITHIN_S = 0.002  # a micro-batch gathers waiting messages for at most this long


class StateChanges:
    """The last state published per call (bounded), so an unchanged state is not published again."""

    def __init__(self, limit: int = REMEMBERED_STATES) -> None:
        self._last: OrderedDict[str, bytes] = OrderedDict()
        self._limit = limit

    def changed(self, engine: ComplianceEngine, event: ev.CallEvent) -> cp.CallComplianceState | None:
        try:
            state = engine.call_state(event.call_id, event.tenant)
        except LookupError:
            return None
        current = call_ref(event)  # who handles the segment now, under the segment's own scenario
        current.scenario = state.call.scenario
        current.seq = 0  # which event carried the state does not make it a new state
        state.call.CopyFrom(current)
        encoded = state.SerializeToString(deterministic=True)
        state.call.seq = event.seq
        key = call_key(event.tenant, event.call_id)  # tenants choose call ids: two may share one
        if self._last.get(key) == encoded:
            return None
        self._last[key] = encoded
        self._last.move_to_end(key)
        if len(self._last) > self._limit:
            self._last.popitem(last=False)
        return state


def attach(io: StageIO, engine: ComplianceEngine, signer: VerdictSigner | None = None,
           batch: int = 1) -> list[Background]:
    """batch > 1: messages of different calls are judged concurrently, their sentences encoded together
    (`engine.warm`); each call's events and drafts stay in order."""
    states = StateChanges()
    signer = signer or VerdictSigner(keys_for(io.transport))  # every suggestion published is signed

    async def on_event(event: ev.CallEvent) -> None:
        started = time.perf_counter()
        if event.type == ev.EVENT_TYPE_UTTERANCE:
            await engine.warm(event.text)
        alerts = engine.check_event(event)
        DECISION_TIME.labels("utterance").observe(time.perf_counter() - started)
        if event.type == ev.EVENT_TYPE_CALL_STARTED:
            CALLS_STARTED.inc()
        for alert in alerts:
            ALERTS_RAISED.labels(bare_enum_name(cp.Severity.DESCRIPTOR, alert.severity)).inc()
            RULE_ALERTS.labels(alert.rule_ids[0] if alert.rule_ids else "",
                               bare_enum_name(cp.AlertKind.DESCRIPTOR, alert.kind)).inc()
            await io.publish(ALERTS, alert.call.call_id, alert)
        state = states.changed(engine, event)
        if state is not None:
            await io.publish(COMPLIANCE_STATE, event.call_id, state)

    async def on_draft(draft: gen.SuggestionDraft) -> None:
        started = time.perf_counter()
        await engine.warm(draft.text)
        steered = engine.steer(draft)
        DECISION_TIME.labels("part" if draft.partial else "draft").observe(time.perf_counter() - started)
        if draft.partial and steered.compliance.verdict not in SHOWN_VERDICTS:
            # A blocked or expired part waits for the whole draft, which is judged again in full (a disclosure may
            # come in its next sentence); a passed or rewritten one is shown as a whole draft would be.
            return
        if not draft.partial:
            VERDICTS.labels(bare_enum_name(cp.Verdict.DESCRIPTOR, steered.compliance.verdict)).inc()
        await io.publish(SUGGESTIONS, draft.call.call_id, signer.sign(steered))

    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.tenant, e.call_id, e.seq), batch=batch,
               within_s=BATCH_WITHIN_S)
    io.consume(DRAFTS, gen.SuggestionDraft, on_draft, identity=lambda d: (*ref_identity(d.call), d.part),
               batch=batch, within_s=BATCH_WITHIN_S)
    return []
