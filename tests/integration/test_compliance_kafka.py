"""Fail closed on a real Kafka 4 broker: the console consumes the suggestions topic while compliance
is down; drafts wait on the drafts topic. When compliance comes back after their deadline it judges
them EXPIRED (audited) and the console shows nothing stale; a fresh draft then goes through."""

import asyncio
import time
import uuid

import pytest
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DRAFTS
from seatcopilot.transport.kafka import KafkaTransport

from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.audit import AuditLog, load_or_create_key, records_for_call, verify
from services.compliance.logic import ComplianceEngine
from services.console import kafka_adapter as console_adapter
from services.console.logic import ConsoleHub

pytestmark = pytest.mark.kafka


def draft(call_id, seq, ttl):
    item = gen.SuggestionDraft(call_id=call_id, seq=seq, tenant="harbor", scenario=1,
                               text="Our APRs range from 8.99% to 29.99% based on a credit review.")
    item.deadline.FromNanoseconds(int((time.time() + ttl) * 1e9))
    return item


async def wait_for(predicate, timeout=90.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for Kafka")
        await asyncio.sleep(0.2)


def test_compliance_down_then_back_never_shows_a_stale_suggestion(bootstrap, tmp_path):
    call = f"call-fc-{uuid.uuid4().hex[:8]}"
    key = load_or_create_key(tmp_path / "audit.key")

    async def scenario():
        hub = ConsoleHub()
        console = KafkaTransport(f"test-console-{uuid.uuid4().hex[:8]}", bootstrap)
        console_adapter.attach(StageIO("console", console), hub)
        generation = KafkaTransport(f"test-generation-{uuid.uuid4().hex[:8]}", bootstrap)
        compliance = KafkaTransport(f"test-compliance-{uuid.uuid4().hex[:8]}", bootstrap)
        engine = ComplianceEngine(load_policies(), audit=AuditLog(tmp_path, key, "kafka-test"))
        compliance_adapter.attach(StageIO("compliance", compliance), engine)
        await console.start()
        await generation.start()
        try:
            for seq in (1, 2):
                await StageIO("generation", generation).publish(DRAFTS, call, draft(call, seq, ttl=2.0))
            await asyncio.sleep(3.0)  # compliance is down past both drafts' deadline
            shown_while_down = [v for _, v in hub.since(0) if v["call_id"] == call]
            await compliance.start()  # back: it reads the drafts it missed
            await StageIO("generation", generation).publish(DRAFTS, call, draft(call, 3, ttl=120.0))
            await wait_for(lambda: any(v["call_id"] == call for _, v in hub.since(0)))
        finally:
            await compliance.stop()
            await generation.stop()
            await console.stop()
            engine.close()
        return shown_while_down, [v for _, v in hub.since(0) if v["call_id"] == call]

    shown_while_down, shown = asyncio.run(scenario())
    assert shown_while_down == []
    assert [(v["seq"], v["compliance"]["verdict"]) for v in shown] == [(3, "REWRITTEN")]
    decisions = [(r["seq"], r["decision"]) for r in records_for_call(tmp_path, call)]
    assert decisions == [(1, "EXPIRED"), (2, "EXPIRED"), (3, "REWRITTEN")]
    assert all(not report.problem for report in verify(tmp_path, key))


def test_the_console_shows_what_is_owed_from_compliances_state_on_kafka(bootstrap):
    """Compliance publishes each change of a call's state on its topic; the console's owed list follows it."""
    from seatcopilot import codec
    from seatcopilot.topics import TRANSCRIPT

    from tests.conftest import load_call

    call = f"call-owed-{uuid.uuid4().hex[:8]}"
    events = load_call("collections_call.jsonl")[:8]
    for event in events:
        event.call_id = call

    async def scenario():
        hub = ConsoleHub()
        console = KafkaTransport(f"test-console-{uuid.uuid4().hex[:8]}", bootstrap)
        console_adapter.attach(StageIO("console", console), hub)
        compliance = KafkaTransport(f"test-compliance-{uuid.uuid4().hex[:8]}", bootstrap)
        compliance_adapter.attach(StageIO("compliance", compliance), ComplianceEngine(load_policies()))
        intake = KafkaTransport(f"test-intake-{uuid.uuid4().hex[:8]}", bootstrap)
        await console.start()
        await compliance.start()
        await intake.start()
        try:
            for event in events[:2]:
                await intake.publish(TRANSCRIPT.name, call, codec.encode(event))
            key = ("harbor", call)
            await wait_for(lambda: key in hub.calls and "FDCPA-MINI-MIRANDA" in hub.calls[key].owed)
            for event in events[2:]:
                await intake.publish(TRANSCRIPT.name, call, codec.encode(event))
            await wait_for(lambda: "FDCPA-MINI-MIRANDA" not in hub.calls[("harbor", call)].owed)  # given at seq 8
        finally:
            await intake.stop()
            await compliance.stop()
            await console.stop()
        return [v for _, v in hub.call_history("harbor", call) if v["kind"] == "compliance_state"]

    states = asyncio.run(scenario())
    given = {o["id"]: o["status"] for o in states[-1]["obligations"]}
    assert given["FDCPA-MINI-MIRANDA"] == "GIVEN" and states[-1]["operator_id"] == "op-dan"
