"""What customers say about themselves, and eligibility evaluated over the knowledge base's rules."""

import asyncio

import pytest
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt

from services.retrieval.config import DEFAULT_KB
from services.retrieval.eligibility import evaluate, monthly_payment
from services.retrieval.entities import CallMemory, CustomerAttributes, extract_attributes
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.stores import EmbeddedGraphStore

A = CustomerAttributes


@pytest.mark.parametrize(("text", "expected"), [
    ("What would the monthly payment be on $12,000 over 36 months?", A(amount=12000, term_months=36)),
    ("Would I even qualify? I make about $58,000 a year and my credit's decent, like 690.",
     A(annual_income=58000, credit_score=690)),
    ("I bring home $4,200 a month", A(annual_income=50400)),
    ("I make 72k and I owe about $900 a month on student loans", A(annual_income=72000, monthly_debt=900)),
    ("I pay $1,200 rent and a $250 car payment", A(monthly_debt=1450)),
    ("I live in Iowa, can I get a loan?", A(state="IA", products=("personal-loan",))),
    ("I'm from West Virginia", A(state="WV")),
    ("we just moved to TX", A(state="TX")),
    ("my debt to income ratio is about 30%", A(debt_to_income=0.3)),
    ("I want a secured card with a $500 deposit", A(amount=500, products=("secured-card",))),
    ("I need to borrow 25k for a 5-year loan", A(amount=25000, term_months=60, products=("personal-loan",))),
    ("my FICO is 580", A(credit_score=580)),
])
def test_customer_attributes_are_read_from_what_they_say(text, expected):
    assert extract_attributes(text) == expected


@pytest.mark.parametrize("text", [
    "I can pay $200 on the 1st of next month",      # a promise, not a loan amount
    "I lost my job two weeks ago",
    "I've been at my job for 3 years",               # not a loan term
    "about $2,000 in credit card debt",              # a balance, not a monthly payment
    "I'm in a hurry, sorry",                         # "in" + a word that is not a state
    "my card ends in 1111",
])
def test_what_is_not_an_attribute_is_not_read_as_one(text):
    assert extract_attributes(text) == A()


def test_the_call_remembers_what_the_customer_said_until_it_ends():
    memory = CallMemory(capacity=2)
    memory.learn("c1", "I'm looking at a $12,000 loan over 36 months")
    memory.learn("c1", "I make $58,000 a year.")
    known = memory.learn("c1", "Actually I'd rather borrow $15,000.")
    assert (known.amount, known.term_months, known.annual_income) == (15000, 36, 58000)
    assert known.products == ("personal-loan",)
    memory.learn("c2", "I live in Ohio")
    memory.learn("c3", "hello")  # over capacity: the least recently active call goes
    assert memory.known("c1") == A()
    memory.forget("c2")
    assert memory.known("c2") == A() and len(memory) == 1


@pytest.fixture(scope="module")
def facts():
    kb = load_knowledge_base(DEFAULT_KB)
    store = EmbeddedGraphStore(kb, embeddings=None)  # eligibility reads no embeddings
    return asyncio.run(store.eligibility(()))


def decide(facts, **known):
    return {r.product: r for r in evaluate(facts, A(**known))}


def test_payment_estimate_matches_the_rate_sheet_example():
    assert round(monthly_payment(12000, 14.99, 36)) == 416


def test_state_restriction_decides_with_the_rule_that_says_so(facts):
    results = decide(facts, state="IA", annual_income=58000)
    for product in ("personal-loan", "line-of-credit"):
        assert results[product].decision == rt.DECISION_NOT_ELIGIBLE
        assert list(results[product].deciding_rule_ids) == ["rule.state-availability"]
    card = results["secured-card"]
    assert card.decision == rt.DECISION_ELIGIBLE and "rule.min-income" in card.deciding_rule_ids
    check = next(c for c in results["personal-loan"].checks if c.rule_id == "rule.state-availability")
    assert check.source and check.version and check.effective_date and check.stated_in == "policy.eligibility"


def test_income_and_credit_score_minimums(facts):
    low_income = decide(facts, annual_income=20000)
    assert all(r.decision == rt.DECISION_NOT_ELIGIBLE for r in low_income.values())
    low_score = decide(facts, credit_score=580, annual_income=40000, state="TX")
    assert low_score["personal-loan"].decision == rt.DECISION_NOT_ELIGIBLE
    assert list(low_score["personal-loan"].deciding_rule_ids) == ["rule.min-credit-score"]
    assert low_score["secured-card"].decision == rt.DECISION_ELIGIBLE


def test_debt_to_income_includes_the_new_payment_at_the_top_of_the_band(facts):
    base = {"annual_income": 60000, "credit_score": 690, "state": "TX", "amount": 12000, "term_months": 36}
    ok = decide(facts, monthly_debt=1500, **base)["personal-loan"]
    assert ok.decision == rt.DECISION_ELIGIBLE
    dti = next(c for c in ok.checks if c.rule_id == "rule.max-dti")
    assert "18.99% APR" in dti.explanation and "39%" in dti.explanation  # (1500 + 440) / 5000
    over = decide(facts, monthly_debt=1900, **base)["personal-loan"]
    assert over.decision == rt.DECISION_NOT_ELIGIBLE and list(over.deciding_rule_ids) == ["rule.max-dti"]


def test_debt_already_over_the_limit_fails_before_any_new_payment(facts):
    results = decide(facts, annual_income=36000, monthly_debt=1500, credit_score=700, state="OH")
    assert results["personal-loan"].decision == rt.DECISION_NOT_ELIGIBLE
    assert "before the new payment" in next(c for c in results["personal-loan"].checks
                                            if c.rule_id == "rule.max-dti").explanation


def test_amount_and_term_count_only_when_stated(facts):
    too_much = decide(facts, amount=50000, term_months=30, annual_income=90000, credit_score=760, state="CA",
                      monthly_debt=200)["personal-loan"]
    assert set(too_much.deciding_rule_ids) == {"rule.personal-loan.amount", "rule.personal-loan.term"}
    open_question = decide(facts, annual_income=90000, credit_score=760, state="CA", monthly_debt=200)
    assert open_question["personal-loan"].decision == rt.DECISION_UNDETERMINED
    assert list(open_question["personal-loan"].missing_attributes) == ["amount"]
    assert open_question["line-of-credit"].decision == rt.DECISION_UNDETERMINED


def test_nothing_known_leaves_every_product_open_with_what_to_ask(facts):
    results = decide(facts)
    assert all(r.decision == rt.DECISION_UNDETERMINED for r in results.values())
    assert set(results["personal-loan"].missing_attributes) == {"annual_income", "monthly_debt", "credit_score",
                                                                "state"}
    assert "still needed" in results["secured-card"].summary
