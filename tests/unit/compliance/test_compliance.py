"""The compliance engine on the bundled packs: draft verdicts (pass, rewrite, block, expire), alerts
on operator speech, obligations as call state, signals, calling hours, tenants. Phrases and patterns
only here (fast); test_compliance_semantic.py covers the embedding matcher."""

import time

import numpy as np
import pytest
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies, load_policy
from seatcopilot.stage_io import Rejected

from services.compliance.logic import PII_RULE, POLICY_MISSING, ComplianceEngine
from tests.helpers import make_event
from tests.helpers.compliance import draft, ids, say


@pytest.fixture
def engine():
    return ComplianceEngine(load_policies())


def statuses(engine, call_id):
    state = engine.call_state(call_id)
    return {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_") for o in state.obligations}


# ---- drafts ---------------------------------------------------------------------------------------

def test_a_compliant_draft_passes(engine):
    say(engine, "call-c1", 1, "Thanks for calling Harbor Lending, this call may be recorded.")
    steered = engine.steer(draft("Our personal loan APRs range from 8.99% to 29.99% based on a credit review."))
    assert steered.compliance.verdict == cp.VERDICT_PASS
    assert steered.text.startswith("Our personal loan")
    assert steered.compliance.policy_version == "harbor-default@2"
    assert not steered.compliance.original_text


def test_a_misleading_claim_is_rewritten_with_the_rules_template(engine):
    say(engine, "call-c1", 1, "Thanks for calling, this call may be recorded.")
    steered = engine.steer(draft("You qualify easily. It's basically guaranteed approval. Rates start at 8.99%."))
    verdict = steered.compliance
    assert verdict.verdict == cp.VERDICT_REWRITTEN
    assert list(verdict.rule_ids) == ["UDAAP-GUARANTEED-APPROVAL"]
    assert steered.text == "You qualify easily. Approval depends on a credit review, so I can't promise it. " \
                           "Rates start at 8.99%."
    assert "guaranteed approval" in verdict.original_text  # the before, next to the after
    finding = verdict.findings[0]
    assert (finding.rule_id, finding.remedy, finding.method) == ("UDAAP-GUARANTEED-APPROVAL", "REWRITE", "lexical")
    assert finding.citation.startswith("12 U.S.C. 5531")


def test_a_claim_without_a_template_is_removed_and_nothing_left_blocks(engine):
    say(engine, "call-c1", 1, "this call may be recorded")
    steered = engine.steer(draft("Your social security number is [SSN]."))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED and steered.text == ""


def test_a_threat_is_blocked(engine):
    steered = engine.steer(draft("Pay today or you could be arrested.", scenario="COLLECTIONS"))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED
    assert steered.text == ""
    assert "FDCPA-THREAT-ARREST" in steered.compliance.rule_ids
    assert "arrested" in steered.compliance.original_text


def test_pii_in_a_draft_is_masked_even_in_the_before_text(engine):
    say(engine, "call-c1", 1, "this call may be recorded")
    steered = engine.steer(draft("I will send the link to jordan.miles@example.com right away."))
    assert PII_RULE in steered.compliance.rule_ids
    assert "example.com" not in steered.text and "[EMAIL]" in steered.text
    assert "example.com" not in steered.compliance.original_text
    card = engine.steer(draft("I have your card 4111 1111 1111 1111 on file."))
    assert card.compliance.verdict == cp.VERDICT_REWRITTEN
    assert "4111" not in card.text + card.compliance.original_text
    assert card.text == "I'll refer to the card by its last four digits only."


def test_an_owed_disclosure_is_added_to_the_draft(engine):
    say(engine, "call-c2", 1, "Hi, this is Dan with Harbor Lending, this call may be recorded.", "COLLECTIONS")
    steered = engine.steer(draft("Can we set up a payment plan today?", call_id="call-c2", scenario="COLLECTIONS"))
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert "FDCPA-MINI-MIRANDA" in steered.compliance.rule_ids
    assert steered.text.startswith("This is an attempt to collect a debt")
    assert steered.text.endswith("Can we set up a payment plan today?")


def test_owed_disclosures_come_soonest_due_first(engine):
    steered = engine.steer(draft("How can I help?", call_id="call-c2b", scenario="COLLECTIONS"))
    assert steered.text.startswith("This call may be recorded") and "attempt to collect a debt" in steered.text


def test_an_expired_draft_is_never_shown(engine):
    steered = engine.steer(draft("Our rates start at 8.99%.", ttl=-1))
    assert steered.compliance.verdict == cp.VERDICT_EXPIRED
    assert steered.text == ""


def test_a_draft_judged_past_its_deadline_is_expired():
    """Compliance too slow (here: a matcher that takes 0.3 s) means nothing is shown."""
    def slow_embed(texts):
        time.sleep(0.3)
        return np.full((len(texts), 4), 0.5, dtype=np.float32)

    slow = ComplianceEngine(load_policy(), embed=slow_embed)
    steered = slow.steer(draft("Our rates start at 8.99%.", ttl=0.2))
    assert steered.compliance.verdict == cp.VERDICT_EXPIRED and steered.text == ""
    assert steered.compliance.decision_ms >= 200


def test_a_draft_for_an_ended_call_is_expired(engine):
    engine.check_event(make_event(call_id="call-c3", seq=9, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    assert engine.steer(draft("Anything else?", call_id="call-c3")).compliance.verdict == cp.VERDICT_EXPIRED


def test_a_draft_without_a_deadline_is_refused(engine):
    with pytest.raises(Rejected) as refused:
        engine.steer(gen.SuggestionDraft(call=ev.CallRef(call_id="call-c1", seq=1, tenant="harbor"), text="Hello"))
    assert refused.value.reason == "schema_violation"


def test_a_tenant_without_a_pack_gets_nothing_shown_and_one_alert(engine):
    steered = engine.steer(draft("Our rates start at 8.99%.", call_id="call-x", tenant="unknown-bank"))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED and list(steered.compliance.rule_ids) == [POLICY_MISSING]
    first = say(engine, "call-x", 1, "you'll be arrested", tenant="unknown-bank")
    assert ids(first) == [POLICY_MISSING] and first[0].kind == cp.ALERT_KIND_POLICY_MISSING
    assert say(engine, "call-x", 2, "hello", tenant="unknown-bank") == []


# ---- operator speech ------------------------------------------------------------------------------

def test_operator_slip_raises_an_alert_with_the_fix_and_the_manager_by_severity(engine):
    alerts = say(engine, "call-c4", 1, "This call may be recorded. Honestly it's basically guaranteed approval.")
    assert ids(alerts) == ["UDAAP-GUARANTEED-APPROVAL"]
    assert alerts[0].fix and alerts[0].kind == cp.ALERT_KIND_RULE
    assert alerts[0].severity == cp.SEVERITY_HIGH and cp.AUDIENCE_MANAGER in alerts[0].audiences
    medium = say(engine, "call-c4", 2, "There are no fees on this loan.")
    assert ids(medium) == ["UDAAP-NO-FEES"] and list(medium[0].audiences) == [cp.AUDIENCE_OPERATOR]


def test_an_alert_carries_the_operators_experiment_arm(engine):
    event = make_event(call_id="call-arm", seq=1, speaker="OPERATOR", text="There are no fees on this loan.",
                       scenario="SALES", tenant="harbor", experiment_id="exp-1", arm="brief")
    alerts = engine.check_event(event)
    assert alerts and all((a.call.experiment_id, a.call.arm) == ("exp-1", "brief") for a in alerts)


def test_a_tenants_own_pack_judges_its_calls(engine):
    """Lakeshore extends Harbor: its own rule, its own mini-Miranda deadline, MEDIUM alerts to the manager."""
    text = "This call may be recorded. Your loan is federally insured, and there are no fees."
    assert ids(say(engine, "call-h", 1, text)) == ["UDAAP-NO-FEES"]
    lakeshore = say(engine, "call-l", 1, text, tenant="lakeshore")
    assert sorted(ids(lakeshore)) == ["NCUA-INSURANCE-MISSTATEMENT", "UDAAP-NO-FEES"]
    assert all(cp.AUDIENCE_MANAGER in a.audiences for a in lakeshore)
    assert ids(say(engine, "call-l2", 1, "Hi, this call may be recorded.", "COLLECTIONS", tenant="lakeshore")) \
        == ["FDCPA-MINI-MIRANDA"]
    assert say(engine, "call-h2", 1, "Hi, this call may be recorded.", "COLLECTIONS") == []


def test_transfer_switches_to_the_receiving_roles_rules(engine):
    say(engine, "call-c7", 1, "Thanks for calling, this call may be recorded.", "SERVICE")
    engine.check_event(make_event(call_id="call-c7", seq=2, type_="TRANSFER", speaker="OPERATOR", text="",
                                  scenario="SERVICE", transfer_to_role="COLLECTIONS"))
    alerts = say(engine, "call-c7", 3, "You could be arrested if you don't pay.", "SERVICE")
    assert "FDCPA-THREAT-ARREST" in ids(alerts)
    assert engine.call_state("call-c7").call.scenario == 3


# ---- obligations ----------------------------------------------------------------------------------

def test_mini_miranda_owed_then_overdue_then_given_late(engine):
    assert say(engine, "call-c5", 1, "Hi, this call may be recorded. Is this Casey?", "COLLECTIONS") == []
    assert statuses(engine, "call-c5")["FDCPA-MINI-MIRANDA"] == "OWED"
    alerts = say(engine, "call-c5", 2, "Thanks. I'm calling about your account.", "COLLECTIONS")
    assert ids(alerts) == ["FDCPA-MINI-MIRANDA"] and alerts[0].kind == cp.ALERT_KIND_OBLIGATION_OVERDUE
    assert "overdue" in alerts[0].message and alerts[0].fix
    assert statuses(engine, "call-c5")["FDCPA-MINI-MIRANDA"] == "OVERDUE"
    assert say(engine, "call-c5", 3, "Let's talk about the balance.", "COLLECTIONS") == []  # alerted once
    say(engine, "call-c5", 4, "This is an attempt to collect a debt.", "COLLECTIONS")
    state = {o.id: o for o in engine.call_state("call-c5").obligations}
    assert state["FDCPA-MINI-MIRANDA"].status == cp.OBLIGATION_STATUS_GIVEN
    assert state["FDCPA-MINI-MIRANDA"].given_late and state["FDCPA-MINI-MIRANDA"].given_seq == 4
    assert state["RECORDING-NOTICE"].status == cp.OBLIGATION_STATUS_GIVEN and not state["RECORDING-NOTICE"].given_late


def test_given_in_time_means_no_overdue_alert(engine):
    say(engine, "call-c6", 1, "This call may be recorded. This is an attempt to collect a debt and any "
        "information obtained will be used for that purpose.", "COLLECTIONS")
    assert say(engine, "call-c6", 2, "How are you today?", "COLLECTIONS") == []
    assert set(statuses(engine, "call-c6").values()) <= {"GIVEN", "NOT_TRIGGERED"}


def test_recording_notice_is_due_in_the_first_operator_turn(engine):
    alerts = say(engine, "call-r", 1, "Hi, this is Ava with Harbor Lending.")
    assert ids(alerts) == ["RECORDING-NOTICE"]


def test_apr_must_come_before_a_monthly_payment(engine):
    say(engine, "call-apr", 1, "Thanks for calling, this call may be recorded.")
    alerts = say(engine, "call-apr", 2, "For $12,000 over 36 months you'd pay about $416 a month.")
    assert ids(alerts) == ["TILA-APR-BEFORE-PAYMENT"]
    steered = engine.steer(draft("That comes to $416 a month.", call_id="call-apr"))
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert steered.text.startswith("Payment figures depend on your APR")
    untouched = engine.steer(draft("Funds arrive within two business days.", call_id="call-apr"))
    assert untouched.compliance.verdict == cp.VERDICT_PASS


def test_apr_given_first_lets_the_payment_through(engine):
    say(engine, "call-apr2", 1, "This call may be recorded. Our APRs range from 8.99% to 29.99%.")
    assert say(engine, "call-apr2", 2, "At 14.99% that's about $416 a month.") == []
    assert engine.steer(draft("That's about $416 a month.", call_id="call-apr2")).compliance.verdict \
        == cp.VERDICT_PASS


def test_account_details_wait_for_identity_verification(engine):
    say(engine, "call-id", 1, "Thanks for calling, this call may be recorded.", "SERVICE")
    steered = engine.steer(draft("Your current balance is $1,240. Is there anything else?", call_id="call-id",
                                 scenario="SERVICE"))
    assert steered.compliance.verdict == cp.VERDICT_REWRITTEN
    assert "GLBA-VERIFY-IDENTITY" in steered.compliance.rule_ids
    assert "$1,240" not in steered.text and steered.text.startswith("Before I go over any account details")
    alerts = say(engine, "call-id", 2, "Sure, your current balance is $1,240.", "SERVICE")
    assert ids(alerts) == ["GLBA-VERIFY-IDENTITY"] and alerts[0].severity == cp.SEVERITY_HIGH
    verified = "call-id2"
    say(engine, verified, 1, "This call may be recorded. Can you verify your identity with your date of birth?",
        "SERVICE")
    assert say(engine, verified, 2, "Thanks. Your current balance is $1,240.", "SERVICE") == []


# ---- signals --------------------------------------------------------------------------------------

def test_a_cease_contact_request_changes_what_may_be_said(engine):
    call = "call-cease"
    say(engine, call, 1, "This call may be recorded. This is an attempt to collect a debt.", "COLLECTIONS")
    signal = say(engine, call, 2, "Stop calling me. I mean it.", "COLLECTIONS", speaker="CUSTOMER")
    assert ids(signal) == ["CEASE-CONTACT-REQUEST"] and signal[0].kind == cp.ALERT_KIND_SIGNAL
    assert statuses(engine, call)["CEASE-CONTACT-ACK"] == "OWED"
    assert engine.steer(draft("How much can you pay this month?", call_id=call, scenario="COLLECTIONS")
                        ).compliance.verdict == cp.VERDICT_BLOCKED
    ack = engine.steer(draft("I understand.", call_id=call, scenario="COLLECTIONS"))
    assert ack.text == "I've noted your request, and we'll stop calling you. I understand."
    alerts = say(engine, call, 3, "Okay, but can you at least make a payment today?", "COLLECTIONS")
    assert sorted(ids(alerts)) == ["CEASE-CONTACT-ACK", "FDCPA-CONTACT-AFTER-CEASE"]


def test_without_a_request_the_same_words_are_fine(engine):
    say(engine, "call-nc", 1, "This call may be recorded. This is an attempt to collect a debt.", "COLLECTIONS")
    assert say(engine, "call-nc", 2, "Can you make a payment today?", "COLLECTIONS") == []
    assert statuses(engine, "call-nc")["CEASE-CONTACT-ACK"] == "NOT_TRIGGERED"


def test_a_third_party_on_the_line_suspends_the_mini_miranda_and_silences_the_debt(engine):
    call = "call-tp"
    say(engine, call, 1, "Hi, this call may be recorded. May I speak with Casey?", "COLLECTIONS")
    assert ids(say(engine, call, 2, "This is his wife, he's at work.", "COLLECTIONS", speaker="CUSTOMER")) \
        == ["THIRD-PARTY-ON-LINE"]
    assert statuses(engine, call)["FDCPA-MINI-MIRANDA"] == "SUSPENDED"
    neutral = engine.steer(draft("When is a good time to reach him?", call_id=call, scenario="COLLECTIONS"))
    assert neutral.compliance.verdict == cp.VERDICT_PASS  # no mini-Miranda to a third party
    assert engine.steer(draft("He is past due on his loan.", call_id=call, scenario="COLLECTIONS")
                        ).compliance.verdict == cp.VERDICT_BLOCKED
    assert ids(say(engine, call, 3, "It's about a debt he owes.", "COLLECTIONS")) == ["FDCPA-THIRD-PARTY-DEBT-MENTION"]
    say(engine, call, 4, "Oh wait, he just got home, let me put him on.", "COLLECTIONS", speaker="CUSTOMER")
    assert statuses(engine, call)["FDCPA-MINI-MIRANDA"] == "OWED"
    assert say(engine, call, 5, "Hi Casey, how are you?", "COLLECTIONS") == []
    assert ids(say(engine, call, 6, "I'm calling about your loan.", "COLLECTIONS")) == ["FDCPA-MINI-MIRANDA"]


def test_account_details_for_a_caller_who_is_not_the_holder_are_blocked(engine):
    call = "call-nh"
    say(engine, call, 1, "This call may be recorded. Can I have your date of birth?", "SERVICE")
    say(engine, call, 2, "I'm calling about my husband's card.", "SERVICE", speaker="CUSTOMER")
    assert engine.steer(draft("The last payment was $150.", call_id=call, scenario="SERVICE")
                        ).compliance.verdict == cp.VERDICT_BLOCKED
    assert ids(say(engine, call, 3, "His balance is $1,240.", "SERVICE")) == ["GLBA-NON-HOLDER-ACCOUNT-DETAILS"]


# ---- calling hours --------------------------------------------------------------------------------

def started(engine, call_id, ts, scenario="COLLECTIONS", tenant="harbor"):
    return engine.check_event(make_event(call_id=call_id, seq=1, type_="CALL_STARTED", speaker="OPERATOR",
                                         text="", scenario=scenario, ts=ts, tenant=tenant))


def test_a_collections_call_outside_calling_hours_is_alerted(engine):
    early = started(engine, "call-early", "2026-11-18T14:30:00Z")  # 06:30 in Los Angeles
    assert ids(early) == ["FDCPA-CALLING-HOURS"] and early[0].kind == cp.ALERT_KIND_CALLING_HOURS
    assert "America/Los_Angeles" in early[0].message and "America/New_York" not in early[0].message
    assert ids(started(engine, "call-late", "2026-11-19T02:30:00Z")) == ["FDCPA-CALLING-HOURS"]  # 21:30 New York
    assert started(engine, "call-ok", "2026-11-18T16:30:00Z") == []  # 08:30 in Los Angeles
    assert started(engine, "call-sales", "2026-11-18T14:30:00Z", scenario="SALES") == []
    assert ids(started(engine, "call-lk", "2026-11-18T14:30:00Z", tenant="lakeshore")) == ["FDCPA-CALLING-HOURS"]


def test_an_unchanged_state_is_published_once_per_call_even_when_two_tenants_share_its_id():
    from services.compliance.kafka_adapter import StateChanges

    engine, changes = ComplianceEngine(load_policies()), StateChanges()
    published = []
    for tenant in ("harbor", "lakeshore", "harbor", "lakeshore"):  # interleaved, each state unchanged after its first
        event = make_event(call_id="shared-id", seq=1, type_="CALL_STARTED", scenario="SERVICE", tenant=tenant)
        engine.check_event(event)
        published.append(changes.changed(engine, event) is not None)
    assert published == [True, True, False, False]
