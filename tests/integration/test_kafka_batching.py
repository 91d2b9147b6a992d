"""Micro-batched consumers on a real Kafka 4 broker (`make test` starts it): every message once, each key's
order kept while keys run together, batches no larger than asked, nothing held back when one message comes
alone, offsets committed only for handled batches, and no timer waking an idle consumer
(seatcopilot.transport.quiet_stream)."""

import asyncio
import random
import uuid

import pytest
from seatcopilot.transport import kafka as kafka_transport
from seatcopilot.transport.kafka import KafkaTransport
from seatcopilot.transport.quiet_stream import QuietStream

from tests.helpers.kafka import fresh_topic, make_topics, wait_for

pytestmark = pytest.mark.kafka
BATCH = 8


def _interleaved(keys: int, per_key: int) -> list[tuple[str, int]]:
    return [(f"call-{k}", seq) for seq in range(per_key) for k in range(keys)]


async def _publish(bootstrap: str, topic: str, messages: list[tuple[str, int]]) -> None:
    producer = KafkaTransport(f"producer-{uuid.uuid4().hex[:8]}", bootstrap)
    await producer.start()
    try:
        for key, seq in messages:
            await producer.publish(topic, key, str(seq).encode())
    finally:
        await producer.stop()


def test_batches_keep_each_keys_order_run_keys_together_and_stay_within_the_size(bootstrap, monkeypatch):
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    sent = _interleaved(5, 12)
    sizes: list[int] = []
    real_run_keyed = kafka_transport.run_keyed

    async def recording_run_keyed(messages, handler):
        sizes.append(len(messages))
        await real_run_keyed(messages, handler)

    monkeypatch.setattr(kafka_transport, "run_keyed", recording_run_keyed)
    seen: list[tuple[str, int]] = []
    running, most = 0, 0

    async def handler(message):
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(random.uniform(0, 0.004))
        seen.append((message.key, int(message.value)))
        running -= 1

    async def scenario():
        await _publish(bootstrap, topic.name, sent)  # all waiting before the consumer starts: full batches
        bus = KafkaTransport(f"test-{uuid.uuid4().hex[:8]}", bootstrap)
        bus.subscribe(topic.name, handler, batch=BATCH, within_s=0.02)
        await bus.start()
        try:
            await wait_for(lambda: len(seen) >= len(sent))
        finally:
            await bus.stop()

    random.seed(5)
    asyncio.run(scenario())
    assert sorted(seen) == sorted(sent)  # every message once
    for key in {k for k, _ in sent}:
        assert [seq for k, seq in seen if k == key] == list(range(12))
    assert max(sizes) <= BATCH and max(sizes) > 1 and most > 1


def test_a_lone_message_is_handled_and_the_idle_consumer_then_does_not_wake_on_a_timer(bootstrap, monkeypatch):
    """One message is handled without waiting for a batch to fill. faust's take_events waited for a full batch
    with the window as a timeout, in a loop: about a thousand wake-ups a second with a 1 ms window and nothing to
    do. Here a wait ends only for an event (or the stop)."""
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    waits = 0
    real_wait = QuietStream.wait_for_stopped

    async def counting_wait(self, *events, timeout=None):
        nonlocal waits
        waits += 1
        return await real_wait(self, *events, timeout=timeout)

    monkeypatch.setattr(QuietStream, "wait_for_stopped", counting_wait)
    seen: list[int] = []

    async def handler(message):
        seen.append(int(message.value))

    async def scenario() -> int:
        bus = KafkaTransport(f"test-{uuid.uuid4().hex[:8]}", bootstrap)
        bus.subscribe(topic.name, handler, batch=BATCH, within_s=0.001)
        await bus.start()
        try:
            await _publish(bootstrap, topic.name, [("call-0", 1)])
            await wait_for(lambda: seen == [1])
            before = waits
            await asyncio.sleep(2.0)  # idle: nothing published
            return waits - before
        finally:
            await bus.stop()

    assert asyncio.run(scenario()) <= 2  # a timer-driven wait would have counted about 2,000


def test_a_stopped_batched_consumer_resumes_after_the_batches_it_handled(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    group = f"test-{uuid.uuid4().hex[:8]}"

    async def consume(expected: int) -> list[int]:
        got: list[int] = []
        bus = KafkaTransport(group, bootstrap)

        async def handler(message):
            got.append(int(message.value))

        bus.subscribe(topic.name, handler, batch=BATCH, within_s=0.01)
        await bus.start()
        try:
            await wait_for(lambda: len(got) >= expected)
        finally:
            await bus.stop()
        return got

    async def scenario():
        await _publish(bootstrap, topic.name, [("k", i) for i in range(11)])
        first = await consume(11)
        await _publish(bootstrap, topic.name, [("k", i) for i in range(11, 14)])
        second = await consume(3)
        return first, second

    first, second = asyncio.run(scenario())
    assert first == list(range(11))
    assert second == [11, 12, 13]
