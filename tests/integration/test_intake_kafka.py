"""Intake on a real Kafka 4 broker: each platform's source topic in, the transcript topic out, ordered
and redacted; bad messages on the dead-letter topic with their reason, the payload scrubbed."""

import asyncio
import json
import time
import uuid
from urllib.parse import urlencode

import pytest
from kafka import KafkaConsumer, KafkaProducer
from seatcopilot import codec
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import CALL_EVENTS, DEAD_LETTER, PLATFORM_TOPICS, TRANSCRIPT
from seatcopilot.transport.kafka import KafkaTransport

from services.intake import kafka_adapter
from services.intake.adapters import build_adapters
from services.intake.config import IntakeConfig
from services.intake.gateway import Gateway
from services.intake.logic import IntakeStage
from services.intake.tenants import load_tenants
from tests.helpers import make_event
from tests.helpers.platforms import PLATFORMS, fresh_fixture, leaked

pytestmark = pytest.mark.kafka
TOPIC_OF = {adapter.platform: adapter.topic for adapter in build_adapters(300).values()}


def platform_message(platform, line):
    if platform == "twilio":
        return urlencode(json.loads(line)).encode(), b"application/x-www-form-urlencoded"
    return line.encode(), b"application/json"


def read(bootstrap, topics, done, timeout=120):
    consumer = KafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4().hex[:8]}",
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    seen = []
    try:
        deadline = time.monotonic() + timeout
        while not done(seen) and time.monotonic() < deadline:
            seen += list(consumer)
    finally:
        consumer.close()
    return seen


def test_platform_topics_flow_through_intake_in_order_and_redacted(bootstrap):
    fixtures = {platform: fresh_fixture(platform) for platform in PLATFORMS}
    bad_call = f"bad-{uuid.uuid4().hex[:8]}"

    async def run_intake(stop: asyncio.Event):
        config = IntakeConfig(split_hold_s=0.3, reorder_timeout_s=0.5, adopt_window_s=600)
        bus = KafkaTransport(f"test-intake-{uuid.uuid4().hex[:8]}", bootstrap)
        gateway = Gateway(IntakeStage(config, load_tenants(config.tenants_file)), StageIO("intake", bus))
        tasks = [asyncio.create_task(job()) for job in
                 kafka_adapter.attach_gateway(gateway.io, gateway, build_adapters(config.adopt_window_s))]
        await bus.start()
        await stop.wait()
        for task in tasks:
            task.cancel()
        await bus.stop()

    async def scenario():
        stop = asyncio.Event()
        intake = asyncio.create_task(run_intake(stop))
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        for platform, (lines, call_id) in fixtures.items():
            for line in lines:
                value, content_type = platform_message(platform, line)
                producer.send(TOPIC_OF[platform].name, key=call_id.encode(), value=value,
                              headers=[("seatcopilot-tenant", b"harbor"), ("content-type", content_type),
                                       ("seatcopilot-scenario", b"SERVICE")]).get(timeout=30)
        producer.send(TOPIC_OF["genesys_cloud"].name, key=bad_call.encode(),
                      value=b'{"topicName": "v2.conversations.x.transcription", "eventBody": ' +
                            b'{"conversationId": "' + bad_call.encode() + b'", "note": "call 415-555-0199"',
                      headers=[("seatcopilot-tenant", b"harbor")]).get(timeout=30)
        producer.send(TOPIC_OF["generic"].name, key=bad_call.encode(), value=b'{"call_id": "' + bad_call.encode() +
                      b'", "seq": 1, "type": "CALL_STARTED"}').get(timeout=30)
        producer.send(CALL_EVENTS.name, key=bad_call.encode(),
                      value=codec.encode(make_event(call_id=bad_call, seq=1, text=""))).get(timeout=30)
        producer.close()
        wanted = {call_id for _, call_id in fixtures.values()}

        def done(seen):
            ended = {r.key.decode() for r in seen if r.topic == TRANSCRIPT.name and
                     codec.decode(r.value, ev.CallEvent).type == ev.EVENT_TYPE_CALL_ENDED}
            letters = [r for r in seen if r.topic == DEAD_LETTER.name and r.key.decode() in (bad_call, "unknown")]
            return wanted <= ended and len(letters) >= 3

        seen = await asyncio.to_thread(read, bootstrap, [TRANSCRIPT.name, DEAD_LETTER.name], done)
        stop.set()
        await intake
        return seen, wanted

    seen, wanted = asyncio.run(scenario())
    transcript = [codec.decode(r.value, ev.CallEvent) for r in seen if r.topic == TRANSCRIPT.name
                  and r.key.decode() in wanted]
    for call_id in wanted:
        call = [e for e in transcript if e.call_id == call_id]
        assert call[0].type == ev.EVENT_TYPE_CALL_STARTED, call_id
        assert [e.seq for e in call] == sorted({e.seq for e in call}), call_id
    assert any(e.type == ev.EVENT_TYPE_PLATFORM_SUMMARY for e in transcript)
    letters = [codec.decode(r.value, deadletter_pb2.DeadLetter) for r in seen if r.topic == DEAD_LETTER.name]
    ours = {d.reason for d in letters if bad_call.encode() in d.payload or d.key == bad_call}
    assert {"decode_error", "unknown_tenant", "schema_violation"} <= ours
    assert leaked(b"".join(r.value for r in seen if r.topic == TRANSCRIPT.name and r.key.decode() in wanted)) == []
    assert leaked(b"".join(d.payload + d.detail.encode() for d in letters if d.key == bad_call)) == []
    assert {t.name for t in PLATFORM_TOPICS} == {TOPIC_OF[p].name for p in PLATFORMS}
