"""Console on the bus: reads the transcript, the classifier's stages and intents, steered suggestions,
alerts, compliance's live call state, summaries and the indicators service's snapshots; writes feedback.

It never reads drafts: the suggestions topic is written only by compliance, so everything shown
has a verdict. Expired suggestions, suggestions past their deadline by the time they arrive (compliance
was down or slow) and suggestions without a verdict are counted, not shown.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from google.protobuf.message import Message as ProtoMessage
from prometheus_client import Counter
from seatcopilot import codec, sentiment, telemetry, views
from seatcopilot.calls import ref_identity
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.indicators.v1 import indicators_pb2 as ind
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import (
    ALERTS,
    CLASSIFIED,
    COMPLIANCE_STATE,
    FEEDBACK,
    INDICATORS,
    MANAGER_REPORTS,
    SUGGESTIONS,
    SUMMARIES,
    TRANSCRIPT,
)
from seatcopilot.verdicts import VerdictVerifier, keys_for

from services.console.auth import Identity
from services.console.http_api import FeedbackSink
from services.console.logic import ConsoleHub

NOT_SHOWN = Counter("seatcopilot_console_suggestions_not_shown_total",
                    "Suggestions the console refused to show", ["reason"])
log = logging.getLogger(__name__)
FORGED = Counter("seatcopilot_console_unverified_verdicts_total",
                 "Suggestions on the topic whose compliance signature does not verify: never shown (alerted on)")
FEEDBACK_GIVEN = Counter("seatcopilot_feedback_total", "Operator feedback on suggestions and wrap-ups",
                         ["subject", "action"])
# Rule ids are the pack's (bounded, no personal data): over seatcopilot_compliance_rule_alerts_total, the
# false-alarm rate per rule.
FALSE_ALARMS = Counter("seatcopilot_compliance_false_alarms_total",
                       "Compliance alerts operators marked as not a violation, by rule", ["rule"])


def not_shown_reason(steered: cp.SteeredSuggestion, now: float) -> str:
    """Why a suggestion must not be shown ('' when it may): fail closed on anything unjudged or stale."""
    verdict = steered.compliance.verdict
    if verdict == cp.VERDICT_UNSPECIFIED:
        return "no_verdict"
    if verdict == cp.VERDICT_EXPIRED:
        return "expired"
    draft = steered.draft
    if not draft.HasField("deadline") or draft.deadline.ToNanoseconds() / 1e9 < now:
        return "expired"
    return ""


def withdrawn(steered: cp.SteeredSuggestion) -> cp.SteeredSuggestion:
    """A whole draft that came too late, as the card that replaces its part on screen: expired, with no text (what
    expired is never shown), so the part is not left waiting for "more to come"."""
    card = cp.SteeredSuggestion()
    card.CopyFrom(steered)
    card.text = ""
    card.compliance.verdict = cp.VERDICT_EXPIRED
    return card


def indicator_view(snapshot: ind.IndicatorSnapshot, received_at: float) -> dict[str, Any]:
    """One snapshot of the indicators service (a team and arm over the current window)."""
    return {
        "kind": "indicators", "tenant": snapshot.tenant, "team_id": snapshot.team_id,
        "experiment_id": snapshot.experiment_id, "arm": snapshot.arm, "received_at": received_at,
        "window_start": snapshot.window_start.ToSeconds(), "window_end": snapshot.window_end.ToSeconds(),
        "values": [{"name": v.name, "scenario": v.scenario, "unit": v.unit,
                    "direction": bare_enum_name(ind.Direction.DESCRIPTOR, v.direction).lower(),
                    "value": v.value, "numerator": v.numerator, "denominator": v.denominator,
                    "defined": v.defined} for v in snapshot.values],
    }


LIVE_KEYS = ("call_id", "seq", "tenant", "scenario", "operator_id", "team_id")


def live_base(event: ev.CallEvent) -> dict[str, Any]:
    """What a floor update carries of its call (who may see it included)."""
    view = views.transcript_view(event)
    return {key: view[key] for key in LIVE_KEYS}


def attach(io: StageIO, hub: ConsoleHub, verifier: VerdictVerifier | None = None) -> list[Background]:
    cues = sentiment.load_cues()
    verifier = verifier or VerdictVerifier(keys_for(io.transport))

    def feed(render):
        async def handle(message: ProtoMessage) -> None:
            hub.add(render(message))
        return handle

    async def on_suggestion(steered: cp.SteeredSuggestion) -> None:
        if not verifier.verifies(steered):  # not compliance's verdict: a forgery or a wrong key
            FORGED.inc()
            NOT_SHOWN.labels("unverified").inc()
            log.error("a suggestion on the topic failed its verdict signature (key id %r): not shown",
                      steered.key_id[:32])
            return
        reason = not_shown_reason(steered, time.time())
        if reason:
            NOT_SHOWN.labels(reason).inc()
            if reason == "expired" and steered.draft.part > 1:  # its first part is on screen: withdraw that card
                hub.add(views.suggestion_view(withdrawn(steered)))
            return
        hub.add(views.suggestion_view(steered))
        latency = telemetry.since_ingest()
        if latency is not None and steered.draft.part <= 1:  # what the operator waits for: the first card shown
            telemetry.SUGGESTION_LATENCY.observe(latency)

    started: dict[tuple[str, str], float] = {}

    async def on_transcript(event: ev.CallEvent) -> None:
        hub.add(views.transcript_view(event))
        if event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == ev.SPEAKER_CUSTOMER:
            score = sentiment.score(event.text, cues)
            if score is not None:
                hub.update_live(live_base(event), sentiment_score=score)
        seconds = event.ts.ToNanoseconds() / 1e9
        if event.type == ev.EVENT_TYPE_CALL_STARTED:
            started[(event.tenant, event.call_id)] = seconds
        elif event.type == ev.EVENT_TYPE_CALL_ENDED and (event.tenant, event.call_id) in started:
            telemetry.CALL_SECONDS.inc(max(0.0, seconds - started.pop((event.tenant, event.call_id))))

    async def on_classified(classified: cl.ClassifiedEvent) -> None:
        label = classified.classification
        if label.stage or label.intent:
            hub.update_live(live_base(classified.event), stage=label.stage, intent=label.intent)

    io.consume(TRANSCRIPT, ev.CallEvent, on_transcript, identity=lambda e: (e.tenant, e.call_id, e.seq))
    io.consume(CLASSIFIED, cl.ClassifiedEvent, on_classified,
               identity=lambda c: ref_identity(c.call))
    # The signature is part of the identity: a forgery cannot pre-empt the real suggestion of its seq.
    io.consume(SUGGESTIONS, cp.SteeredSuggestion, on_suggestion,
               identity=lambda s: (*ref_identity(s.call), s.signature))
    io.consume(ALERTS, cp.Alert, feed(views.alert_view),
               identity=lambda a: (*ref_identity(a.call), tuple(a.rule_ids)))
    io.consume(SUMMARIES, sm.Summary, feed(views.summary_view), identity=lambda s: (*ref_identity(s.call), s.kind))
    io.consume(COMPLIANCE_STATE, cp.CallComplianceState, feed(views.compliance_state_view),
               identity=lambda s: (s.call.tenant, s.call.call_id, s.operator_turns, hash(codec.encode(s))))

    async def on_indicators(snapshot: ind.IndicatorSnapshot) -> None:
        hub.record_indicators(indicator_view(snapshot, time.time()))

    io.consume(INDICATORS, ind.IndicatorSnapshot, on_indicators,
               identity=lambda s: (s.team_id, s.window_start.seconds, s.experiment_id, s.arm, hash(codec.encode(s))))

    async def on_manager_report(report: sm.ManagerReport) -> None:
        hub.record_manager_report(views.manager_report_view(report))

    io.consume(MANAGER_REPORTS, sm.ManagerReport, on_manager_report,
               identity=lambda r: (r.team_id, r.generated_at.seconds, r.generated_at.nanos))
    return []


def feedback_sink(io: StageIO) -> FeedbackSink:
    """Publishes what an operator did with a suggestion or wrap-up to the feedback topic."""

    async def publish(identity: Identity, call: dict[str, Any], body: dict[str, Any]) -> None:
        message = fb.Feedback(
            call=ev.CallRef(call_id=call["call_id"], seq=body["seq"], tenant=call["tenant"],
                            operator_id=identity.operator_id, team_id=call["team_id"]),
            action=fb.Action.Value("ACTION_" + body["action"].upper()),
            subject=fb.Subject.Value("SUBJECT_" + body.get("subject", "suggestion").upper()),
            edited_text=body.get("edited_text", ""), seconds_to_act=float(body.get("seconds_to_act") or 0.0),
            disposition=body.get("disposition", ""), rule_id=str(body.get("rule_id", "")),
        )
        message.ts.FromNanoseconds(time.time_ns())
        await io.publish(FEEDBACK, message.call.call_id, message)
        FEEDBACK_GIVEN.labels(body.get("subject", "suggestion"), body["action"]).inc()
        if body["action"] == "not_a_violation":
            FALSE_ALARMS.labels(message.rule_id).inc()

    return publish
