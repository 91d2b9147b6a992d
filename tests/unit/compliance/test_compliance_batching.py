"""Compliance encodes ahead: the sentences of messages judged concurrently go through the encoder in one batch,
off the event loop, and the judging that follows (on the loop) encodes nothing more."""

import asyncio
import zlib

import numpy as np
from seatcopilot.policy import load_policies

from services.compliance import logic
from services.compliance.logic import ComplianceEngine
from tests.helpers import make_event


def test_concurrent_messages_are_encoded_in_one_batch_and_judging_reuses_the_vectors(monkeypatch):
    monkeypatch.setattr(logic, "EMBED_WAIT_S", 0.5)  # room to gather both messages on a busy machine
    batches: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        batches.append(list(texts))
        return np.stack([np.random.default_rng(zlib.crc32(t.encode())).standard_normal(8).astype(np.float32)
                         for t in texts])

    engine = ComplianceEngine(load_policies(), embed=embed, embed_batch=8)
    batches.clear()  # the packs' own examples, encoded at start
    first, second = "Hello there. Your rate is fixed for the whole term.", "We can waive the late fee today."

    async def scenario():
        await asyncio.gather(engine.warm(first), engine.warm(second))

    try:
        asyncio.run(scenario())
        warmed = [list(batch) for batch in batches]
        batches.clear()
        engine.check_event(make_event(call_id="warm-1", seq=1, speaker="OPERATOR", text=first))
        engine.check_event(make_event(call_id="warm-2", seq=1, speaker="OPERATOR", text=second))
    finally:
        engine.close()
    assert len(warmed) == 1  # one encoder call for both messages
    assert sorted(warmed[0]) == sorted(["Hello there.", "Your rate is fixed for the whole term.",
                                        "Hello there. Your rate is fixed for the whole term.", second])
    assert batches == []  # judging found every vector ready
