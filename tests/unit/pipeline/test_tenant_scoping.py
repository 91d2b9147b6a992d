"""Two tenants using the same call id never see or change each other's call: in intake, the classifier's
dialogue state, generation's call memory, the summarizer and the console."""

import asyncio

from seatcopilot.config import load
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.policy import load_policy

from services.classifier.dialogue import DialogueStates
from services.console.auth import Identity
from services.console.logic import ConsoleHub
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from tests.helpers import make_event
from tests.helpers.console import bearer, view
from tests.helpers.console import run as run_console
from tests.helpers.summarizer import run as run_summarizer
from tests.helpers.summarizer import summarizer

CALL = "call-shared-7"


def test_intake_orders_and_deduplicates_each_tenants_call_apart():
    intake = IntakeStage(IntakeConfig(reorder_buffer=4, reorder_timeout_s=1.0))
    ready = []
    for tenant in ("harbor", "other-bank"):
        outcome = intake.accept(make_event(call_id=CALL, seq=1, type_="CALL_STARTED", speaker="OPERATOR", text="",
                                           tenant=tenant))
        assert not outcome.duplicate  # the other tenant's seq 1 is not this call's seq 1
        ready += outcome.ready
    ready += intake.accept(make_event(call_id=CALL, seq=3, text="harbor's third", tenant="harbor")).ready
    other = intake.accept(make_event(call_id=CALL, seq=2, text="other-bank's second", tenant="other-bank"))
    ready += other.ready
    assert [(e.tenant, e.seq) for e in ready] == [("harbor", 1), ("other-bank", 1), ("other-bank", 2)]
    # harbor's call still waits for its own seq 2: the other tenant's did not fill its gap
    ready = intake.accept(make_event(call_id=CALL, seq=2, text="harbor's second", tenant="harbor")).ready
    assert [(e.tenant, e.seq, e.text) for e in ready] == [("harbor", 2, "harbor's second"),
                                                         ("harbor", 3, "harbor's third")]


def test_the_dialogue_state_is_kept_per_tenant_and_call():
    states = DialogueStates()
    states.observe(make_event(call_id=CALL, seq=1, text="I need $5,000 for a car.", tenant="harbor"))
    other = states.observe(make_event(call_id=CALL, seq=1, text="Can I borrow $9,000?", tenant="other-bank"))
    assert "5,000" not in str(other) and "5000" not in str(other)
    states.observe(make_event(call_id=CALL, seq=2, type_="CALL_ENDED", speaker="OPERATOR", text="",
                              tenant="other-bank"))
    harbor = states.get("harbor", CALL)  # the other tenant's call ending did not drop this one
    assert "9,000" not in str(harbor) and any(s.name == "amount" for s in harbor.slots)


def test_generation_keeps_one_call_memory_per_tenant_and_call():
    generator = Generator(None, load_policy(), load(GenerationConfig, {}))
    generator.observe(make_event(call_id=CALL, seq=1, text="My balance is wrong.", tenant="harbor"))
    generator.observe(make_event(call_id=CALL, seq=1, text="Close my account.", tenant="other-bank"))
    harbor = generator.context("harbor", CALL, "SALES")
    other = generator.context("other-bank", CALL, "SALES")
    assert harbor is not other
    assert list(harbor.history) == ["Customer: My balance is wrong."]
    assert list(other.history) == ["Customer: Close my account."]


def test_the_summarizer_keeps_one_state_per_tenant_and_call():
    summarizer_ = summarizer()

    def turn(tenant, seq, text):
        event = make_event(call_id=CALL, seq=seq, text=text, tenant=tenant, scenario="SERVICE")
        event.ts.FromSeconds(1_795_000_000 + seq)
        return event, ""

    run_summarizer(summarizer_, [turn("harbor", 1, "I can pay $120 on Friday."),
                                 turn("other-bank", 1, "Please close my account."),
                                 turn("other-bank", 2, "Thanks.")])
    harbor, other = summarizer_.state("harbor", CALL), summarizer_.state("other-bank", CALL)
    assert (harbor.tenant, harbor.customer_turns) == ("harbor", 1)
    assert (other.tenant, other.customer_turns) == ("other-bank", 2)
    assert "$120" not in str(other)
    handover = asyncio.run(summarizer_.handover("other-bank", CALL, ev.ROLE_SUPERVISOR))
    assert handover.call.tenant == "other-bank" and "$120" not in handover.text


def test_the_console_shows_and_changes_only_the_callers_tenants_call():
    harbor_operator = Identity("ava", "harbor", "operator", "team-a", "op-a")
    other_operator = Identity("oli", "other-bank", "operator", "team-a", "op-a")  # the same operator id, too

    async def scenario(client, hub: ConsoleHub, audit, published):
        hub.add(view(call_id=CALL, text="harbor's suggestion"))
        hub.add({**view(call_id=CALL, seq=1, text="other-bank's suggestion"), "tenant": "other-bank"})
        mine = await (await client.get(f"/api/calls/{CALL}", headers=bearer(harbor_operator))).json()
        theirs = await (await client.get(f"/api/calls/{CALL}", headers=bearer(other_operator))).json()
        feedback = await client.post(f"/api/calls/{CALL}/feedback", headers=bearer(other_operator),
                                     json={"seq": 1, "action": "accepted"})
        harbor_history = [v for _, v in hub.call_history("harbor", CALL)]
        return mine, theirs, feedback.status, published, harbor_history

    mine, theirs, status, published, harbor_history = run_console(scenario)
    assert [e["text"] for e in mine["events"]] == ["harbor's suggestion"]
    assert [e["text"] for e in theirs["events"]] == ["other-bank's suggestion"]
    assert mine["call"]["tenant"] == "harbor" and theirs["call"]["tenant"] == "other-bank"
    assert status == 201 and published[0][1]["tenant"] == "other-bank"
    assert all(v["kind"] != "feedback" for v in harbor_history)  # the other tenant's action left harbor's call alone


def test_compliance_keeps_one_state_per_tenant_and_call():
    from seatcopilot.policy import load_policies

    from services.compliance.logic import ComplianceEngine

    engine = ComplianceEngine(load_policies())
    for seq in (1, 2, 3):
        engine.check_event(make_event(call_id=CALL, seq=seq, speaker="OPERATOR", text="Hello there.",
                                      tenant="harbor"))
    engine.check_event(make_event(call_id=CALL, seq=1, speaker="OPERATOR", text="Hello.", tenant="lakeshore"))
    harbor, other = engine.call_state(CALL, "harbor"), engine.call_state(CALL, "lakeshore")
    assert (harbor.call.tenant, harbor.operator_turns) == ("harbor", 3)
    assert (other.call.tenant, other.operator_turns) == ("lakeshore", 1)
