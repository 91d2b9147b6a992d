"""Rules and obligations that judge their context, phrases and patterns only (fast): a claim the operator
declines to make, the holder's identity check while someone else is on the line, and a disclosure split
over two operator turns (the recognising detector stubbed, so the test pins the call state, not a model)."""

import pytest
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.policy import load_policies

from services.compliance.logic import ComplianceEngine
from tests.helpers import make_event

POLICY = load_policies()["harbor"]


@pytest.fixture
def engine():
    return ComplianceEngine(load_policies())


def say(engine, call_id, seq, text, scenario="SALES", speaker="OPERATOR"):
    return engine.check_event(make_event(call_id=call_id, seq=seq, speaker=speaker, text=text, scenario=scenario))


def ids(alerts):
    return [rule for alert in alerts for rule in alert.rule_ids]


def statuses(engine, call_id):
    return {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_")
            for o in engine.call_state(call_id).obligations}


@pytest.mark.parametrize("text", ["I honestly can't say we're the cheapest out there.",
                                  "We may not be the lowest rate around, so compare a couple of offers.",
                                  "Our APR isn't always the lowest, so it's worth shopping around."])
def test_declining_to_claim_the_lowest_rate_is_not_the_claim(engine, text):
    rule = next(r for r in POLICY.rules if r.id == "UDAAP-LOWEST-RATE")
    assert rule.exempt(text)
    say(engine, "x1", 1, "Harbor Lending, this call may be recorded.")
    assert "UDAAP-LOWEST-RATE" not in ids(say(engine, "x1", 2, text))


def test_the_lowest_rate_claim_itself_still_alerts(engine):
    say(engine, "x2", 1, "Harbor Lending, this call may be recorded.")
    assert "UDAAP-LOWEST-RATE" in ids(say(engine, "x2", 2, "Honestly, we have the lowest rates anywhere."))


def test_the_holders_identity_check_waits_while_someone_else_is_on_the_line(engine):
    say(engine, "x3", 1, "Harbor Lending, this call is being recorded.", "SERVICE")
    say(engine, "x3", 2, "I'm calling on behalf of my dad, it's his card.", "SERVICE", "CUSTOMER")
    for seq in range(3, 9, 2):  # past the four turns the check is due within: not overdue, suspended
        alerts = say(engine, "x3", seq, "I can only discuss the account with the account holder.", "SERVICE")
        assert "GLBA-VERIFY-IDENTITY" not in ids(alerts)
    assert statuses(engine, "x3")["GLBA-VERIFY-IDENTITY"] == "SUSPENDED"
    say(engine, "x3", 9, "Okay, this is the account holder now.", "SERVICE", "CUSTOMER")
    assert statuses(engine, "x3")["GLBA-VERIFY-IDENTITY"] == "OWED"  # owed again, its clock restarted
    say(engine, "x3", 10, "Thanks. Can you confirm your date of birth?", "SERVICE")
    assert statuses(engine, "x3")["GLBA-VERIFY-IDENTITY"] == "GIVEN"


class HalvesOnly:
    """A stand-in for the learned detector that hears the mini-Miranda only in both halves together."""

    def __init__(self, inner):
        self.inner = inner

    def gives(self, text):
        halves = ("debt collector" in text.lower(), "used to collect" in text.lower())
        return {"FDCPA-MINI-MIRANDA"} if all(halves) else set()

    def __getattr__(self, name):
        return getattr(self.inner, name)


def test_a_disclosure_split_over_two_operator_turns_is_recognised(engine):
    engine.detectors["harbor"] = HalvesOnly(engine.detectors["harbor"])
    say(engine, "x4", 1, "Harbor Lending, this call is being recorded. I'm calling as a debt collector.",
        "COLLECTIONS")
    assert statuses(engine, "x4")["FDCPA-MINI-MIRANDA"] == "OWED"
    say(engine, "x4", 2, "Yes, speaking.", "COLLECTIONS", "CUSTOMER")
    alerts = say(engine, "x4", 3, "Anything you tell me today will be used to collect it.", "COLLECTIONS")
    assert "FDCPA-MINI-MIRANDA" not in ids(alerts)
    assert statuses(engine, "x4")["FDCPA-MINI-MIRANDA"] == "GIVEN"


def test_halves_of_a_disclosure_in_turns_further_apart_are_not_joined(engine):
    engine.detectors["harbor"] = HalvesOnly(engine.detectors["harbor"])
    say(engine, "x5", 1, "Harbor Lending, this call is being recorded. I'm calling as a debt collector.",
        "COLLECTIONS")
    alerts = say(engine, "x5", 2, "Is this Ms. Grant?", "COLLECTIONS")
    assert ids(alerts) == ["FDCPA-MINI-MIRANDA"]  # due within two operator turns, and not given in them
    say(engine, "x5", 3, "Anything you tell me today will be used to collect it.", "COLLECTIONS")
    assert statuses(engine, "x5")["FDCPA-MINI-MIRANDA"] == "OVERDUE"  # only the previous turn is read with it


@pytest.mark.parametrize("text", ["You don't need to pay anything on that amount while we check it.",
                                  "You have the right to dispute it, and we'll answer in writing.",
                                  "We'll stop collecting until we've looked into it."])
def test_saying_collection_pauses_is_not_pressing_a_disputed_debt(engine, text):
    say(engine, "x6", 1, "Harbor Lending, calls are recorded. This is an attempt to collect a debt.", "COLLECTIONS")
    say(engine, "x6", 2, "I don't owe you anything, that's not my loan.", "COLLECTIONS", "CUSTOMER")
    assert "FDCPA-COLLECT-DISPUTED-DEBT" not in ids(say(engine, "x6", 3, text, "COLLECTIONS"))


@pytest.mark.parametrize("text", ["You can dispute it, but you still have to pay something today.",
                                  "Collection is on hold, but could you pay fifty anyway?"])
def test_a_pause_said_beside_a_payment_request_is_still_pressing(engine, text):
    rule = next(r for r in POLICY.rules if r.id == "FDCPA-COLLECT-DISPUTED-DEBT")
    assert rule.matches(text) and not rule.exempt(text)


@pytest.mark.parametrize("text, exempt", [("Would it be okay if we text you a reminder?", True),
                                          ("I'd need your consent before we send any texts.", True),
                                          ("I'll call you back myself, not an automated system.", True),
                                          ("I'll text you the link, I don't need your consent.", False),
                                          ("We'll text you reminders every week.", False)])
def test_asking_for_consent_to_text_is_not_texting_without_it(text, exempt):
    rule = next(r for r in POLICY.rules if r.id == "TCPA-TEXT-AUTODIAL-WITHOUT-CONSENT")
    assert rule.exempt(text) is exempt


def test_no_deadline_is_not_false_urgency(engine):
    say(engine, "x7", 1, "Harbor Lending, this call may be recorded.")
    assert "UDAAP-FALSE-URGENCY" not in ids(say(engine, "x7", 2, "You don't have to decide today, take your time."))
    assert "UDAAP-FALSE-URGENCY" in ids(say(engine, "x7", 3, "This offer expires today."))


def test_a_full_card_number_read_before_verification_makes_it_overdue(engine):
    say(engine, "x8", 1, "Harbor Lending, this call is being recorded.", "SERVICE")
    alerts = say(engine, "x8", 2, "Sure, your full card number is 4111 2222 3333 4444.", "SERVICE")
    assert {"GLBA-FULL-CARD-NUMBER", "GLBA-VERIFY-IDENTITY"} <= set(ids(alerts))
    assert statuses(engine, "x8")["GLBA-VERIFY-IDENTITY"] == "OVERDUE"
    say(engine, "x9", 1, "Harbor Lending, this call is being recorded.", "SERVICE")
    assert ids(say(engine, "x9", 2, "Is the card ending in 4444 the one you mean?", "SERVICE")) == []
