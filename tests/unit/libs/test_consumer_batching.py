"""Micro-batching in the consumers: messages of different calls are handled together (the model sees them in
one batch), and one call's messages keep their order, on the in-process transport."""

import asyncio
import random

import numpy as np
from seatcopilot.batching import MicroBatcher
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import CLASSIFIED, TRANSCRIPT
from seatcopilot.transport.base import Message
from seatcopilot.transport.inprocess import InProcessTransport

from services.classifier import kafka_adapter
from services.classifier.logic import IntentClassifier
from services.classifier.taxonomy import load_intents
from tests.helpers import make_event


def _interleaved(calls: int, per_call: int) -> list[tuple[str, int]]:
    return [(f"call-{c}", seq) for seq in range(1, per_call + 1) for c in range(calls)]


def test_a_batch_keeps_each_keys_order_while_keys_run_concurrently():
    seen: list[tuple[str, int]] = []
    running, most = 0, 0

    async def handler(message: Message) -> None:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(random.uniform(0, 0.004))  # later messages of other calls may finish first
        seen.append((message.key, int(message.value)))
        running -= 1

    async def scenario() -> InProcessTransport:
        bus = InProcessTransport()
        bus.subscribe("t", handler, batch=8)
        for key, seq in _interleaved(5, 12):
            await bus.publish("t", key, str(seq).encode())
        await bus.start()
        await bus.join()
        await bus.stop()
        return bus

    random.seed(3)
    bus = asyncio.run(scenario())
    assert sorted(seen) == sorted(_interleaved(5, 12))  # every message once
    for call in {key for key, _ in seen}:
        assert [seq for key, seq in seen if key == call] == list(range(1, 13))
    assert max(bus.batches) == 8 and most > 1
    assert seen != _interleaved(5, 12)  # calls did overlap (a different global order)


def test_batch_one_is_one_message_at_a_time():
    order: list[int] = []

    async def handler(message: Message) -> None:
        await asyncio.sleep(0)
        order.append(int(message.value))

    async def scenario() -> InProcessTransport:
        bus = InProcessTransport()
        bus.subscribe("t", handler)
        for n in range(10):
            await bus.publish("t", f"k{n % 3}", str(n).encode())
        await bus.start()
        await bus.join()
        await bus.stop()
        return bus

    bus = asyncio.run(scenario())
    assert order == list(range(10)) and set(bus.batches) == {1}


class BatchedBackend:
    """The classifier's micro-batcher over a stand-in model that records its batch sizes."""

    def __init__(self) -> None:
        self.labels = [*load_intents(), "unknown"]
        self.version = "stand-in"
        self.batcher = MicroBatcher(self._run, max_batch=16, max_wait_s=0.02)

    def _run(self, texts: list[str]) -> list[np.ndarray]:
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        probs[:, 0] = 1.0
        return list(probs)

    def intent_probs(self, texts: list[str]) -> np.ndarray:
        return np.stack(self.batcher.run(texts, timeout=10))

    def close(self) -> None:
        self.batcher.close()


def test_the_classifier_consumer_feeds_the_model_batches_and_publishes_each_call_in_order():
    backend = BatchedBackend()
    classifier = IntentClassifier(backend, 0.5)
    events = [make_event(call_id=key, seq=seq, text=f"question {seq} on {key}") for key, seq in _interleaved(6, 5)]

    async def scenario() -> list[cl.ClassifiedEvent]:
        bus = InProcessTransport()
        kafka_adapter.attach(StageIO("classifier", bus), classifier, batch=16, within_s=0.002)
        out = bus.tap(CLASSIFIED.name)
        for event in events:
            await bus.publish(TRANSCRIPT.name, event.call_id, event.SerializeToString())
        await bus.start()
        await bus.join()
        await bus.stop()
        return [cl.ClassifiedEvent.FromString(out.get_nowait().value) for _ in events]

    try:
        published = asyncio.run(scenario())
    finally:
        classifier.close()
    assert len(published) == len(events)
    for call in {e.call_id for e in events}:
        mine = [c for c in published if c.event.call_id == call]
        assert [c.event.seq for c in mine] == [1, 2, 3, 4, 5]
        assert [c.dialogue.last_seq for c in mine] == [1, 2, 3, 4, 5]  # the call's state followed its order
    assert max(backend.batcher.batches) > 1  # one forward pass for several calls' utterances
