"""The answer planner: for each customer turn, what the operator needs, from the question asked, the
call's dialogue state (the classifier stage's) and the graph's facts, with sources.

- a direct answer, computed where numbers are involved: the amortized monthly payment for the stated
  amount and term at the rate sheet's representative APR (APR first, as the sales pack requires);
  eligibility judged by the graph's rules on the stated income and score; fee facts; APR ranges;
- the next best action when something is missing (ask for the term or amount; verify identity first);
- a warning when the turn is a risk (card details offered for a fee that does not exist; a third party);
- regulation text only as operator guidance (card kind "guidance"), never as a line to say.

Returns None when the turn asks nothing it answers: generation then uses the top script line.
"""

from __future__ import annotations

import re

from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.utterance_facts import mentioned_products

from services.retrieval.eligibility import EligibilityFacts, evaluate, monthly_payment
from services.retrieval.entities import CustomerAttributes
from services.retrieval.knowledge import ProductFacts

ASKS_PAYMENT = re.compile(r"\b(monthly payments?|payments? (?:be|would be|come to|look like)|how much (?:a|per|each) "
                          r"month|what would i pay|how much would i pay|pay (?:a|per|each) month|"
                          r"cost (?:me )?(?:a |per |each )?month(?:ly)?)\b", re.IGNORECASE)
# A question about a monthly figure in other words: "what's the monthly on that?", "what would $9,500 run me per
# month?", "I was wondering what I'd be looking at each month". Not "I make $5,000 a month" (a figure's rate).
_PER_MONTH = re.compile(r"(?<![\d,.$]\s)(?<!\dk\s)(?<!dollars\s)\b(?:the monthly|"
                        r"monthly(?! (?:income|salary|pay\b|rent|debt|bills?))|(?:a|per|each|every) month|"
                        r"(?:the|a) payment (?:on|for))\b", re.IGNORECASE)
_WHAT_HAPPENS = re.compile(r"\bwhat happens (?:if|when)\b", re.IGNORECASE)
QUESTION = re.compile(r"\?|\b(wondering|curious|tell me|want to know|like to know|let me know)\b", re.IGNORECASE)
ASKS_FEE = re.compile(r"\b(fees?|penalty|penalties|charges?(?!\s*-?\s*off)|cost to|cost anything)\b", re.IGNORECASE)
ASKS_RATE = re.compile(r"\b(apr|rates?|interest)\b", re.IGNORECASE)
ASKS_ELIGIBILITY = re.compile(r"\b(qualify|qualified|eligible|eligibility|approved|approve me)\b", re.IGNORECASE)
ASKS_ACCOUNT = re.compile(r"\b((?:my|his|her|the) (?:current |account |loan |outstanding |remaining |total )?"
                          r"(?:balance|account|payoff|due date|statement|last payment)|"
                          r"how much (?:do i|does (?:he|she)|he|she|i) owes?|what do(?:es)? (?:i|he|she) owe|"
                          r"when(?:'s| is| was) (?:my|his|her) (?:next )?(?:payment|installment|bill)|payoff amount|"
                          r"(?:how much|what)(?:'s| is) (?:left|remaining) (?:on|to pay)|(?:do|does) (?:i|he|she) "
                          r"still owe|"
                          r"(?:my|his|her) (?:next )?(?:payment|installment|bill) is due|how (?:much|far)(?: am i| is "
                          r"(?:he|she)| are we)? behind|past[- ]due amount|how much is (?:past[- ]due|overdue))\b",
                          re.IGNORECASE)
GIVES_IDENTITY = re.compile(r"\[(?:NAME|DOB|EMAIL|SSN|ADDRESS|PHONE)\]|\b(?:my name is|date of birth|born on|"
                            r"last four|social security)\b", re.IGNORECASE)
NONEXISTENT_FEES = re.compile(r"\b(application|processing|approval|activation|upfront|up-front|insurance)\s+fee\b",
                              re.IGNORECASE)
FEE_NAMES = {"late_fee": "late fee", "returned_payment_fee": "returned payment fee", "annual_fee": "annual fee"}
# How a customer names each fee: "late charge", "if a payment bounces", "a yearly charge to keep it open".
FEE_WORDS = {
    "late_fee": re.compile(r"\b(late|miss(?:ed)? (?:a|this|my|the) (?:\w+ )?payment|behind)\b", re.IGNORECASE),
    "returned_payment_fee": re.compile(r"\b(returned|bounc\w*|nsf|insufficient funds)\b", re.IGNORECASE),
    "annual_fee": re.compile(r"\b(annual\w*|yearly|every year|per year|keep (?:it|the \w+) open)\b",
                             re.IGNORECASE),
}


def asks_fee(text: str) -> bool:
    """A fee question, or one about what a late or returned payment costs ("what happens if it bounces?")."""
    return bool(ASKS_FEE.search(text)) or bool(
        _WHAT_HAPPENS.search(text) and (FEE_WORDS["late_fee"].search(text) or
                                        FEE_WORDS["returned_payment_fee"].search(text)))


def asks_payment(text: str) -> bool:
    """A question about the monthly payment, however it is worded (a fee or eligibility question is not one)."""
    return bool(ASKS_PAYMENT.search(text)) or bool(
        QUESTION.search(text) and _PER_MONTH.search(text) and not ASKS_FEE.search(text)
        and not ASKS_ELIGIBILITY.search(text))


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _percent(value: float) -> str:
    return f"{value:.2f}%"


def product_source(product: ProductFacts) -> rt.KnowledgeItem:
    return rt.KnowledgeItem(id=product.item, kind="PRODUCT", title=product.name, source=product.source,
                            version=product.version, effective_date=product.effective_date,
                            node_ids=[f"Product:{product.key}", product.item])


def _item(items: list[rt.KnowledgeItem], *ids: str) -> list[rt.KnowledgeItem]:
    return [i for i in items if i.id in ids]


def _plan(kind: str, answer_type: str, text: str, facts: list[str], sources: list[rt.KnowledgeItem]) -> rt.AnswerPlan:
    return rt.AnswerPlan(card_kind=kind, answer_type=answer_type, text=text, facts=facts, sources=sources)


def _chosen_product(facts: EligibilityFacts, known: CustomerAttributes, text: str) -> ProductFacts | None:
    """The product named in this turn, else the personal loan when the call is about it, else the first named."""
    named_now = mentioned_products(text)
    now = [p for p in facts.products if p.key in named_now and p.key != "personal-loan"]
    if now:
        return now[0]
    wanted = [p for p in facts.products if p.key in known.products] or list(facts.products)
    return next((p for p in wanted if p.key == "personal-loan"), wanted[0] if wanted else None)


def payment_answer(product: ProductFacts, known: CustomerAttributes) -> rt.AnswerPlan:
    if known.amount is None:
        return _plan("next_action", "ask_amount", "How much would you like to borrow? Our personal loans run from "
                     f"{_money(product.amount_min)} to {_money(product.amount_max)}.",
                     [_money(product.amount_min), _money(product.amount_max)], [product_source(product)])
    if known.term_months is None:
        terms = ", ".join(str(t) for t in product.terms_months[:-1]) + f" or {product.terms_months[-1]}"
        return _plan("next_action", "ask_term", f"Over how many months would you like to repay the "
                     f"{_money(known.amount)}? We offer {terms} months.", [f"{terms} months"],
                     [product_source(product)])
    apr = product.representative_apr or product.apr_max
    payment = monthly_payment(known.amount, apr, known.term_months)
    text = (f"At an example APR of {_percent(apr)}, {_money(known.amount)} over {known.term_months} months comes to "
            f"about {_money(payment)} a month. Your actual APR, from {_percent(product.apr_min)} to "
            f"{_percent(product.apr_max)}, depends on the credit review.")
    return _plan("answer", "payment", text, [_percent(apr), _money(payment)], [product_source(product)])


def eligibility_answer(results: list[rt.EligibilityResult], known: CustomerAttributes, product: ProductFacts,
                       items: list[rt.KnowledgeItem]) -> rt.AnswerPlan | None:
    result = next((r for r in results if r.product == product.key), next(iter(results), None))
    if result is None:
        return None
    sources = _item(items, "eligibility") or [i for i in items if i.kind == "ELIGIBILITY"][:1]
    if result.decision == rt.DECISION_UNDETERMINED and {"annual_income", "credit_score"} & set(
            result.missing_attributes):
        return _plan("next_action", "ask_income_score", "To check, could you tell me your yearly income and "
                     "roughly what your credit score is?", ["income", "credit score"], sources)
    stated = [f"{_money(known.annual_income)} a year" if known.annual_income is not None else "",
              f"a {known.credit_score} credit score" if known.credit_score is not None else ""]
    said = " and ".join(s for s in stated if s)
    if result.decision == rt.DECISION_NOT_ELIGIBLE:
        failed = [c.explanation for c in result.checks if c.outcome == rt.RULE_OUTCOME_FAIL]
        text = (f"With {said}, the {result.product_name.lower()} isn't available: {failed[0] if failed else ''}"
                .rstrip(": ") + ". The secured card may be an option.")
        return _plan("answer", "eligibility", text, ["not eligible"], sources)
    text = (f"With {said}, you meet the income and credit-score requirements for the "
            f"{result.product_name.lower()}. It's a preliminary check; the credit review makes the final decision.")
    facts = ["meet" if result.decision == rt.DECISION_ELIGIBLE else "preliminary"]
    return _plan("answer", "eligibility", text, facts, sources)


def fee_answer(text: str, product: ProductFacts, items: list[rt.KnowledgeItem]) -> rt.AnswerPlan:
    fees = dict(product.fees)
    sources = [product_source(product), *_item(items, "policy.fee-schedule")]
    asked_for = NONEXISTENT_FEES.search(text)
    if asked_for:
        name = asked_for.group(1).lower()
        return _plan("answer", "fee", f"There's no {name} fee. The only fee at the start is the origination fee of "
                     f"0% to {fees.get('origination_pct_max', 0):g}%, already included in the APR.",
                     [f"no {name} fee"], sources)
    named = [(key, label) for key, label in FEE_NAMES.items() if FEE_WORDS[key].search(text)]
    if named:  # the fee asked about, and only it
        said = [f"the {label} is {_money(fees.get(key, 0))}" for key, label in named]
        return _plan("answer", "fee", f"{' and '.join(said).capitalize()}.",
                     [_money(fees.get(key, 0)) for key, _ in named], sources)
    parts = [f"an origination fee of 0% to {fees.get('origination_pct_max', 0):g}%, taken out of the loan amount "
             "and included in the APR"] if fees.get("origination_pct_max") else []
    parts.append("no prepayment penalty")
    facts = [f"0% to {fees.get('origination_pct_max', 0):g}%"] if fees.get("origination_pct_max") else []
    facts.append("no prepayment penalty")
    return _plan("answer", "fee", "There's " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "")
                 + parts[-1] + ".", facts, sources)


def rate_answer(product: ProductFacts, known: CustomerAttributes, facts: EligibilityFacts) -> rt.AnswerPlan:
    band = next((b for b in facts.bands if known.credit_score is not None
                 and b.score_min <= known.credit_score <= b.score_max), None)
    apr_range = band.apr_for(product.key) if band else None
    if apr_range:
        text = (f"For a {known.credit_score} score, {product.name.lower()} APRs usually run "
                f"{_percent(apr_range[0])} to {_percent(apr_range[1])}; the credit review sets your exact APR.")
        return _plan("answer", "rate", text, [_percent(apr_range[0]), _percent(apr_range[1])],
                     [product_source(product)])
    text = (f"Our {product.name.lower()} APRs run from {_percent(product.apr_min)} to {_percent(product.apr_max)}, "
            "based on a credit review.")
    return _plan("answer", "rate", text, [_percent(product.apr_min), _percent(product.apr_max)],
                 [product_source(product)])


def card_for_no_fee(text: str, scenario: str) -> bool:
    """Card details offered where no fee is owed: for a fee that does not exist, for a fee left unnamed, or in a
    sales call (nothing is paid by card to get a loan). Paying a real fee (late, returned) by card is no risk."""
    if NONEXISTENT_FEES.search(text):
        return True
    if any(words.search(text) for words in FEE_WORDS.values()):
        return False
    return scenario == "SALES" or bool(ASKS_FEE.search(text))


def risk_card(text: str, scenario: str, state: dg.DialogueState, seq: int,
              items: list[rt.KnowledgeItem]) -> rt.AnswerPlan | None:
    if state.card_details_offered and state.card_details_seq == seq and card_for_no_fee(text, scenario):
        return _plan("warning", "card_details_for_fee", "Warning: the customer offers card details for a fee that "
                     "does not exist. Say: \"Please don't share your card number — there's no application fee.\"",
                     ["no application fee"], _item(items, "policy.fee-schedule"))
    if state.third_party and state.third_party_seq == seq:
        return _plan("warning", "third_party", "Warning: a third party is on the line. Do not discuss the account "
                     "until the account holder confirms they may listen.", ["third party"],
                     _item(items, "reg.fdcpa-third-party", "policy.wrong-party"))
    return None


def identity_card(text: str, state: dg.DialogueState, scenario: str) -> rt.AnswerPlan | None:
    if state.identity_verified or scenario not in ("SERVICE", "COLLECTIONS"):
        return None
    if GIVES_IDENTITY.search(text):
        return _plan("next_action", "confirm_identity", "Check the details against the account; once they match, "
                     "say: \"Thank you, you're verified.\"", ["verified"], [])
    if ASKS_ACCOUNT.search(text):
        return _plan("next_action", "verify_identity", "Before I can look at the account, I need to verify your "
                     "identity. Could you confirm your full name and date of birth?", ["verify"], [])
    return None


def answer_from_stated_figures(seq: int, state: dg.DialogueState, known: CustomerAttributes, product: ProductFacts,
                               facts: EligibilityFacts, results: list[rt.EligibilityResult],
                               items: list[rt.KnowledgeItem]) -> rt.AnswerPlan | None:
    """A turn that states figures without asking ("say seven grand over five years", "actually it's 730", the
    reply to the card's own question) gets the answer they make possible: the payment once amount and term are
    known, eligibility once income and score are, else the APR band for a stated score. The figures are the
    dialogue state's slots this turn set."""
    now = {slot.name for slot in state.slots if slot.seq == seq}
    if now & {"amount", "term_months"} and known.amount is not None and known.term_months is not None and (
            product.terms_months):
        return payment_answer(product, known)
    if now & {"annual_income", "credit_score"} and known.annual_income is not None and known.credit_score is not None:
        return eligibility_answer(results or evaluate(facts, known), known, product, items)
    if "credit_score" in now:
        return rate_answer(product, known, facts)
    return None


def plan(text: str, scenario: str, seq: int, state: dg.DialogueState, known: CustomerAttributes,
         facts: EligibilityFacts | None, results: list[rt.EligibilityResult],
         items: list[rt.KnowledgeItem]) -> rt.AnswerPlan | None:
    """The answer for this customer turn, or None when it asks nothing the planner answers."""
    found = risk_card(text, scenario, state, seq, items) or identity_card(text, state, scenario)
    if found is not None:
        return found
    product = _chosen_product(facts, known, text) if facts is not None else None
    if product is not None and facts is not None and scenario == "SALES":
        if NONEXISTENT_FEES.search(text):
            return fee_answer(text, product, items)
        if asks_payment(text) and product.terms_months:
            return payment_answer(product, known)
        eligibility = eligibility_answer(results, known, product, items) if ASKS_ELIGIBILITY.search(text) else None
        if eligibility is not None:
            return eligibility
        if asks_fee(text):
            return fee_answer(text, product, items)
        if ASKS_RATE.search(text) and "?" in text:
            return rate_answer(product, known, facts)
        stated = answer_from_stated_figures(seq, state, known, product, facts, results, items)
        if stated is not None:
            return stated
    elif product is not None and (asks_fee(text) or NONEXISTENT_FEES.search(text)) and "?" in text:
        return fee_answer(text, product, items)
    regulation = next((i for i in items if i.kind == "REGULATION"), None)
    if regulation is not None and not any(i.kind in ("SCRIPT", "OBJECTION_HANDLER", "FAQ") for i in items):
        return _plan("guidance", "regulation", f"Guidance ({regulation.title}): {regulation.text}", [], [regulation])
    return None
