"""Intake on the bus: raw call events in, redacted ordered transcript events out."""

from __future__ import annotations

import asyncio

from seatcopilot import codec
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.redaction import redact
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import CALL_EVENTS, TRANSCRIPT

from services.intake.logic import IntakeStage


def scrub_payload(payload: bytes) -> bytes:
    """A dead-lettered raw event keeps its shape but loses its PII."""
    try:
        event = codec.decode(payload, ev.CallEvent)
        event.text = redact(event.text).text
        return codec.encode(event)
    except codec.PayloadError:
        return redact(payload.decode("utf-8", errors="replace")).text.encode()


async def publish_ready(io: StageIO, events: list[ev.CallEvent]) -> None:
    for event in events:
        await io.publish(TRANSCRIPT, event.call_id, event)


def attach(io: StageIO, stage: IntakeStage) -> list[Background]:
    io.scrub_dead_letter = scrub_payload

    async def on_event(event: ev.CallEvent) -> None:
        await publish_ready(io, stage.accept(event))

    async def expire_gaps() -> None:
        while True:
            await asyncio.sleep(max(stage.config.reorder_timeout_s / 4, 0.05))
            await publish_ready(io, stage.expire())

    io.consume(CALL_EVENTS, ev.CallEvent, on_event, identity=lambda e: (e.call_id, e.seq))
    return [expire_gaps]
