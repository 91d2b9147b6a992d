"""The summarizer on a real Kafka 4 broker started by `make test`: its call state lives in a Faust table
whose changelog topic restores it, so a summarizer restarted in the middle of a call loses nothing; and
every instance reads all wrap-ups back into its manager ledger."""

import asyncio
import uuid

import pytest
from kafka import KafkaConsumer
from seatcopilot import codec
from seatcopilot.calls import call_key
from seatcopilot.config import load
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import ALERTS, CLASSIFIED, COMPLIANCE_STATE, SUMMARIES
from seatcopilot.transport.kafka import KafkaTransport

from services.summarizer import kafka_adapter
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from tests.helpers import classified_event, make_event
from tests.helpers.kafka import wait_for

pytestmark = pytest.mark.kafka
CALL_ID = f"call-restart-{uuid.uuid4().hex[:6]}"
CALL_KEY = call_key("harbor", CALL_ID)  # the ledger keeps calls by tenant and call id
BEFORE_RESTART = [
    ("CALL_STARTED", "OPERATOR", "", ""),
    ("UTTERANCE", "OPERATOR", "Thanks for calling Harbor Lending, this call may be recorded. What can I do?", ""),
    ("UTTERANCE", "CUSTOMER", "I lost my job and I can't make this month's payment.", "hardship"),
    ("UTTERANCE", "OPERATOR", "I'm sorry to hear that. What could you manage right now?", ""),
    ("UTTERANCE", "CUSTOMER", "I can pay $175 on December 12th.", "promise_to_pay"),
]
AFTER_RESTART = [("TRANSFER", "OPERATOR", "", ""), ("CALL_ENDED", "OPERATOR", "", "")]


def classified(lines, first_seq):
    out = []
    for seq, (type_, speaker, text, intent) in enumerate(lines, start=first_seq):
        extra = {"transfer_to_role": "COLLECTIONS"} if type_ == "TRANSFER" else {}
        event = make_event(call_id=CALL_ID, seq=seq, type_=type_, speaker=speaker, text=text, scenario="SERVICE",
                           team_id=f"team-{CALL_ID}", **extra)
        event.ts.GetCurrentTime()
        out.append(classified_event(event, classification=cl.Classification(intent=intent)))
    return out


class Instance:
    """One summarizer process's worth: its own transport (Faust app), table and stage objects."""

    def __init__(self, bootstrap, group):
        self.bus = KafkaTransport(group, bootstrap)
        config = load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none"})
        self.summarizer = summarizer_main.build(config, self.bus.table(summarizer_main.STATE_TABLE))
        kafka_adapter.attach(StageIO("summarizer", self.bus), self.summarizer)

    async def publish(self, messages):
        for message in messages:
            topic = {cp.Alert: ALERTS, cp.CallComplianceState: COMPLIANCE_STATE}.get(type(message), CLASSIFIED)
            await self.bus.publish(topic.name, CALL_ID, codec.encode(message))


def state_of(instance):
    try:
        return instance.summarizer.state("harbor", CALL_ID)
    except LookupError:
        return None


def summaries_of_the_call(bootstrap):
    consumer = KafkaConsumer(SUMMARIES.name, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", consumer_timeout_ms=3000)
    found = [codec.decode(r.value, sm.Summary) for r in consumer if r.key == CALL_ID.encode()]
    consumer.close()
    return found


@pytest.fixture(scope="module")
def restarted(bootstrap):
    group = f"summarizer-test-{uuid.uuid4().hex[:8]}"
    alert = cp.Alert(call=ev.CallRef(call_id=CALL_ID, tenant="harbor", seq=4, operator_id="op-test",
                                     team_id=f"team-{CALL_ID}"),
                     rule_ids=["UDAAP-OUTCOME-PROMISE"], severity=cp.SEVERITY_HIGH)
    # Which disclosures were given is compliance's to say: its published state of the call.
    given = cp.CallComplianceState(call=ev.CallRef(call_id=CALL_ID, tenant="harbor", scenario=ev.SCENARIO_SERVICE),
                                   operator_turns=1, obligations=[cp.ObligationState(id="RECORDING-NOTICE",
                                                                   status=cp.OBLIGATION_STATUS_GIVEN, given_seq=2)])

    async def scenario():
        first = Instance(bootstrap, group)
        await first.bus.start()
        try:
            await first.publish([*classified(BEFORE_RESTART, 1), alert, given])
            await wait_for(lambda: (s := state_of(first)) is not None and s.last_seq == 5 and s.compliance_events
                           and "RECORDING-NOTICE" in s.disclosures_given)
        finally:
            await first.bus.stop()  # the summarizer goes down in the middle of the call

        second = Instance(bootstrap, group)  # a new process: nothing in memory
        assert state_of(second) is None
        await second.bus.start()
        try:
            await wait_for(lambda: state_of(second) is not None)  # restored from the changelog
            recovered = sm.CallState()
            recovered.CopyFrom(state_of(second))
            await second.publish(classified(AFTER_RESTART, 6))
            await wait_for(lambda: CALL_KEY in second.summarizer.ledger.records)
        finally:
            await second.bus.stop()

        third = Instance(bootstrap, f"summarizer-test-{uuid.uuid4().hex[:8]}")  # another instance, another group
        await third.bus.start()
        try:
            await wait_for(lambda: CALL_KEY in third.summarizer.ledger.records)
            report = third.summarizer.manager_summary(0, 4e9, team_id=f"team-{CALL_ID}")
        finally:
            await third.bus.stop()
        return recovered, report

    recovered, report = asyncio.run(scenario())
    return recovered, report, summaries_of_the_call(bootstrap)


def test_a_restart_mid_call_loses_no_state(restarted):
    recovered, _, _ = restarted
    assert recovered.last_seq == 5 and recovered.customer_turns == 2
    assert [(p.amount, p.date) for p in recovered.promises] == [("$175", "December 12th")]
    assert "RECORDING-NOTICE" in recovered.disclosures_given
    assert [list(e.rule_ids) for e in recovered.compliance_events] == [["UDAAP-OUTCOME-PROMISE"]]
    assert [t.seq for t in recovered.turns] == [2, 3, 4, 5]


def test_the_handover_after_the_restart_carries_what_was_said_before_it(restarted):
    _, _, summaries = restarted
    handover = next(s for s in summaries if s.kind == sm.SUMMARY_KIND_HANDOVER)
    assert handover.target_role == ev.ROLE_COLLECTIONS and handover.call.seq == 6
    assert [(p.amount, p.date) for p in handover.promises] == [("$175", "December 12th")]
    assert "RECORDING-NOTICE" in handover.disclosures_given and "FDCPA-MINI-MIRANDA" in handover.disclosures_owed
    assert handover.compliance_rule_ids == ["UDAAP-OUTCOME-PROMISE"]
    assert handover.text.splitlines()[2].startswith("Promises to pay: $175 on December 12th")
    wrapup = next(s for s in summaries if s.kind == sm.SUMMARY_KIND_WRAPUP)
    assert wrapup.disposition == "PROMISE_TO_PAY"


def test_every_instance_reads_the_wrapups_back_into_its_manager_ledger(restarted):
    _, report, _ = restarted
    (team,) = report.teams
    assert team.calls == 1 and team.collections_calls == 1 and team.promises_to_pay == 1
    assert dict(team.rule_counts) == {"UDAAP-OUTCOME-PROMISE": 1}
