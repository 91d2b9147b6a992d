"""Summarizer on the bus: classified events and alerts in, summaries out."""

from __future__ import annotations

from seatcopilot.classification.v1 import classification_pb2 as cl
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import ALERTS, CLASSIFIED, SUMMARIES

from services.summarizer.logic import Summarizer


def attach(io: StageIO, summarizer: Summarizer) -> list[Background]:
    async def on_classified(classified: cl.ClassifiedEvent) -> None:
        summary = summarizer.observe(classified.event, classified.classification.intent)
        if summary is not None:
            await io.publish(SUMMARIES, summary.call_id, summary)

    async def on_alert(alert: cp.Alert) -> None:
        summarizer.observe_alert(alert)

    io.consume(CLASSIFIED, cl.ClassifiedEvent, on_classified,
               identity=lambda c: (c.event.call_id, c.event.seq))
    io.consume(ALERTS, cp.Alert, on_alert, identity=lambda a: (a.call_id, a.seq, tuple(a.rule_ids)))
    return []
