"""Generation on the bus: grounded customer utterances in, suggestion drafts out (to compliance)."""

from __future__ import annotations

from seatcopilot.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import DRAFTS, GROUNDED

from services.generation.logic import Generator


def attach(io: StageIO, generator: Generator) -> list[Background]:
    async def on_grounded(grounded: rt.GroundedEvent) -> None:
        draft = await generator.draft(grounded)
        await io.publish(DRAFTS, draft.call_id, draft)

    io.consume(GROUNDED, rt.GroundedEvent, on_grounded,
               identity=lambda g: (g.classified.event.call_id, g.classified.event.seq))
    return []
