"""The Kafka transport and the stage I/O on a real Kafka 4 broker started by `make test`."""

import asyncio
import uuid

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from seatcopilot import codec, telemetry
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DEAD_LETTER
from seatcopilot.transport.kafka import KafkaTransport

from tests.helpers import make_event
from tests.helpers.kafka import fresh_topic, make_topics, wait_for

pytestmark = pytest.mark.kafka


def test_keyed_messages_arrive_in_order_with_headers(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)

    async def scenario():
        received = []
        bus = KafkaTransport(f"test-{uuid.uuid4().hex[:8]}", bootstrap)

        async def handler(message):
            received.append(message)

        bus.subscribe(topic.name, handler)
        await bus.start()
        try:
            assert await bus.healthy()
            for i in range(20):
                await bus.publish(topic.name, f"call-{i % 2}", f"{i}".encode(), {"x-test": b"yes"})
            await wait_for(lambda: len(received) >= 20)
        finally:
            await bus.stop()
        for key in ("call-0", "call-1"):
            values = [int(m.value) for m in received if m.key == key]
            assert values == sorted(values) and len(values) == 10
        assert all(m.headers.get("x-test") == b"yes" for m in received)

    asyncio.run(scenario())


def test_trace_context_rides_in_kafka_headers(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    exporter = InMemorySpanExporter()
    telemetry.setup_tracing("test", exporter=exporter)
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    trace.get_tracer_provider().add_span_processor(SimpleSpanProcessor(exporter))

    async def scenario():
        seen = []
        bus = KafkaTransport(f"test-{uuid.uuid4().hex[:8]}", bootstrap)
        io = StageIO("test-stage", bus)
        io.consume(topic, type(make_event()), lambda e: _append(seen, e), identity=lambda e: (e.call_id, e.seq))
        await bus.start()
        try:
            with trace.get_tracer("test").start_as_current_span("producer") as span:
                producer_trace = span.get_span_context().trace_id
                await io.publish(topic, "call-tr", make_event(call_id="call-tr", seq=7))
            await wait_for(lambda: seen)
        finally:
            await bus.stop()
        return producer_trace

    producer_trace = asyncio.run(scenario())
    consumer_spans = [s for s in exporter.get_finished_spans() if s.name == "test-stage process"]
    assert consumer_spans and consumer_spans[0].context.trace_id == producer_trace
    attributes = dict(consumer_spans[0].attributes)
    assert attributes["seatcopilot.call_id"] == "call-tr"
    assert not any("text" in key for key in attributes)


async def _append(items, item):
    items.append(item)


def test_undecodable_messages_go_to_the_dead_letter_topic_and_the_stage_goes_on(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)

    async def scenario():
        handled, letters = [], []
        bus = KafkaTransport(f"test-{uuid.uuid4().hex[:8]}", bootstrap)
        io = StageIO("test-stage", bus)
        io.consume(topic, type(make_event()), lambda e: _append(handled, e), identity=lambda e: (e.call_id, e.seq))

        async def on_letter(message):
            letter = codec.decode(message.value, deadletter_pb2.DeadLetter)
            if letter.source_topic == topic.name:
                letters.append(letter)

        bus.subscribe(DEAD_LETTER.name, on_letter)
        await bus.start()
        try:
            await bus.publish(topic.name, "call-bad", b"\xff\x00 not a protobuf \xff")
            await io.publish(topic, "call-good", make_event(call_id="call-good", seq=1))
            await wait_for(lambda: handled and letters)
        finally:
            await bus.stop()
        assert letters[0].reason == "decode_error" and letters[0].stage == "test-stage"
        assert letters[0].payload.startswith(b"\xff\x00")
        assert handled[0].call_id == "call-good"

    asyncio.run(scenario())


def test_a_stopped_consumer_resumes_after_its_committed_offset(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    group = f"test-{uuid.uuid4().hex[:8]}"

    async def consume(expected):
        got = []
        bus = KafkaTransport(group, bootstrap)

        async def handler(message):
            got.append(int(message.value))

        bus.subscribe(topic.name, handler)
        await bus.start()
        try:
            if expected:
                await wait_for(lambda: len(got) >= expected)
            else:
                await asyncio.sleep(5)
        finally:
            await bus.stop()
        return got

    async def scenario():
        producer = KafkaTransport(f"producer-{uuid.uuid4().hex[:8]}", bootstrap)
        await producer.start()
        for i in range(5):
            await producer.publish(topic.name, "k", str(i).encode())
        first = await consume(5)
        for i in range(5, 8):
            await producer.publish(topic.name, "k", str(i).encode())
        await producer.stop()
        second = await consume(3)
        return first, second

    first, second = asyncio.run(scenario())
    assert first == [0, 1, 2, 3, 4]
    assert second == [5, 6, 7]


def test_consumer_lag_counts_what_the_group_has_not_consumed(bootstrap):
    topic = fresh_topic()
    make_topics(bootstrap, topic)
    group = f"test-{uuid.uuid4().hex[:8]}"

    async def scenario():
        got = []
        bus = KafkaTransport(group, bootstrap)

        async def handler(message):
            got.append(message)

        bus.subscribe(topic.name, handler)
        await bus.start()
        try:
            for i in range(3):
                await bus.publish(topic.name, "k", str(i).encode())
            await wait_for(lambda: len(got) == 3)
            await asyncio.sleep(2.5)  # past the commit interval
            caught_up = await asyncio.to_thread(bus.consumer_lag)
        finally:
            await bus.stop()
        producer = KafkaTransport(f"producer-{uuid.uuid4().hex[:8]}", bootstrap)
        await producer.start()
        for i in range(4):
            await producer.publish(topic.name, "k", str(i).encode())
        await producer.stop()
        return caught_up, await asyncio.to_thread(bus.consumer_lag)

    caught_up, behind = asyncio.run(scenario())
    assert caught_up == {topic.name: 0}
    assert behind == {topic.name: 4}
