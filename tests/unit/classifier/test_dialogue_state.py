"""The classifier stage's dialogue state: facts by speaker and turn, spoken forms, corrections, promises."""

from __future__ import annotations

from datetime import date

import pytest
from google.protobuf import timestamp_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from services.classifier import spoken
from services.classifier.dialogue import DialogueStates, current

CALL_DAY = 1795269600  # 2026-11-20 10:00 UTC


def utterance(seq: int, text: str, speaker: int = ev.SPEAKER_CUSTOMER, call_id: str = "c1") -> ev.CallEvent:
    return ev.CallEvent(call_id=call_id, seq=seq, type=ev.EVENT_TYPE_UTTERANCE, speaker=speaker, text=text,
                        ts=timestamp_pb2.Timestamp(seconds=CALL_DAY + seq))


def run(*turns: str | tuple[str, int]) -> object:
    states = DialogueStates()
    state = None
    for seq, turn in enumerate(turns, start=1):
        text, speaker = (turn, ev.SPEAKER_CUSTOMER) if isinstance(turn, str) else turn
        state = states.observe(utterance(seq, text, speaker))
    return state


@pytest.mark.parametrize(("said", "written"), [
    ("eight thousand dollars", "$8000 dollars"),
    ("I can do three fifty on the first", "I can do 350 on the 1st"),
    ("over three years", "over 3 years"),
    ("fourteen point nine nine percent", "14.99 percent"),
    ("twelve thousand five hundred", "$12500"),
    ("a thousand a month", "$1000 a month"),
    ("just a second", "just a second"),
    ("my score is six eighty five", "my score is 685"),
    ("about nine and a half thousand", "about $9500"),
    ("two and a half years", "30 months"),
    ("twenty one hundred a month", "$2100 a month"),
    ("about 12 thousand, or 4 grand a month", "about $12000, or $4000 a month"),
    ("score seven ten, or seven oh five", "score 710, or 705"),
])
def test_spoken_numbers_are_written_as_digits(said: str, written: str) -> None:
    assert spoken.normalize(said) == written


def test_relative_dates_resolve_against_the_call_day() -> None:
    today = date(2026, 11, 20)
    assert [d[1] for d in spoken.dates_in("on the 1st", today)] == [date(2026, 12, 1)]
    assert [d[1] for d in spoken.dates_in("the 15th of next month", today)] == [date(2026, 12, 15)]
    assert [d[1] for d in spoken.dates_in("tomorrow", today)] == [date(2026, 11, 21)]
    assert spoken.dates_in("I was born July 2nd, 1985", today) == []


def test_amount_term_income_and_score_by_turn() -> None:
    state = run("What would the monthly payment be on $12,000 over 36 months?",
                "I make about sixty five thousand a year and my credit score is around 690.")
    assert current(state, "amount").number == 12000 and current(state, "amount").seq == 1
    assert current(state, "term_months").number == 36
    assert current(state, "annual_income").number == 65000 and current(state, "annual_income").seq == 2
    assert current(state, "credit_score").number == 690
    assert current(state, "amount").speaker == ev.SPEAKER_CUSTOMER


def test_a_correction_replaces_the_earlier_amount() -> None:
    state = run("I'd like to borrow eight thousand dollars over three years.", "Actually, make that ten thousand.")
    assert current(state, "amount").number == 10000
    assert current(state, "amount").seq == 2
    assert [s.number for s in state.replaced if s.name == "amount"] == [8000]
    assert current(state, "term_months").number == 36  # the term was not corrected


def test_a_term_correction_in_words() -> None:
    state = run("A $9,000 loan over 36 months.", "Sorry, I meant forty eight months.")
    assert current(state, "term_months").number == 48
    assert current(state, "amount").number == 9000


def test_a_spoken_promise_keeps_amount_date_and_schedule() -> None:
    state = run("I can pay three fifty on the first of every month.")
    (promise,) = state.promises
    assert promise.amount == 350
    assert promise.date.startswith("2026-12-01")
    assert promise.schedule == "monthly"


def test_hardship_third_party_card_offer_and_identity() -> None:
    state = run("My hours got cut and money's been tight.", "My wife is on the line with me.",
                "I can read you my card number for the application fee.",
                ("Thank you, you're verified.", ev.SPEAKER_OPERATOR))
    assert state.hardship and state.third_party and state.card_details_offered and state.identity_verified
    assert state.third_party_seq == 2 and state.card_details_seq == 3


def test_operator_figures_are_mentions_not_customer_slots() -> None:
    state = run(("You'd need at least $24,000 a year in income.", ev.SPEAKER_OPERATOR))
    assert current(state, "annual_income") is None
    assert [(m.text, m.speaker) for m in state.mentions] == [("$24,000", ev.SPEAKER_OPERATOR)]


def test_redelivery_changes_nothing_and_the_state_survives_in_its_table() -> None:
    table: dict[str, bytes] = {}
    states = DialogueStates(table)
    states.observe(utterance(1, "I need $5,000."))
    again = DialogueStates(table).observe(utterance(1, "I need $7,000."))  # a restarted stage, a redelivery
    assert current(again, "amount").number == 5000
    ended = ev.CallEvent(call_id="c1", seq=2, type=ev.EVENT_TYPE_CALL_ENDED)
    assert current(states.observe(ended), "amount").number == 5000 and "c1" not in table


@pytest.mark.parametrize(("said", "slots"), [
    ("I clear about seventy thousand a year and my FICO is around seven oh five.", {"annual_income": "$70,000"}),
    ("Someone with a 660 score and $52,000 income, would they qualify?",
     {"annual_income": "$52,000", "credit_score": "660"}),
    ("I take home twenty one hundred a month.", {"annual_income": "$25,200"}),
    ("I'd use it to pay off $9,000 of store card debt over three years.",
     {"amount": "$9,000", "term_months": "36 months"}),
    ("Maybe $4,500, spread over 36 months.", {"amount": "$4,500", "term_months": "36 months"}),
    ("Sixty months works for me.", {"term_months": "60 months"}),
    ("What if I borrowed $15,000 and went with five years?", {"amount": "$15,000", "term_months": "60 months"}),
    ("I've been at my job for 5 years.", {}),
    ("I'm making about 3,500 a month.", {"annual_income": "$42,000"}),
    ("What APR would someone with a six forty get?", {"credit_score": "640"}),
])
def test_slots_from_other_wordings(said: str, slots: dict[str, str]) -> None:
    state = run(said)
    assert {s.name: s.text for s in state.slots if s.name in slots} == slots


def test_a_figure_after_an_article_is_a_score_only_when_nothing_says_otherwise() -> None:
    assert current(run("I've got a 715, what rate is that?"), "credit_score").text == "715"
    assert current(run("I have a 400 dollar car payment and a 500 a month rent."), "credit_score") is None


def test_a_relative_on_the_line_and_a_card_offered_in_other_words() -> None:
    assert run("Hello, I'm his son, he asked me to sort this out.").third_party
    assert run("I'm calling on her behalf.").third_party
    assert run("My debit card is in my hand, should I read you the numbers?").card_details_offered
    assert not run("Can I read you the reference number?").card_details_offered
