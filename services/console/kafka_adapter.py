"""Console on the bus: reads the transcript, steered suggestions, alerts and summaries.

It never reads drafts: the suggestions topic is written only by compliance, so everything shown
has a verdict. Expired suggestions, suggestions past their deadline by the time they arrive (compliance
was down or slow) and suggestions without a verdict are counted, not shown.
"""

from __future__ import annotations

import time

from google.protobuf.message import Message as ProtoMessage
from prometheus_client import Counter
from seatcopilot import views
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.summary.v1 import summary_pb2 as sm
from seatcopilot.topics import ALERTS, SUGGESTIONS, SUMMARIES, TRANSCRIPT

from services.console.logic import ConsoleHub

NOT_SHOWN = Counter("seatcopilot_console_suggestions_not_shown_total",
                    "Suggestions the console refused to show", ["reason"])


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


def attach(io: StageIO, hub: ConsoleHub) -> list[Background]:
    def feed(render):
        async def handle(message: ProtoMessage) -> None:
            hub.add(render(message))
        return handle

    async def on_suggestion(steered: cp.SteeredSuggestion) -> None:
        reason = not_shown_reason(steered, time.time())
        if reason:
            NOT_SHOWN.labels(reason).inc()
            return
        hub.add(views.suggestion_view(steered))

    io.consume(TRANSCRIPT, ev.CallEvent, feed(views.transcript_view), identity=lambda e: (e.call_id, e.seq))
    io.consume(SUGGESTIONS, cp.SteeredSuggestion, on_suggestion, identity=lambda s: (s.draft.call_id, s.draft.seq))
    io.consume(ALERTS, cp.Alert, feed(views.alert_view), identity=lambda a: (a.call_id, a.seq, tuple(a.rule_ids)))
    io.consume(SUMMARIES, sm.Summary, feed(views.summary_view), identity=lambda s: (s.call_id, s.seq, s.kind))
    return []
