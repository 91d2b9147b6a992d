"""The learned compliance detector in the engine (MiniLM embeddings and the built detector; the
model is built on first use and cached by its inputs): paraphrases no pack phrase matches, hard
negatives, customer signals, drafts, obligations given in other words, and the context rules."""

import time

import pytest
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies

from services.compliance.detection import DETECTOR
from services.compliance.logic import ComplianceEngine
from tests.helpers import make_event

SCENARIO = {"SALES": 1, "SERVICE": 2, "COLLECTIONS": 3}
POLICY = load_policies()["harbor"]


@pytest.fixture(scope="module")
def parts():
    from seatcopilot.encoder import shared_encoder

    from seatcopilot_models.compliance.detector import load_or_build

    embed = shared_encoder().encode
    return embed, load_or_build(embed)


@pytest.fixture
def engine(parts):
    embed, learned = parts
    return ComplianceEngine(load_policies(), embed, learned=learned, semantic=False)


def say(engine, call_id, seq, text, scenario="SALES", speaker="OPERATOR"):
    return engine.check_event(make_event(call_id=call_id, seq=seq, speaker=speaker, text=text, scenario=scenario))


def rule_ids(alerts, kind=None):
    return [a.rule_ids[0] for a in alerts if kind is None or a.kind == kind]


def statuses(engine, call_id):
    return {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_")
            for o in engine.call_state(call_id).obligations}


def draft(text, call_id, scenario="SALES", seq=9):
    item = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, scenario=SCENARIO[scenario], tenant="harbor"),
                               text=text)
    item.deadline.FromNanoseconds(int((time.time() + 60) * 1e9))
    return item


def no_pack_phrase_matches(text, item_id):
    items = {i.id: i for i in (*POLICY.rules, *POLICY.signals)}
    return not items[item_id].matches(text)


def test_a_paraphrased_violation_no_pack_phrase_matches_is_caught_by_the_detector(engine):
    text = "Keep dodging us and you'll be talking to a detective."
    assert no_pack_phrase_matches(text, "FDCPA-THREAT-ARREST")
    say(engine, "d1", 1, "Harbor Lending, calls are recorded. This is an attempt to collect a debt.", "COLLECTIONS")
    alerts = say(engine, "d1", 2, text, "COLLECTIONS")
    alert = next(a for a in alerts if a.rule_ids[0] == "FDCPA-THREAT-ARREST")
    finding = alert.findings[0]
    assert (finding.method, finding.sentence, finding.family) == (DETECTOR, 0, "threats_false_statements")
    assert 0.0 < finding.score <= 1.0 and "learned detector" in alert.message


def test_hard_negatives_sharing_the_violating_words_are_not_flagged(engine):
    say(engine, "d2", 1, "Thanks for calling Harbor Lending, this call is recorded.")
    for seq, text in enumerate(["I can't guarantee approval, the credit team decides that.",
                                "Nobody is going to be arrested over a loan."], start=2):
        scenario = "COLLECTIONS" if "arrested" in text else "SALES"
        assert rule_ids(say(engine, f"d2-{seq}", seq, text, scenario), cp.ALERT_KIND_RULE) == []


def test_a_gating_signal_is_raised_from_paraphrased_customer_speech_and_gates_the_rule(engine):
    text = "I'm just minding the phone for my sister while she runs some errands."
    assert no_pack_phrase_matches(text, "THIRD-PARTY-ON-LINE")
    say(engine, "d3", 1, "Hi, Harbor Lending here, calls are recorded.", "COLLECTIONS")
    assert "THIRD-PARTY-ON-LINE" in rule_ids(say(engine, "d3", 2, text, "COLLECTIONS", "CUSTOMER"))
    assert "FDCPA-THIRD-PARTY-DEBT-MENTION" in rule_ids(say(engine, "d3", 3, "She's behind on her loan.",
                                                            "COLLECTIONS"))
    assert statuses(engine, "d3")["FDCPA-MINI-MIRANDA"] == "SUSPENDED"


def test_a_draft_the_detector_flags_is_blocked_with_the_family_cited(engine):
    text = "Keep dodging us and you'll be talking to a detective."
    steered = engine.steer(draft(text, "d4", "COLLECTIONS"))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED and steered.text == ""
    assert "FDCPA-THREAT-ARREST" in steered.compliance.rule_ids
    finding = next(f for f in steered.compliance.findings if f.rule_id == "FDCPA-THREAT-ARREST")
    assert (finding.method, finding.family, finding.remedy) == (DETECTOR, "threats_false_statements", "BLOCK")


def test_a_paraphrased_recording_notice_and_mini_miranda_are_recognised_as_given(engine):
    notice = "Hey, quick heads up, we record calls on this line."
    miranda = "I'm with collections, calling to collect a debt, and anything you share will be used for that."
    assert not any(o.satisfied(notice) for o in POLICY.obligations)
    assert not any(o.satisfied(miranda) for o in POLICY.obligations)
    alerts = say(engine, "d5", 1, notice, "COLLECTIONS") + say(engine, "d5", 2, miranda, "COLLECTIONS")
    assert rule_ids(alerts, cp.ALERT_KIND_OBLIGATION_OVERDUE) == []
    assert statuses(engine, "d5")["RECORDING-NOTICE"] == "GIVEN"
    assert statuses(engine, "d5")["FDCPA-MINI-MIRANDA"] == "GIVEN"


def test_an_accounts_last_four_digits_are_not_a_full_number(engine):
    say(engine, "d6", 1, "Harbor Lending card services, this call is recorded.", "SERVICE")
    for seq, text in enumerate(["Your account number ends in 7781, right?",
                                "Your account number ends in [ACCOUNT], right?",  # as the intake masks it
                                "I can't read the full number, but the new card ends in 2280."], start=2):
        assert "GLBA-FULL-CARD-NUMBER" not in rule_ids(say(engine, "d6", seq, text, "SERVICE"))
    full = say(engine, "d6", 9, "Your full card number is 4111 1111 1111 1234, ending in 1234.", "SERVICE")
    assert "GLBA-FULL-CARD-NUMBER" in rule_ids(full)


def test_a_payment_spoken_with_its_apr_passes_and_one_without_alerts(engine):
    say(engine, "d7", 1, "Harbor Lending, just so you know this call is recorded.")
    with_apr = say(engine, "d7", 2, "With an APR of twelve point nine percent, that's about two forty a month.")
    assert rule_ids(with_apr) == [] and statuses(engine, "d7")["TILA-APR-BEFORE-PAYMENT"] == "GIVEN"
    say(engine, "d8", 1, "Harbor Lending, just so you know this call is recorded.")
    without = say(engine, "d8", 2, "So you'd be paying about two forty every month.")
    assert rule_ids(without, cp.ALERT_KIND_OBLIGATION_OVERDUE) == ["TILA-APR-BEFORE-PAYMENT"]


def test_no_suggestion_is_rewritten_for_an_obligation_given_in_other_words(engine):
    notice = "Hey, quick heads up, we record calls on this line."
    assert not any(o.satisfied(notice) for o in POLICY.obligations)
    say(engine, "d9", 1, notice)
    steered = engine.steer(draft("How much were you hoping to borrow?", "d9"))
    assert steered.compliance.verdict == cp.VERDICT_PASS
    assert steered.text == "How much were you hoping to borrow?"
    # Without the notice, the same draft gets it put in front.
    owed = engine.steer(draft("How much were you hoping to borrow?", "d10"))
    assert owed.compliance.verdict == cp.VERDICT_REWRITTEN and "RECORDING-NOTICE" in owed.compliance.rule_ids


def test_an_approved_script_line_is_judged_by_the_pack_alone(engine):
    """The learned detector judges free (model) wording; an approved script line is judged by the pack's phrases
    and patterns only, so a detector false alarm never blocks it, while a pattern still does."""
    line = ("I understand, and it's smart to compare. Your final APR depends on the credit review, autopay takes "
            "0.25% off, and there's no prepayment penalty.")
    model_draft, script_draft = draft(line, "call-approved-1"), draft(line, "call-approved-2")
    script_draft.backend = gen.BACKEND_SCRIPTED
    approved = engine.steer(script_draft).compliance  # a fresh call: the recording notice may be prepended
    assert approved.verdict != cp.VERDICT_BLOCKED and "FDCPA-HARASSMENT-PROFANITY" not in approved.rule_ids
    guaranteed = draft("You're pre-approved, guaranteed approval today.", "call-approved-3")
    guaranteed.backend = gen.BACKEND_SCRIPTED
    assert engine.steer(guaranteed).compliance.verdict != cp.VERDICT_PASS  # the pack's phrase still holds
    judged = engine.steer(model_draft).compliance  # the detector's call: blocked, or at most the notice put in front
    assert judged.verdict == cp.VERDICT_BLOCKED or set(judged.rule_ids) <= {"RECORDING-NOTICE"}


COLLECTOR_OPENING = "Harbor Lending, calls are recorded. This is an attempt to collect a debt."


@pytest.mark.parametrize("call_id, customer, signal, pressing, rule", [
    ("d20", "Hold on, I closed that account years ago and got a letter saying we were square.", "DEBT-DISPUTED",
     "Be that as it may, what can you pay this week?", "FDCPA-COLLECT-DISPUTED-DEBT"),
    ("d21", "Since the factory shut its doors I haven't seen a paycheck.", "FINANCIAL-HARDSHIP",
     "You could ask your brother to lend you the money and clear it this week.", "UDAAP-HARDSHIP-PRESSURE"),
])
def test_a_dispute_or_hardship_in_the_customers_own_words_gates_its_rule(engine, call_id, customer, signal,
                                                                         pressing, rule):
    assert no_pack_phrase_matches(customer, signal)
    say(engine, call_id, 1, COLLECTOR_OPENING, "COLLECTIONS")
    assert signal in rule_ids(say(engine, call_id, 2, customer, "COLLECTIONS", "CUSTOMER"))
    steered = engine.steer(draft(pressing, call_id, "COLLECTIONS", seq=3))
    assert steered.compliance.verdict == cp.VERDICT_BLOCKED and rule in steered.compliance.rule_ids


def test_pressing_for_payment_is_no_violation_without_a_dispute_or_hardship(engine):
    say(engine, "d22", 1, COLLECTOR_OPENING, "COLLECTIONS")
    quiet = say(engine, "d22", 2, "Yes, it's my loan, I just need a couple more weeks.", "COLLECTIONS", "CUSTOMER")
    assert not {"DEBT-DISPUTED", "FINANCIAL-HARDSHIP"} & set(rule_ids(quiet))
    steered = engine.steer(draft("Could you do two hundred today?", "d22", "COLLECTIONS", seq=3))
    assert not {"FDCPA-COLLECT-DISPUTED-DEBT", "UDAAP-HARDSHIP-PRESSURE"} & set(steered.compliance.rule_ids)


def test_a_hardship_answered_with_the_hardship_options_passes(engine):
    say(engine, "d23", 1, COLLECTOR_OPENING, "COLLECTIONS")
    say(engine, "d23", 2, "My husband's been ill and we're down to one income.", "COLLECTIONS", "CUSTOMER")
    text = "I'm sorry to hear that. We can lower the payment for a few months under our hardship plan."
    steered = engine.steer(draft(text, "d23", "COLLECTIONS", seq=3))
    assert steered.compliance.verdict == cp.VERDICT_PASS and steered.text == text


def test_pressing_a_disputed_debt_in_new_words_is_caught_and_a_fee_disclosure_is_not_a_no_fees_claim(engine):
    pressing = "Doesn't matter what you think, the debt's on your file, so let's sort out a payment."
    assert no_pack_phrase_matches(pressing, "FDCPA-COLLECT-DISPUTED-DEBT")
    say(engine, "d24", 1, COLLECTOR_OPENING, "COLLECTIONS")
    say(engine, "d24", 2, "That balance is way off, I never spent that much.", "COLLECTIONS", "CUSTOMER")
    assert "FDCPA-COLLECT-DISPUTED-DEBT" in rule_ids(say(engine, "d24", 3, pressing, "COLLECTIONS"))
    say(engine, "d25", 1, "Harbor Lending, just so you know this call is recorded.")
    disclosure = say(engine, "d25", 2, "If a fee applies, you'll see it in the offer before you sign.")
    assert "UDAAP-NO-FEES" not in rule_ids(disclosure)


@pytest.mark.parametrize("call_id, insisting", [
    ("d26", "We've been through your file twice. It's your account and the balance is owed."),
    ("d27", "Your signature's on the contract, so there's really nothing to argue about."),
])
def test_insisting_a_disputed_debt_is_valid_is_pressing_it(engine, call_id, insisting):
    # Waving the dispute away presses the debt even without a payment asked for (sixth session, th-*).
    assert no_pack_phrase_matches(insisting, "FDCPA-COLLECT-DISPUTED-DEBT")
    say(engine, call_id, 1, COLLECTOR_OPENING, "COLLECTIONS")
    say(engine, call_id, 2, "I don't recognise this loan at all, it was never mine.", "COLLECTIONS", "CUSTOMER")
    assert "FDCPA-COLLECT-DISPUTED-DEBT" in rule_ids(say(engine, call_id, 3, insisting, "COLLECTIONS"))

