"""Console on the bus: reads the transcript, steered suggestions, alerts and summaries.

It never reads drafts: the suggestions topic is written only by compliance, so everything shown
has a verdict. Expired suggestions are counted, not shown.
"""

from __future__ import annotations

from google.protobuf.message import Message as ProtoMessage
from prometheus_client import Counter
from seatcopilot import views
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.summary.v1 import summary_pb2 as sm
from seatcopilot.topics import ALERTS, MANAGER_REPORTS, SUGGESTIONS, SUMMARIES, TRANSCRIPT, WRAPUP_FEEDBACK

from services.console.logic import ConsoleHub

NOT_SHOWN = Counter("seatcopilot_console_suggestions_not_shown_total",
                    "Suggestions the console refused to show", ["reason"])


def attach(io: StageIO, hub: ConsoleHub) -> list[Background]:
    def feed(render):
        async def handle(message: ProtoMessage) -> None:
            hub.add(render(message))
        return handle

    async def on_suggestion(steered: cp.SteeredSuggestion) -> None:
        verdict = steered.compliance.verdict
        if verdict in (cp.VERDICT_UNSPECIFIED, cp.VERDICT_EXPIRED):
            NOT_SHOWN.labels("expired" if verdict == cp.VERDICT_EXPIRED else "no_verdict").inc()
            return
        hub.add(views.suggestion_view(steered))

    io.consume(TRANSCRIPT, ev.CallEvent, feed(views.transcript_view), identity=lambda e: (e.call_id, e.seq))
    io.consume(SUGGESTIONS, cp.SteeredSuggestion, on_suggestion, identity=lambda s: (s.draft.call_id, s.draft.seq))
    io.consume(ALERTS, cp.Alert, feed(views.alert_view), identity=lambda a: (a.call_id, a.seq, tuple(a.rule_ids)))
    io.consume(SUMMARIES, sm.Summary, feed(views.summary_view), identity=lambda s: (s.call_id, s.seq, s.kind))
    io.consume(MANAGER_REPORTS, sm.ManagerReport, feed(views.manager_report_view),
               identity=lambda r: (r.team_id, r.generated_at.seconds, r.generated_at.nanos))

    async def publish_feedback(feedback: sm.WrapupFeedback) -> None:
        await io.publish(WRAPUP_FEEDBACK, feedback.call_id, feedback)

    hub.feedback_sink = publish_feedback
    return []
