"""Retrieval on the bus: classified events in, grounded customer utterances out."""

from __future__ import annotations

from seatcopilot.calls import ref_identity
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.topics import CLASSIFIED, GROUNDED

from services.retrieval.logic import Retriever


def attach(io: StageIO, retriever: Retriever, batch: int = 1, within_s: float = 0.0) -> list[Background]:
    """batch > 1: the store's queries of different calls overlap; each call's events stay in order."""
    async def on_classified(classified: cl.ClassifiedEvent) -> None:
        if retriever.wants_knowledge(classified):
            grounded = await retriever.retrieve(classified)
            await io.publish(GROUNDED, classified.call.call_id, grounded)
        else:
            retriever.observe(classified)

    io.consume(CLASSIFIED, cl.ClassifiedEvent, on_classified,
               identity=lambda c: ref_identity(c.call), batch=batch,
               within_s=within_s)
    return []
