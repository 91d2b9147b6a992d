"""Fail closed on a real Kafka 4 broker: the console consumes the suggestions topic while compliance
is down; drafts wait on the drafts topic. When compliance comes back after their deadline it judges
them EXPIRED (audited) and the console shows nothing stale; a fresh draft then goes through."""

import asyncio
import time
import uuid

import pytest
from seatcopilot.audit_log import AuditLog, load_or_create_key, records_for_call, verify
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DRAFTS
from seatcopilot.transport.kafka import KafkaTransport

from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.logic import ComplianceEngine
from services.console import kafka_adapter as console_adapter
from services.console.logic import ConsoleHub
from tests.helpers.kafka import wait_for

pytestmark = pytest.mark.kafka


def draft(call_id, seq, ttl):
    item = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, tenant="harbor", scenario=1),
                               text="Our APRs range from 8.99% to 29.99% based on a credit review.")
    item.deadline.FromNanoseconds(int((time.time() + ttl) * 1e9))
    return item


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
            await wait_for(lambda: any(v["call_id"] == call for _, v in hub.since(0)), timeout=90)
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

    from tests.helpers import load_call

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
            await wait_for(lambda: key in hub.calls and "FDCPA-MINI-MIRANDA" in hub.calls[key].owed, timeout=90)
            for event in events[2:]:
                await intake.publish(TRANSCRIPT.name, call, codec.encode(event))
            await wait_for(lambda: "FDCPA-MINI-MIRANDA" not in hub.calls[("harbor", call)].owed,  # given at seq 8
                           timeout=90)
        finally:
            await intake.stop()
            await compliance.stop()
            await console.stop()
        return [v for _, v in hub.call_history("harbor", call) if v["kind"] == "compliance_state"]

    states = asyncio.run(scenario())
    given = {o["id"]: o["status"] for o in states[-1]["obligations"]}
    assert given["FDCPA-MINI-MIRANDA"] == "GIVEN" and states[-1]["operator_id"] == "op-dan"


@pytest.mark.parametrize("hand_over", ["restart", "second instance"])
def test_a_third_party_on_the_line_still_blocks_the_debt_after_compliance_restarts_mid_call(bootstrap, hand_over):
    """The call's compliance state lives in a changelog-backed table: a third party joins, then compliance is
    stopped mid-call and a new process of the same group takes the call's partition ("restart"), or a second
    instance joins the group while the first still runs, the partitions are shared, and then the first stops
    ("second instance"); either way the instance that judges the draft restores the state from the changelog,
    so the draft that mentions the debt is still BLOCKED (and the notice given before is not owed again)."""
    from kafka import KafkaConsumer
    from seatcopilot import codec
    from seatcopilot.calls import call_key
    from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
    from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
    from seatcopilot.topics import SUGGESTIONS, TRANSCRIPT

    from services.compliance.main import STATE_TABLE
    from tests.helpers import make_event

    call = f"call-durable-{uuid.uuid4().hex[:8]}"
    group = f"test-compliance-{uuid.uuid4().hex[:8]}"
    lines = [("OPERATOR", "Hi, this call may be recorded. May I speak with Casey?"),
             ("CUSTOMER", "This is his wife, he's at work.")]

    def instance():
        bus = KafkaTransport(group, bootstrap)
        engine = ComplianceEngine(load_policies(), table=bus.table(STATE_TABLE))
        compliance_adapter.attach(StageIO("compliance", bus), engine)
        return bus, engine

    def signals(engine):
        try:
            return list(engine.call_state(call, "harbor").active_signals)
        except LookupError:
            return []

    async def scenario():
        intake = KafkaTransport(f"test-intake-{uuid.uuid4().hex[:8]}", bootstrap)
        generation = KafkaTransport(f"test-generation-{uuid.uuid4().hex[:8]}", bootstrap)
        await intake.start()
        await generation.start()
        first_bus, first = instance()
        await first_bus.start()
        try:
            for seq, (speaker, text) in enumerate(lines, start=1):
                event = make_event(call_id=call, seq=seq, speaker=speaker, text=text, scenario="COLLECTIONS")
                await StageIO("intake", intake).publish(TRANSCRIPT, call, event)
            await wait_for(lambda: signals(first) == ["THIRD-PARTY-ON-LINE"], timeout=90)
            second_bus, second = instance()  # a new process: nothing in memory
            assert signals(second) == []
            if hand_over == "second instance":
                await second_bus.start()  # joins the group: a rebalance shares the partitions
                await asyncio.sleep(8.0)
        finally:
            await first_bus.stop()  # compliance goes down in the middle of the call (the second takes over)

        if hand_over == "restart":
            await second_bus.start()
        try:
            await wait_for(lambda: second.calls.table.get(call_key("harbor", call)) is not None,  # restored
                           timeout=90)
            restored = second.call_state(call, "harbor")
            item = gen.SuggestionDraft(call=ev.CallRef(call_id=call, seq=3, tenant="harbor",
                                                       scenario=ev.SCENARIO_COLLECTIONS),
                                       text="He is past due on his loan.")
            item.deadline.FromNanoseconds(int((time.time() + 120) * 1e9))
            await StageIO("generation", generation).publish(DRAFTS, call, item)
            consumer = KafkaConsumer(SUGGESTIONS.name, bootstrap_servers=bootstrap, group_id=None,
                                     auto_offset_reset="earliest", consumer_timeout_ms=1000)
            steered = []

            def judged() -> bool:
                steered.extend(codec.decode(r.value, cp.SteeredSuggestion) for r in consumer
                               if r.key == call.encode())
                return bool(steered)

            await wait_for(judged, timeout=90)
            consumer.close()
        finally:
            await second_bus.stop()
            await generation.stop()
            await intake.stop()
        return restored, steered

    restored, steered = asyncio.run(scenario())
    assert list(restored.active_signals) == ["THIRD-PARTY-ON-LINE"]
    statuses = {o.id: o.status for o in restored.obligations}
    assert statuses["FDCPA-MINI-MIRANDA"] == cp.OBLIGATION_STATUS_SUSPENDED
    assert statuses["RECORDING-NOTICE"] == cp.OBLIGATION_STATUS_GIVEN
    assert [s.compliance.verdict for s in steered] == [cp.VERDICT_BLOCKED]


def test_a_draft_in_parts_reaches_the_console_part_then_whole_over_kafka(bootstrap):
    """Sentence by sentence on a real broker: generation publishes a draft's first sentence as a part and then the
    whole draft under one seq; compliance judges both (neither taken for a redelivery of the other), signs them,
    and the console receives them in order."""
    import dataclasses

    from seatcopilot.config import load
    from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
    from seatcopilot.policy import load_policy
    from seatcopilot.topics import GROUNDED

    from services.generation import kafka_adapter as generation_adapter
    from services.generation.config import GenerationConfig
    from services.generation.logic import Generator
    from tests.helpers import classified_event, grounded_event, make_event
    from tests.helpers.generation import FACT

    class TwoSentences:
        """Stands in for the model (the subject here is the bus, not the model)."""

        name = "local"

        async def stream(self, request):
            yield "You can move your due date once every 12 months [1]."
            yield " It can move by up to 10 days."

    call = f"call-parts-{uuid.uuid4().hex[:8]}"
    grounded = grounded_event(classified_event(
        make_event(call_id=call, seq=1, text="Can I move my due date?", scenario="SERVICE"),
        classification=cl.Classification(intent="due_date_change")), items=[FACT])
    config = dataclasses.replace(load(GenerationConfig, {}), script_first=False)

    async def scenario():
        hub = ConsoleHub()
        buses = {name: KafkaTransport(f"test-{name}-{uuid.uuid4().hex[:8]}", bootstrap)
                 for name in ("console", "compliance", "generation", "retrieval")}
        console_adapter.attach(StageIO("console", buses["console"]), hub)
        compliance_adapter.attach(StageIO("compliance", buses["compliance"]), ComplianceEngine(load_policies()))
        generation_adapter.attach(StageIO("generation", buses["generation"]),
                                  Generator(TwoSentences(), load_policy(), config))
        for bus in buses.values():
            await bus.start()
        try:
            await StageIO("retrieval", buses["retrieval"]).publish(GROUNDED, call, grounded)
            await wait_for(lambda: sum(v["kind"] == "suggestion" and v["call_id"] == call
                                       for _, v in hub.since(0)) >= 2, timeout=90)
        finally:
            for bus in buses.values():
                await bus.stop()
        return [v for _, v in hub.since(0) if v["kind"] == "suggestion" and v["call_id"] == call]

    shown = asyncio.run(scenario())
    assert [(v["seq"], v["part"], v["partial"]) for v in shown] == [(1, 1, True), (1, 2, False)]
    assert shown[0]["text"].endswith("You can move your due date once every 12 months.")  # the notice owed first
    assert shown[1]["text"] == shown[0]["text"] + " It can move by up to 10 days."
