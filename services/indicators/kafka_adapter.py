"""Indicators on the bus: transcript, suggestions, alerts and feedback in; indicator snapshots out
(keyed by team) and as Prometheus metrics. On Kafka the sums live in a windowed Faust table."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from prometheus_client import Counter, Gauge
from seatcopilot.calls import ref_identity
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.stage_io import Background, Rejected, StageIO
from seatcopilot.topics import ALERTS, FEEDBACK, INDICATORS, SUGGESTIONS, TRANSCRIPT

from services.indicators.logic import Increment
from services.indicators.stage import IndicatorsStage

INCREMENTS = Counter("seatcopilot_indicator_events_total",
                     "Indicator counters derived from the event streams (numerators and denominators)",
                     ["counter", "tenant", "team", "arm"])
VALUES = Gauge("seatcopilot_indicator_value", "Business indicators over the current window",
               ["indicator", "tenant", "team", "arm"])


def count(increment: Increment | None) -> None:
    if increment is None:
        return
    who = increment.who
    for name, value in increment.counters.items():
        INCREMENTS.labels(name, who.tenant, who.team_id, who.arm).inc(value)


async def publish_snapshots(io: StageIO, stage: IndicatorsStage) -> int:
    published = 0
    for snapshot in stage.snapshots():
        for value in snapshot.values:
            if value.defined:
                VALUES.labels(value.name, snapshot.tenant, snapshot.team_id, snapshot.arm).set(value.value)
        await io.publish(INDICATORS, snapshot.team_id or "unknown", snapshot)
        published += 1
    return published


def attach(io: StageIO, stage: IndicatorsStage) -> list[Background]:
    transport: Any = io.transport
    if getattr(transport, "app", None) is not None:  # the distributed mode: a changelogged, windowed Faust table
        from services.indicators.faust_windows import FaustWindows

        stage.store = FaustWindows(transport.app, transport.bootstrap, stage.config.window_s,
                                   stage.config.keep_windows, transport.security)

    async def on_event(event: ev.CallEvent) -> None:
        count(stage.record(stage.engine.observe_event(event)))

    async def on_alert(alert: cp.Alert) -> None:
        count(stage.record(stage.engine.observe_alert(alert, time.time())))

    async def on_suggestion(steered: cp.SteeredSuggestion) -> None:
        count(stage.record(stage.engine.observe_suggestion(steered)))

    async def on_feedback(feedback: fb.Feedback) -> None:
        if feedback.subject in (fb.SUBJECT_WRAPUP, fb.SUBJECT_ALERT):
            return  # wrap-up reviews and alert dismissals are not suggestion use (alerts: compliance's metrics)
        try:
            count(stage.record(stage.engine.observe_feedback(feedback)))
        except LookupError as error:
            raise Rejected("unknown_suggestion", str(error)) from error
        except ValueError as error:
            raise Rejected("invalid_feedback", str(error)) from error

    async def publish_loop() -> None:
        while True:
            await asyncio.sleep(stage.config.publish_interval_s)
            await publish_snapshots(io, stage)

    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.tenant, e.call_id, e.seq))
    io.consume(ALERTS, cp.Alert, on_alert, identity=lambda a: (*ref_identity(a.call), tuple(a.rule_ids)))
    io.consume(SUGGESTIONS, cp.SteeredSuggestion, on_suggestion,
               identity=lambda s: (*ref_identity(s.call), s.draft.part))
    io.consume(FEEDBACK, fb.Feedback, on_feedback, identity=lambda f: (*ref_identity(f.call), f.subject))
    return [publish_loop]
