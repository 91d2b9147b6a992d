"""False alarms on compliant calls, found on the dev3 calls: a claim declined in other words, a reassurance, a
refusal to share with someone who is not the holder, the right party coming to the phone, and a one-word
fragment that the learned paths read as an insult. Phrases and patterns only (fast), with the learned paths
stubbed where the behaviour is theirs, so the tests pin the engine and the pack, not a model."""

import pytest
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.policy import Rule, load_policies

from services.compliance.detection import DETECTOR, Detector, Hit, learned_units
from services.compliance.logic import ComplianceEngine
from tests.helpers.compliance import ids, say

POLICY = load_policies()["harbor"]


@pytest.fixture
def engine():
    return ComplianceEngine(load_policies())


def rule(rule_id: str) -> Rule:
    return next(r for r in POLICY.rules if r.id == rule_id)


def statuses(engine, call_id):
    return {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_")
            for o in engine.call_state(call_id).obligations}


DECLINED = [
    ("UDAAP-GUARANTEED-APPROVAL", "Nobody here can promise you'll be approved; underwriting decides."),
    ("UDAAP-GUARANTEED-APPROVAL", "I can't say you'll definitely be approved."),
    ("UDAAP-GUARANTEED-APPROVAL", "Approval isn't guaranteed; it depends on a credit review."),
    ("UDAAP-OUTCOME-PROMISE", "No one can guarantee you'll definitely get your money back."),
    ("UDAAP-NO-CREDIT-CHECK", "We do check credit, there's no way around a credit check."),
    ("UDAAP-FALSE-URGENCY", "There's no pressure, the offer doesn't expire today."),
    ("GLBA-NON-HOLDER-ACCOUNT-DETAILS", "I'm sorry, I can't share the balance with anyone but the cardholder."),
    ("GLBA-NON-HOLDER-ACCOUNT-DETAILS", "Before I give out the payoff, can you confirm your date of birth?"),
    ("FDCPA-CONTACT-AFTER-CEASE", "We're not going to call you again, and letters only from now on."),
    ("FDCPA-CONTACT-AFTER-CEASE", "No one from Harbor Lending will call you back."),
    ("UDAAP-HARDSHIP-PRESSURE", "Please don't take out a payday loan or put this on another card to pay us."),
    ("UDAAP-HARDSHIP-PRESSURE", "You don't need to pay the whole amount this week."),
    ("FDCPA-FALSE-LEGAL-ACTION", "Nobody is going to take you to court over this."),
    ("FDCPA-THREAT-EMPLOYER-FAMILY", "Nobody is going to show up at your work."),
]

# The same claims made, or made with a condition: never exempt.
PRESSED = [
    ("UDAAP-GUARANTEED-APPROVAL", "You'll be approved, no doubt about it."),
    ("UDAAP-GUARANTEED-APPROVAL", "It's not guaranteed on paper, but you'll be approved."),
    ("UDAAP-NO-CREDIT-CHECK", "We do check credit, but bad credit is fine."),
    ("GLBA-NON-HOLDER-ACCOUNT-DETAILS", "I can't say much, but the balance is 500 dollars."),
    ("GLBA-NON-HOLDER-ACCOUNT-DETAILS", "I can't share everything: the balance is $500."),
    ("FDCPA-CONTACT-AFTER-CEASE", "We're not going to call you again until you set up a payment."),
    ("UDAAP-HARDSHIP-PRESSURE", "Don't wait, get a payday loan and pay us, but do it today."),
    ("FDCPA-FALSE-LEGAL-ACTION", "Nobody wants to take you to court, but we will unless you pay."),
    ("FDCPA-THREAT-EMPLOYER-FAMILY", "We won't show up at your work if you pay today, but otherwise we will."),
]


@pytest.mark.parametrize("rule_id, text", DECLINED)
def test_a_declined_claim_a_reassurance_or_a_refusal_is_not_the_violation(rule_id, text):
    assert not rule(rule_id).matches(text)


@pytest.mark.parametrize("rule_id, text", PRESSED)
def test_the_claim_itself_or_with_a_condition_still_matches(rule_id, text):
    assert rule(rule_id).matches(text)


def test_a_cease_request_acknowledged_as_no_more_calls_raises_no_alert(engine):
    say(engine, "t1", 1, "Harbor Lending, this call is recorded. This is an attempt to collect a debt.", "COLLECTIONS")
    say(engine, "t1", 2, "Stop calling me, write to me instead.", "COLLECTIONS", "CUSTOMER")
    alerts = say(engine, "t1", 3, "Understood. Nobody here will call you again, and I've noted your request.",
                 "COLLECTIONS")
    assert ids(alerts) == []
    assert statuses(engine, "t1")["CEASE-CONTACT-ACK"] == "GIVEN"


def test_the_holder_handed_the_phone_clears_the_signal_and_is_verified(engine):
    say(engine, "t2", 1, "Harbor Lending, this call is being recorded.", "SERVICE")
    say(engine, "t2", 2, "I'm calling about my dad's loan, he wants the payoff.", "SERVICE", "CUSTOMER")
    assert statuses(engine, "t2")["GLBA-VERIFY-IDENTITY"] == "SUSPENDED"
    say(engine, "t2", 3, "I can only go over it with your father. Is he nearby?", "SERVICE")
    say(engine, "t2", 4, "Hang on, I'll hand him the phone.", "SERVICE", "CUSTOMER")
    assert statuses(engine, "t2")["GLBA-VERIFY-IDENTITY"] == "OWED"
    say(engine, "t2", 5, "Before I give out the payoff, can you confirm your date of birth?", "SERVICE")
    alerts = say(engine, "t2", 6, "Thanks, that matches. Your payoff is $3,480.", "SERVICE")
    assert ids(alerts) == []
    assert statuses(engine, "t2")["GLBA-VERIFY-IDENTITY"] == "GIVEN"


@pytest.mark.parametrize("text, cleared", [("Yes, that's me.", True), ("Yes, this is her.", True),
                                           ("She's not in, this is her husband.", False)])
def test_the_customer_saying_it_is_them_clears_a_third_party(text, cleared):
    signal = next(s for s in POLICY.signals if s.id == "THIRD-PARTY-ON-LINE")
    assert signal.cleared(text) is cleared


class FlagsSentences:
    """A stand-in for the learned detector that raises a rule or signal on exactly the given sentences."""

    def __init__(self, item_id: str, sentences: set[str]) -> None:
        self.item_id, self.sentences = item_id, sentences

    def hits(self, speaker, sentences, ids):
        return [Hit(self.item_id, i, DETECTOR, 0.9) for i, s in enumerate(sentences)
                if s in self.sentences and self.item_id in ids]

    def gives(self, text):
        return set()

    def says_before(self, text):
        return set()


def test_a_turn_that_clears_a_signal_does_not_raise_it(engine):
    engine.detectors["harbor"] = Detector(None, FlagsSentences("CALLER-NOT-ACCOUNT-HOLDER",
                                                               {"I'm the account holder."}))
    say(engine, "t3", 1, "Harbor Lending, this call is being recorded.", "SERVICE")
    alerts = say(engine, "t3", 2, "I'm the account holder.", "SERVICE", "CUSTOMER")
    assert ids(alerts) == []
    assert statuses(engine, "t3")["GLBA-VERIFY-IDENTITY"] == "OWED"


def test_a_fragment_is_read_by_the_learned_paths_with_its_neighbour(engine):
    engine.detectors["harbor"] = Detector(None, FlagsSentences("FDCPA-HARASSMENT-PROFANITY", {"Easy."}))
    say(engine, "t4", 1, "Harbor Lending, this call is being recorded.")
    assert ids(say(engine, "t4", 2, "Easy. The annual percentage rate is about eleven percent.")) == []
    assert ids(say(engine, "t4", 3, "Easy.")) == ["FDCPA-HARASSMENT-PROFANITY"]  # a turn of fragments only


def test_learned_units_join_fragments_under_the_full_sentences_index():
    sentences = list(enumerate(["Right.", "Your rate is fixed for the whole loan.", "Got it?", "Sure thing."]))
    assert learned_units(sentences) == [(1, "Right. Your rate is fixed for the whole loan. Got it? Sure thing.")]
    assert learned_units([(0, "Okay."), (1, "Sure thing.")]) == [(0, "Okay."), (1, "Sure thing.")]
    two = [(0, "The quote holds for thirty days."), (1, "Okay."), (2, "Anything else I can help with today?")]
    assert learned_units(two) == [(0, "The quote holds for thirty days."),
                                  (2, "Okay. Anything else I can help with today?")]
