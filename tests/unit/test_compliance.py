import time

import pytest
from seatcopilot.compliance.v1 import compliance_pb2 as cp
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policy

from services.compliance.logic import PII_RULE, ComplianceEngine
from tests.conftest import make_event


@pytest.fixture
def engine():
    return ComplianceEngine(load_policy())


def draft(text, call_id="call-c1", scenario=1, ttl=30.0):
    item = gen.SuggestionDraft(call_id=call_id, seq=5, scenario=scenario, text=text)
    item.deadline.FromNanoseconds(int((time.time() + ttl) * 1e9))
    return item


def operator(engine, call_id, seq, text, scenario="SALES"):
    return engine.check_event(make_event(call_id=call_id, seq=seq, speaker="OPERATOR", text=text, scenario=scenario))


def test_a_compliant_draft_passes(engine):
    operator(engine, "call-c1", 1, "Thanks for calling Harbor Lending, this call may be recorded.")
    steered = engine.steer(draft("Our personal loan APRs range from 8.99% to 29.99% based on a credit review."))
    assert steered.compliance.verdict == cp.VERDICT_PASS
    assert steered.text.startswith("Our personal loan")


def test_a_misleading_claim_is_rewritten_out(engine):
    operator(engine, "call-c1", 1, "Thanks for calling, this call may be recorded.")
    steered = engine.steer(draft("You qualify easily. It's basically guaranteed approval. Rates start at 8.99%."))
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert "UDAAP-GUARANTEED-APPROVAL" in steered.compliance.rule_ids
    assert "guaranteed" not in steered.text.lower()
    assert "8.99%" in steered.text
    assert "guaranteed" in steered.compliance.original_text


def test_a_threat_is_blocked(engine):
    steered = engine.steer(draft("Pay today or you could be arrested.", scenario=3))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED
    assert steered.text == ""
    assert any(rule.startswith("FDCPA") for rule in steered.compliance.rule_ids)


def test_pii_in_a_draft_is_masked(engine):
    operator(engine, "call-c1", 1, "this call may be recorded")
    steered = engine.steer(draft("I will send the link to jordan.miles@example.com right away."))
    assert PII_RULE in steered.compliance.rule_ids
    assert "example.com" not in steered.text and "[EMAIL]" in steered.text
    card = engine.steer(draft("I have your card 4111 1111 1111 1111 on file."))
    assert card.compliance.verdict in (cp.VERDICT_BLOCKED, cp.VERDICT_REWRITTEN)
    assert "4111" not in card.text


def test_an_owed_disclosure_is_added_to_the_draft(engine):
    operator(engine, "call-c2", 1, "Hi, this is Dan with Harbor Lending, this call may be recorded.", "COLLECTIONS")
    steered = engine.steer(draft("Can we set up a payment plan today?", call_id="call-c2", scenario=3))
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert "FDCPA-MINI-MIRANDA" in steered.compliance.rule_ids
    assert steered.text.startswith("This is an attempt to collect a debt")


def test_an_expired_draft_is_never_shown(engine):
    steered = engine.steer(draft("Our rates start at 8.99%.", ttl=-1))
    assert steered.compliance.verdict == cp.VERDICT_EXPIRED
    assert steered.text == ""


def test_a_draft_for_an_ended_call_is_expired(engine):
    engine.check_event(make_event(call_id="call-c3", seq=9, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    assert engine.steer(draft("Anything else?", call_id="call-c3")).compliance.verdict == cp.VERDICT_EXPIRED


def test_operator_slip_raises_an_alert_with_the_fix(engine):
    alerts = operator(engine, "call-c4", 1, "This call may be recorded. Honestly it's basically guaranteed approval.")
    assert [a.rule_ids[0] for a in alerts] == ["UDAAP-GUARANTEED-APPROVAL"]
    assert alerts[0].fix
    assert cp.AUDIENCE_MANAGER in alerts[0].audiences


def test_mini_miranda_overdue_after_two_operator_turns(engine):
    assert operator(engine, "call-c5", 1, "Hi, this call may be recorded. Is this Casey?", "COLLECTIONS") == []
    alerts = operator(engine, "call-c5", 2, "Thanks. I'm calling about your account.", "COLLECTIONS")
    assert [a.rule_ids[0] for a in alerts] == ["FDCPA-MINI-MIRANDA"]
    assert operator(engine, "call-c5", 3, "Let's talk about the balance.", "COLLECTIONS") == []  # alerted once


def test_given_in_time_means_no_overdue_alert(engine):
    operator(engine, "call-c6", 1, "This call may be recorded. This is an attempt to collect a debt and any "
             "information obtained will be used for that purpose.", "COLLECTIONS")
    assert operator(engine, "call-c6", 2, "How are you today?", "COLLECTIONS") == []


def test_transfer_switches_to_the_receiving_roles_rules(engine):
    operator(engine, "call-c7", 1, "Thanks for calling, this call may be recorded.", "SERVICE")
    engine.check_event(make_event(call_id="call-c7", seq=2, type_="TRANSFER", speaker="OPERATOR", text="",
                                  scenario="SERVICE", transfer_to_role="COLLECTIONS"))
    alerts = operator(engine, "call-c7", 3, "You could be arrested if you don't pay.", "SERVICE")
    assert "FDCPA-THREAT-ARREST" in {a.rule_ids[0] for a in alerts}
