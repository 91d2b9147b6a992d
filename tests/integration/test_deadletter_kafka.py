"""`seatcopilot deadletter redrive` on a real broker (make test starts it)."""

import asyncio
import io

import pytest
from seatcopilot import codec
from seatcopilot.deadletter.v1 import deadletter_pb2
from seatcopilot.topics import DEAD_LETTER, PLATFORM_TWILIO

from seatcopilot_cli import deadletter

pytestmark = pytest.mark.kafka


def test_redrive_on_kafka_round_trips_a_letter(bootstrap):
    """On a real broker: a letter published to the dead-letter topic is listed and re-driven."""
    from seatcopilot.transport import create

    async def scenario():
        producer = create("kafka", "deadletter-test-producer", bootstrap)
        await producer.start()
        letter = deadletter_pb2.DeadLetter(stage="intake", source_topic=PLATFORM_TWILIO.name, reason="kafka_test",
                                           payload=b"CallSid=CAkafka", key="CAkafka")
        await producer.publish(DEAD_LETTER.name, "CAkafka", codec.encode(letter))
        await producer.stop()
        out = io.StringIO()
        await deadletter.run_redrive(create("kafka", "deadletter-test", bootstrap),
                                     deadletter.Selection(reason="kafka_test", key="CAkafka"), 600, 3.0, "harbor",
                                     dry_run=True, out=out)
        return out.getvalue()

    assert "would re-drive 1 of 1" in asyncio.run(scenario())
