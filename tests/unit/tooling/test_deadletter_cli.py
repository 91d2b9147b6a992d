"""`seatcopilot deadletter list` / `redrive` against the transport abstraction (in-process here; the
Kafka variant is marked `kafka`): a platform message intake refused comes back once the cause is fixed."""

import asyncio
import io
import json

from seatcopilot import codec
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DEAD_LETTER, PLATFORM_TWILIO, TRANSCRIPT
from seatcopilot.transport import InProcessTransport, Message

from seatcopilot_cli import deadletter
from seatcopilot_cli.intake import FIXTURES
from services.intake import kafka_adapter as intake_adapter
from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from services.intake.tenants import load_tenants
from tests.helpers import ROOT


def twilio_start():
    from urllib.parse import urlencode

    first = next((FIXTURES / "twilio").glob("*.jsonl")).read_text().splitlines()[0]
    params = json.loads(first)
    return params["CallSid"], urlencode(params).encode()


def intake_bus():
    bus = InProcessTransport()
    stage = IntakeStage(IntakeConfig(), load_tenants(ROOT / "data" / "intake" / "tenants.yaml", {}))
    intake_adapter.attach(StageIO("intake", bus), stage)
    return bus


async def publish_soon(bus, messages, delay=0.05):
    await asyncio.sleep(delay)  # the command has started the transport and follows the topic by now
    for topic, key, value, headers in messages:
        await bus.publish(topic, key, value, headers)


def test_list_shows_letters_without_their_payloads_and_filters_by_reason():
    call, body = twilio_start()
    bus = intake_bus()
    out = io.StringIO()

    async def scenario():
        refused = [(PLATFORM_TWILIO.name, call, body, {}),  # no tenant header, no default tenant: unknown_tenant
                   (PLATFORM_TWILIO.name, call, b"CallSid=CA1&%zz", {"seatcopilot-tenant": b"harbor"})]  # decode_error
        await asyncio.gather(publish_soon(bus, refused),
                             deadletter.run_list(bus, deadletter.Selection(reason="unknown_tenant"), 3600, 0.3,
                                                 as_json=True, out=out))

    asyncio.run(scenario())
    [row] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert row["stage"] == "intake" and row["reason"] == "unknown_tenant" and row["key"] == call
    assert row["source_topic"] == PLATFORM_TWILIO.name and row["redrivable"] is True
    assert row["payload_bytes"] > 0 and "payload" not in row


def test_redrive_sends_a_refused_platform_message_back_and_intake_takes_it():
    call, body = twilio_start()
    bus = intake_bus()
    transcript = bus.tap(TRANSCRIPT.name)
    out = io.StringIO()

    async def scenario():
        await asyncio.gather(publish_soon(bus, [(PLATFORM_TWILIO.name, call, body, {})]),
                             deadletter.run_redrive(bus, deadletter.Selection(reason="unknown_tenant"), 3600, 0.3,
                                                    tenant="harbor", dry_run=False, out=out))

    asyncio.run(scenario())
    assert "re-drove 1 of 1 dead letters" in out.getvalue()
    events = [transcript.get_nowait() for _ in range(transcript.qsize())]
    assert [m.key for m in events] == [call]  # the call's start, published once the tenant was given


def test_letters_from_outside_the_pipeline_are_not_redriven_and_dry_runs_send_nothing():
    bus = InProcessTransport()
    sent = bus.tap(PLATFORM_TWILIO.name)
    webhook = deadletter_pb2.DeadLetter(stage="intake", source_topic="/v1/webhooks/harbor/twilio", reason="x",
                                        payload=b"a", key="CA1")
    topic = deadletter_pb2.DeadLetter(stage="intake", source_topic=PLATFORM_TWILIO.name, reason="x", payload=b"b",
                                      key="CA2")
    letters = deadletter.decode_letters([Message(DEAD_LETTER.name, "k", codec.encode(webhook)),
                                         Message(DEAD_LETTER.name, "k", b"\xff not a letter"),
                                         Message(DEAD_LETTER.name, "k", codec.encode(topic))],
                                        deadletter.Selection())
    assert [letter.key for letter in letters] == ["CA1", "CA2"]
    assert asyncio.run(deadletter.redrive(bus, letters, dry_run=True)) == (1, 1) and sent.empty()
    assert asyncio.run(deadletter.redrive(bus, letters, tenant="harbor")) == (1, 1)
    message = sent.get_nowait()
    assert (message.key, message.value, message.headers["seatcopilot-tenant"]) == ("CA2", b"b", b"harbor")
    assert deadletter.decode_letters([Message(DEAD_LETTER.name, "k", codec.encode(topic))] * 3,
                                     deadletter.Selection(key="CA2", limit=2)) == [topic, topic]
