"""Classifier on the bus: transcript events in, classified events out (every event, in order)."""

from __future__ import annotations

import asyncio

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import CLASSIFIED, TRANSCRIPT

from services.classifier.logic import IntentClassifier


def attach(io: StageIO, classifier: IntentClassifier, batch: int = 1, within_s: float = 0.0) -> list[Background]:
    """batch > 1: events of different calls are classified concurrently, so the model's micro-batcher runs
    them in one forward pass; each call's events stay in order."""
    async def on_event(event: ev.CallEvent) -> None:
        dialogue = classifier.observe(event)  # here, on the loop: the state table writes its changelog
        classified = await asyncio.to_thread(classifier.classify, event, dialogue)
        await io.publish(CLASSIFIED, event.call_id, classified)

    io.consume(TRANSCRIPT, ev.CallEvent, on_event, identity=lambda e: (e.tenant, e.call_id, e.seq), batch=batch,
               within_s=within_s)
    return []
