"""The answer planner (retrieval) and how generation shows its cards: computed answers with the APR first,
next best actions, warnings, regulation as guidance, no line offered twice in a call."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from seatcopilot.config import load
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.policy import load_policy

from services.classifier.dialogue import DialogueStates
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from services.retrieval import planner
from services.retrieval.config import DEFAULT_KB
from services.retrieval.eligibility import EligibilityFacts, evaluate, monthly_payment
from services.retrieval.entities import from_dialogue
from services.retrieval.knowledge import load_knowledge_base
from tests.helpers import classified_event, grounded_event, make_event

KB = load_knowledge_base(DEFAULT_KB)
FACTS = EligibilityFacts(KB.products, KB.rules, KB.bands)
REGULATION = rt.KnowledgeItem(id="reg.glba-privacy", kind="REGULATION", title="GLBA privacy and safeguards",
                              text="Financial institutions must protect the security of customer information.")
SCRIPT = rt.KnowledgeItem(id="script.sales.amounts-and-terms", kind="SCRIPT", title="Loan amounts and terms",
                          text="Personal loans run from $2,000 to $40,000. Terms are 24 to 60 months.")
FAQ = rt.KnowledgeItem(id="faq.funding-time", kind="FAQ", title="Funding", text="Funds arrive in 1 business day.")


def turns(*said: str | tuple[str, int], scenario: str = "SALES") -> tuple[ev.CallEvent, dg.DialogueState]:
    states, event, state = DialogueStates(), None, None
    for seq, turn in enumerate(said, start=1):
        text, speaker = (turn, "CUSTOMER") if isinstance(turn, str) else (turn[0], "OPERATOR")
        event = make_event(text=text, seq=seq, speaker=speaker, scenario=scenario)
        state = states.observe(event)
    return event, state


def planned(*said: str | tuple[str, int], scenario: str = "SALES",
            items: tuple[rt.KnowledgeItem, ...] = ()) -> rt.AnswerPlan | None:
    event, state = turns(*said, scenario=scenario)
    known = from_dialogue(state)
    results = evaluate(FACTS, known) if planner.ASKS_ELIGIBILITY.search(event.text) else []
    return planner.plan(event.text, scenario, event.seq, state, known, FACTS, results, list(items))


def test_a_payment_question_is_answered_with_the_computed_figure_and_the_apr_first() -> None:
    answer = planned("Okay. And what would the monthly payment be on $12,000 over 36 months?")
    expected = f"${monthly_payment(12000, 14.99, 36):,.0f}"
    assert (answer.card_kind, answer.answer_type) == ("answer", "payment")
    assert expected == "$416" and list(answer.facts) == ["14.99%", "$416"]
    assert answer.text.index("14.99%") < answer.text.index("$416")  # the APR before the payment
    assert answer.sources[0].id == "prod.personal-loan" and answer.sources[0].source


def test_the_payment_follows_a_correction_and_a_missing_term_is_asked_for() -> None:
    ask = planned("What would my monthly payment be on eight thousand dollars?")
    assert (ask.card_kind, ask.answer_type) == ("next_action", "ask_term") and "36" in ask.text
    answer = planned("I'd borrow eight thousand dollars over three years.", "Actually, make that ten thousand.",
                     "So what would the monthly payment be?")
    assert f"${monthly_payment(10000, 14.99, 36):,.0f}" in answer.facts


def test_eligibility_is_judged_on_the_stated_income_and_score() -> None:
    answer = planned("I'm looking at a $12,000 personal loan.",
                     "Would I even qualify? I make about $58,000 a year and my credit's decent, like 690.")
    assert answer.answer_type == "eligibility" and "$58,000" in answer.text and "690" in answer.text
    low = planned("Would I qualify for a personal loan? I make $30,000 a year and my score is 550.")
    assert low.answer_type == "eligibility" and "isn't available" in low.text


def test_card_details_for_a_fee_that_does_not_exist_is_a_warning() -> None:
    answer = planned("Can I just read you my card number to pay the application fee?")
    assert (answer.card_kind, answer.answer_type) == ("warning", "card_details_for_fee")
    assert "no application fee" in answer.text


@pytest.mark.parametrize("asked", [
    "I'm trying to figure out what $10,000 over 36 months would set me back each month.",
    "For $10,000 over 36 months, what's the monthly?",
    "What's the payment for $10,000 across 36 months?",
])
def test_a_payment_question_in_other_words(asked: str) -> None:
    answer = planned("I'd borrow over 36 months.", asked) if "across" in asked else planned(asked)
    assert answer.answer_type == "payment" and f"${monthly_payment(10000, 14.99, 36):,.0f}" in answer.facts


def test_a_figure_with_its_rate_is_not_a_payment_question() -> None:
    answer = planned("If I make $4,000 a month, would I qualify? My score is 700.")
    assert answer.answer_type == "eligibility"


@pytest.mark.parametrize(("asked", "fact"), [
    ("What do you charge when a payment is late?", "$29"),
    ("If my payment bounces, what's the charge?", "$25"),
    ("Is there a yearly fee on the secured card?", "$0"),
    ("Would you charge me anything for paying it off early?", "no prepayment penalty"),
    ("What happens if my payment gets returned?", "$25"),
])
def test_fee_questions_name_the_fee_asked_about_in_other_words(asked: str, fact: str) -> None:
    answer = planned(asked)
    assert answer.answer_type == "fee" and fact in answer.facts


def test_paying_a_real_fee_by_card_is_answered_not_warned() -> None:
    answer = planned("Can I pay the late fee with my card now?", scenario="COLLECTIONS")
    assert (answer.card_kind, answer.answer_type) == ("answer", "fee") and "$29" in answer.facts
    warned = planned("Can I read you my card number for the processing fee?", scenario="COLLECTIONS")
    assert warned.answer_type == "card_details_for_fee"
    sales = planned("My card is right here, want me to read you the numbers?")
    assert sales.answer_type == "card_details_for_fee"


def test_figures_stated_without_a_question_get_the_answer_they_make_possible() -> None:
    asked = "What's the monthly payment on $8,000 over 24 months?"
    what_if = planned(asked, "What if it was nine grand over 36 months?")
    assert what_if.answer_type == "payment" and f"${monthly_payment(9000, 14.99, 36):,.0f}" in what_if.facts
    corrected = planned(asked, "No wait, make that ten thousand.")
    assert f"${monthly_payment(10000, 14.99, 24):,.0f}" in corrected.facts
    for said, amount, term in (("Not eight, eleven thousand.", 11000, 24),
                               ("Hmm, what about over four years?", 8000, 48),
                               ("I said eight but I meant nine grand.", 9000, 24)):
        assert f"${monthly_payment(amount, 14.99, term):,.0f}" in planned(asked, said).facts, said
    reply = planned("Would I qualify for $15,000?", "I earn eighty thousand a year and my score is seven twenty.")
    assert reply.answer_type == "eligibility" and "you meet" in reply.text
    score = planned("My score is about 690, what APR would I get?", "Sorry, it's actually 735.")
    assert score.answer_type == "rate" and "8.99%" in score.facts
    assert planned("I'd like to borrow eight thousand dollars.") is None  # no term yet: nothing to compute


def test_a_third_party_on_the_line_is_a_warning() -> None:
    answer = planned("My husband is on the line with me, he handles the bills.", scenario="COLLECTIONS")
    assert (answer.card_kind, answer.answer_type) == ("warning", "third_party")


def test_account_questions_before_verification_get_verify_identity_first() -> None:
    assert planned("What's my balance right now?", scenario="SERVICE").answer_type == "verify_identity"
    verified = planned(("Thank you, you're verified.", 0), "What's my balance right now?", scenario="SERVICE")
    assert verified is None or verified.answer_type != "verify_identity"
    given = planned("Sure, it's [NAME], date of birth [DOB], email [EMAIL].", scenario="SERVICE",
                    items=(REGULATION,))
    assert given.answer_type == "confirm_identity" and "Gramm" not in given.text


@pytest.mark.parametrize("asked", ["How much is left on my loan?", "When's my next installment due?",
                                   "How far behind am I?", "What's the outstanding balance?"])
def test_account_questions_in_other_words_get_verify_identity_first(asked: str) -> None:
    assert planned(asked, scenario="COLLECTIONS").answer_type == "verify_identity"


def grounded(text: str, items: tuple[rt.KnowledgeItem, ...], plan: rt.AnswerPlan | None = None,
             seq: int = 1) -> rt.GroundedEvent:
    event = make_event(text=text, seq=seq, scenario="SALES")
    message = grounded_event(classified_event(event), items=list(items))
    if plan is not None:
        message.plan.CopyFrom(plan)
    return message


def generator() -> Generator:
    return Generator(None, load_policy(), dataclasses.replace(load(GenerationConfig, {})))


def test_a_regulation_is_shown_as_guidance_not_as_a_reply() -> None:
    plan = planned("Why do you need all this information?", items=(REGULATION,))
    draft = asyncio.run(generator().draft(grounded("Why do you need all this information?", (REGULATION,), plan)))
    assert draft.card_kind == gen.CARD_KIND_GUIDANCE and draft.text.startswith("Guidance")
    scripted = asyncio.run(generator().draft(grounded("Tell me more.", (REGULATION, SCRIPT))))
    assert scripted.card_kind == gen.CARD_KIND_ANSWER and "protect the security" not in scripted.text


def test_no_card_is_offered_twice_in_a_call_unless_the_question_is_asked_again() -> None:
    copilot = generator()
    first = asyncio.run(copilot.draft(grounded("How much can I borrow?", (SCRIPT, FAQ), seq=1)))
    second = asyncio.run(copilot.draft(grounded("Hmm, okay.", (SCRIPT, FAQ), seq=2)))
    third = asyncio.run(copilot.draft(grounded("Right.", (SCRIPT, FAQ), seq=3)))
    assert first.text != second.text and third.text == ""  # nothing new to offer: no card
    plan = planned("What would the monthly payment be on $12,000 over 36 months?")
    asked = [asyncio.run(copilot.draft(grounded("payment?", (SCRIPT,), plan, seq=s))).text for s in (4, 5)]
    assert asked[0] == asked[1] == plan.text  # asked again: answered again


def test_the_console_view_says_which_kind_of_card_it_is():
    """Guidance (regulation text) reaches the console marked as such, so it is drawn as reading matter, not a reply."""
    from seatcopilot import views
    from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
    from seatcopilot.contracts.generation.v1 import generation_pb2 as gen

    call = ev.CallRef(call_id="c", seq=3)
    draft = gen.SuggestionDraft(call=call, text="Regulation B: ...", card_kind=gen.CARD_KIND_GUIDANCE,
                                answer_type="guidance", answer_facts=["ECOA"])
    steered = cp.SteeredSuggestion(call=call, draft=draft, text="Regulation B: ...")
    view = views.suggestion_view(steered)
    assert (view["card_kind"], view["answer_type"], view["answer_facts"]) == ("GUIDANCE", "guidance", ["ECOA"])
