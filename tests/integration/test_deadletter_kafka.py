"""`seatcopilot deadletter redrive` on a real broker (make test starts it)."""

import asyncio
import io
import uuid

import pytest
from seatcopilot import codec
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.topics import DEAD_LETTER, PLATFORM_TWILIO

from seatcopilot_cli import deadletter

pytestmark = pytest.mark.kafka


def test_redrive_on_kafka_round_trips_a_letter(bootstrap):
    """On a real broker: a letter published to the dead-letter topic is listed and re-driven."""
    from seatcopilot.transport import create

    key = f"CAkafka-{uuid.uuid4().hex[:8]}"  # this run's letter alone, on a broker that may hold earlier ones

    async def scenario():
        producer = create("kafka", "deadletter-test-producer", bootstrap)
        await producer.start()
        letter = deadletter_pb2.DeadLetter(stage="intake", source_topic=PLATFORM_TWILIO.name, reason="kafka_test",
                                           payload=f"CallSid={key}".encode(), key=key)
        await producer.publish(DEAD_LETTER.name, key, codec.encode(letter))
        await producer.stop()
        out = io.StringIO()
        await deadletter.run_redrive(create("kafka", "deadletter-test", bootstrap),
                                     deadletter.Selection(reason="kafka_test", key=key), 600, 3.0, "harbor",
                                     dry_run=True, out=out)
        return out.getvalue()

    assert "would re-drive 1 of 1" in asyncio.run(scenario())
