"""Eligibility: the rules the graph holds for a product, evaluated for what the customer has said.

Both stores hand over the same facts (products, rules, credit bands) and this one evaluator
decides, so the answer and the rules that decided it are the same in both run modes. The result
is preliminary by design: it never approves anyone; the credit review decides.
"""

from __future__ import annotations

from dataclasses import dataclass

from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt

from services.retrieval.entities import CustomerAttributes
from services.retrieval.knowledge import CreditBand, EligibilityRule, ProductFacts

ASK_FOR = {
    "annual_income": "yearly income", "monthly_debt": "monthly debt payments", "credit_score": "credit score",
    "state": "state of residence", "amount": "amount", "term_months": "term in months",
    "debt_to_income": "debt-to-income ratio",
}
ELIGIBLE_WORDS = "meets every rule checked (preliminary; the credit review decides)"


@dataclass(frozen=True)
class EligibilityFacts:
    """What a store returns for an eligibility question: the products asked about and their rules."""

    products: tuple[ProductFacts, ...]
    rules: tuple[EligibilityRule, ...]
    bands: tuple[CreditBand, ...]


def band_for(score: int | None, bands: tuple[CreditBand, ...]) -> CreditBand | None:
    if score is None:
        return None
    return next((b for b in bands if b.score_min <= score <= b.score_max), None)


def monthly_payment(amount: float, apr_percent: float, months: int) -> float:
    rate = apr_percent / 100 / 12
    if rate == 0:
        return amount / months
    return amount * rate / (1 - (1 + rate) ** -months)


def _money(value: float) -> str:
    return f"${value:,.0f}"


def new_payment(product: ProductFacts, known: CustomerAttributes,
                bands: tuple[CreditBand, ...]) -> tuple[float | None, str, list[str]]:
    """(estimated new monthly payment, how it was estimated, attributes still needed).

    Conservative on purpose: the top of the customer's band (or of the product's range) prices it.
    """
    if known.amount is None:
        return None, "", ["amount"]
    if product.min_payment_pct:
        payment = max(product.min_payment, known.amount * product.min_payment_pct / 100)
        return payment, f"{_money(payment)} minimum payment on {_money(known.amount)}", []
    if known.term_months is None:
        return None, "", ["term_months"]
    band = band_for(known.credit_score, bands)
    band_apr = band.apr_for(product.key) if band else None
    apr = band_apr[1] if band_apr else product.apr_max
    payment = monthly_payment(known.amount, apr, known.term_months)
    return payment, (f"{_money(payment)} new payment on {_money(known.amount)} over {known.term_months} months "
                     f"at {apr:.2f}% APR"), []


def debt_to_income(rule: EligibilityRule, product: ProductFacts, known: CustomerAttributes,
                   bands: tuple[CreditBand, ...]) -> tuple[float | None, str, list[str]]:
    if known.debt_to_income is not None:
        return known.debt_to_income, f"debt-to-income {known.debt_to_income:.0%} as the customer stated it", []
    income, debt = known.annual_income, known.monthly_debt
    if income is None or debt is None:
        return None, "", [name for name, value in (("annual_income", income), ("monthly_debt", debt)) if value is None]
    monthly_income = income / 12
    current = debt / monthly_income
    payment, how, still_needed = new_payment(product, known, bands)
    if payment is None:
        if rule.max is not None and current > rule.max:  # already over before any new payment
            return current, (f"debt-to-income already {current:.0%} before the new payment "
                             f"({_money(debt)} / {_money(monthly_income)} monthly income)"), []
        return None, "", still_needed
    ratio = (debt + payment) / monthly_income
    return ratio, (f"debt-to-income {ratio:.0%} = ({_money(debt)} debts + {how}) / "
                   f"{_money(monthly_income)} monthly income"), []


def _limits(rule: EligibilityRule) -> str:
    if rule.not_in:
        return "not offered in " + ", ".join(rule.not_in)
    if rule.one_of:
        return "one of " + ", ".join(f"{v:g}" for v in rule.one_of)
    if rule.attribute == "debt_to_income":
        return f"at most {rule.max:.0%}" if rule.max is not None else f"at least {rule.min:.0%}"
    money = rule.attribute in ("annual_income", "amount")
    show = _money if money else (lambda v: f"{v:g}")
    if rule.min is not None and rule.max is not None:
        return f"between {show(rule.min)} and {show(rule.max)}"
    if rule.min is not None:
        return f"at least {show(rule.min)}"
    return f"at most {show(rule.max)}" if rule.max is not None else "any value"


def passes(rule: EligibilityRule, value: float | str) -> bool:
    if isinstance(value, str):
        return value not in rule.not_in
    return ((rule.min is None or value >= rule.min) and (rule.max is None or value <= rule.max)
            and (not rule.one_of or value in rule.one_of))


def _shown(attribute: str, value: float | str) -> str:
    if attribute in ("annual_income", "amount"):
        return _money(float(value))
    if attribute == "debt_to_income":
        return f"{float(value):.0%}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def check(rule: EligibilityRule, product: ProductFacts, known: CustomerAttributes,
          bands: tuple[CreditBand, ...]) -> tuple[rt.RuleCheck, list[str]]:
    """One rule's outcome with its explanation, and the attributes still needed to decide it."""
    result = rt.RuleCheck(rule_id=rule.id, title=rule.title, attribute=rule.attribute, source=rule.source,
                          version=rule.version, effective_date=rule.effective_date, stated_in=rule.stated_in)
    how = ""
    if rule.attribute == "debt_to_income":
        value, how, missing = debt_to_income(rule, product, known, bands)
    else:
        raw = getattr(known, rule.attribute)
        value, missing = (None if raw in (None, "") else raw), [rule.attribute]
    if value is None:
        result.outcome = rt.RULE_OUTCOME_UNKNOWN
        result.explanation = "not known yet: ask for " + ", ".join(ASK_FOR[m] for m in missing)
        return result, missing
    ok = passes(rule, value)
    result.outcome = rt.RULE_OUTCOME_PASS if ok else rt.RULE_OUTCOME_FAIL
    subject = how or f"{ASK_FOR[rule.attribute]} {_shown(rule.attribute, value)}"
    result.explanation = f"{subject}: {'passes' if ok else 'fails'} ({_limits(rule)})"
    return result, []


def _summary(name: str, decision: int, checks: list[rt.RuleCheck], missing: list[str]) -> str:
    if decision == rt.DECISION_NOT_ELIGIBLE:
        failed = [c for c in checks if c.outcome == rt.RULE_OUTCOME_FAIL]
        return f"{name}: not eligible; " + "; ".join(c.explanation for c in failed) + "."
    if decision == rt.DECISION_ELIGIBLE:
        return f"{name}: {ELIGIBLE_WORDS}."
    return f"{name}: not decided yet; still needed: " + ", ".join(ASK_FOR[m] for m in missing) + "."


def evaluate_product(product: ProductFacts, rules: tuple[EligibilityRule, ...], bands: tuple[CreditBand, ...],
                     known: CustomerAttributes) -> rt.EligibilityResult:
    checks, missing = [], []
    for rule in sorted((r for r in rules if product.key in r.products), key=lambda r: r.id):
        outcome, needed = check(rule, product, known, bands)
        checks.append(outcome)
        if not rule.only_if_stated:
            missing += [m for m in needed if m not in missing]
    failed = [c.rule_id for c in checks if c.outcome == rt.RULE_OUTCOME_FAIL]
    if failed:
        decision, deciding, missing = rt.DECISION_NOT_ELIGIBLE, failed, []
    elif missing:
        decision, deciding = rt.DECISION_UNDETERMINED, [c.rule_id for c in checks if c.outcome == rt.RULE_OUTCOME_PASS]
    else:
        decision, deciding = rt.DECISION_ELIGIBLE, [c.rule_id for c in checks if c.outcome == rt.RULE_OUTCOME_PASS]
    return rt.EligibilityResult(product=product.key, product_name=product.name, decision=decision, checks=checks,
                                deciding_rule_ids=deciding, missing_attributes=missing,
                                summary=_summary(product.name, decision, checks, missing))


def evaluate(facts: EligibilityFacts, known: CustomerAttributes) -> list[rt.EligibilityResult]:
    return [evaluate_product(p, facts.rules, facts.bands, known) for p in sorted(facts.products, key=lambda p: p.key)]


def eligibility_item(results: list[rt.EligibilityResult], rules: tuple[EligibilityRule, ...]) -> rt.KnowledgeItem:
    """The results as one knowledge item, so the suggestion can ground on them like any fact."""
    deciding = {rule_id for r in results for rule_id in r.deciding_rule_ids}
    used = sorted((r for r in rules if r.id in deciding), key=lambda r: r.id) or sorted(rules, key=lambda r: r.id)
    return rt.KnowledgeItem(
        id="eligibility.check", kind="ELIGIBILITY",
        title="Eligibility from what the customer said (preliminary, not an approval)",
        text=" ".join(r.summary for r in results),
        source="; ".join(sorted({r.source for r in used})), version="; ".join(sorted({r.version for r in used})),
        effective_date=max((r.effective_date for r in used), default=""),
        matched_by=["rules"],
        node_ids=[*(f"Product:{r.product}" for r in results), *(f"Rule:{r.id}" for r in used)],
    )
