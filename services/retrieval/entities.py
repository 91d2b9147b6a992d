"""What a customer says about themselves (products, state, amounts, income, debts, credit score, term),
read from their utterances and remembered per call, so retrieval can follow the graph from it and
eligibility can be checked with what the call has established.

Only customer speech counts: an operator quoting "$24,000 a year" is stating a rule, not the
customer's income. Values are never logged.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, replace

from seatcopilot.retrieval.v1 import retrieval_pb2 as rt

PRODUCT_MENTIONS = {
    "personal-loan": re.compile(r"\b(personal|installment)\s+loans?\b|\bloan\b", re.IGNORECASE),
    "line-of-credit": re.compile(r"\bline\s+of\s+credit\b|\bcredit\s+line\b", re.IGNORECASE),
    "secured-card": re.compile(r"\bsecured\s+(credit\s+)?card\b", re.IGNORECASE),
}

STATES = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA", "colorado": "CO",
    "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA", "hawaii": "HI", "idaho": "ID",
    "illinois": "IL", "indiana": "IN", "iowa": "IA", "kansas": "KS", "kentucky": "KY", "louisiana": "LA",
    "maine": "ME", "maryland": "MD", "massachusetts": "MA", "michigan": "MI", "minnesota": "MN",
    "mississippi": "MS", "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY", "north carolina": "NC",
    "north dakota": "ND", "ohio": "OH", "oklahoma": "OK", "oregon": "OR", "pennsylvania": "PA",
    "rhode island": "RI", "south carolina": "SC", "south dakota": "SD", "tennessee": "TN", "texas": "TX",
    "utah": "UT", "vermont": "VT", "virginia": "VA", "washington": "WA", "west virginia": "WV",
    "wisconsin": "WI", "wyoming": "WY", "district of columbia": "DC", "washington dc": "DC",
    "washington d.c.": "DC",
}
STATE_CODES = frozenset(STATES.values())
# Two-letter codes that are also common English words are only read as states when spelled out.
AMBIGUOUS_CODES = frozenset({"IN", "OR", "ME", "OK", "HI", "OH", "DE", "LA", "MA", "PA", "AL", "ID"})
_STATE_NAMES = "|".join(re.escape(name) for name in sorted(STATES, key=len, reverse=True))
_STATE_CUE = r"\b(?:live|living|lives|reside|residing|resident|based|located|move|moved|moving|from|in|here in)\b"
_STATE = re.compile(rf"{_STATE_CUE}\s+(?:(?:to|of)\s+)?(?:the\s+state\s+of\s+)?({_STATE_NAMES})\b", re.IGNORECASE)
_STATE_CODE = re.compile(rf"(?i:{_STATE_CUE})\s+(?:(?i:to|of)\s+)?([A-Z]{{2}})\b")

_MONEY = re.compile(
    r"\$\s?(?P<a>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<ak>k|thousand|grand)?\b"
    r"|\b(?P<b>\d+(?:\.\d+)?)\s*(?P<bk>k|thousand|grand)\b",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(r"^\W*(?:a|per|each|every)\s+year\b|^\W*(?:annually|yearly)\b", re.IGNORECASE)
_PER_MONTH = re.compile(r"^\W*(?:a|per|each|every)\s+month\b|^\W*monthly\b", re.IGNORECASE)
_INCOME_CUE = re.compile(r"\b(make|making|earn|earning|income|salary|paid|bring\s+home|gross|wages?)\b", re.IGNORECASE)
_DEBT_CUE = re.compile(r"\b(debts?|car\s+payment|payments|cards?|student\s+loans?|mortgage|rent|owe|bills)\b",
                       re.IGNORECASE)
# Monthly payments count toward debt-to-income; balances ("$2,000 in card debt") do not.
_DEBT_AFTER = re.compile(r"^\s*(?:a\s+month\s+)?(?:car\s+|card\s+|credit\s+card\s+|student\s+loan\s+|loan\s+)?"
                         r"(?:payments?|rent|mortgage)\b", re.IGNORECASE)
_BALANCE_AFTER = re.compile(r"^\s*(?:in|of)\s+(?:\w+\s+){0,2}debts?\b", re.IGNORECASE)
_PAYMENT_CUE = re.compile(r"\b(payments?|rent|mortgage)\b", re.IGNORECASE)
_AMOUNT_CUE = re.compile(
    r"\b(borrow|borrowing|loan|need|needs|want|wanted|looking\s+for|line\s+of|limit|deposit|put\s+down|get|on|"
    r"consolidate|for|about|around)\b[^$\d]{0,20}$",
    re.IGNORECASE,
)
_AMOUNT_AFTER = re.compile(r"^\s*(?:loan|line|limit|deposit|over|for\s+\d+)", re.IGNORECASE)
_SCORE = re.compile(r"\b([3-8]\d{2})\b")
_SCORE_CUE = re.compile(r"\b(score|credit|fico)\b", re.IGNORECASE)
_TERM = re.compile(
    r"\b(?:over|for|in|term\s+of|within)\s+(\d{1,3})\s*(months?|years?)\b"
    r"|\b(\d{1,3})[- ](month|year)\s+(?:loan|term)\b",
    re.IGNORECASE,
)
_LOAN_CONTEXT = re.compile(r"\b(loan|borrow\w*|pay\s+(?:it\s+)?(?:off|back)|term|financ\w*|payments?)\b", re.IGNORECASE)
_DTI = re.compile(r"\b(?:debt[- ]to[- ]income|dti)(?:\s+ratio)?(?:\s+(?:is|of|at|around|about|like))*\s*"
                  r"(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)", re.IGNORECASE)
_ELIGIBILITY_CUE = re.compile(r"\b(qualify|qualified|eligible|eligibility|get\s+approved|approve\s+me|be\s+approved)\b",
                              re.IGNORECASE)


@dataclass(frozen=True)
class CustomerAttributes:
    annual_income: float | None = None
    monthly_debt: float | None = None
    credit_score: int | None = None
    state: str = ""
    amount: float | None = None
    term_months: int | None = None
    debt_to_income: float | None = None
    products: tuple[str, ...] = ()

    def merged(self, newer: CustomerAttributes) -> CustomerAttributes:
        """What the call knows after `newer`: a value said later replaces the earlier one."""
        changes = {name: value for name, value in vars(newer).items() if value not in (None, "", ())}
        return replace(self, **changes)

    def to_proto(self) -> rt.CustomerAttributes:
        message = rt.CustomerAttributes(state=self.state, products=list(self.products))
        for name in ("annual_income", "monthly_debt", "credit_score", "amount", "term_months", "debt_to_income"):
            value = getattr(self, name)
            if value is not None:
                setattr(message, name, value)
        return message

    @classmethod
    def from_proto(cls, message: rt.CustomerAttributes) -> CustomerAttributes:
        def optional(name: str) -> float | int | None:
            return getattr(message, name) if message.HasField(name) else None

        return cls(annual_income=optional("annual_income"), monthly_debt=optional("monthly_debt"),
                   credit_score=optional("credit_score"), state=message.state.upper(), amount=optional("amount"),
                   term_months=optional("term_months"), debt_to_income=optional("debt_to_income"),
                   products=tuple(message.products))


def mentioned_products(text: str) -> list[str]:
    return sorted(key for key, pattern in PRODUCT_MENTIONS.items() if pattern.search(text))


def asks_about_eligibility(text: str) -> bool:
    return bool(_ELIGIBILITY_CUE.search(text))


def _dollars(match: re.Match[str]) -> float:
    digits = (match.group("a") or match.group("b")).replace(",", "")
    multiplier = 1000.0 if (match.group("ak") or match.group("bk")) else 1.0
    return float(digits) * multiplier


def _money(text: str) -> tuple[float | None, float | None, float | None]:
    """(yearly income, monthly debt payments, requested amount) from the dollar figures in text."""
    income = amount = None
    debts: list[float] = []
    for match in _MONEY.finditer(text):
        value = _dollars(match)
        before = text[max(0, match.start() - 60):match.start()]
        clause = re.split(r"[.;!?]|\band\b|\bbut\b", before)[-1]
        after = text[match.end():match.end() + 25]
        monthly, yearly = bool(_PER_MONTH.search(after)), bool(_PER_YEAR.search(after))
        if _BALANCE_AFTER.search(after):
            continue
        if _AMOUNT_AFTER.search(after):
            amount = value
        elif _INCOME_CUE.search(clause):
            income = value * 12 if monthly or (not yearly and value < 10_000) else value
        elif _DEBT_AFTER.search(after) or (_DEBT_CUE.search(clause) and monthly) or (
                _PAYMENT_CUE.search(clause) and not yearly):
            debts.append(value)
        elif not (monthly or yearly) and _AMOUNT_CUE.search(before):
            amount = value
    return income, (sum(debts) if debts else None), amount


def _credit_score(text: str) -> int | None:
    for match in _SCORE.finditer(text):
        window = text[max(0, match.start() - 30):match.end() + 20]
        part_of_other_number = text[max(0, match.start() - 1):match.start()] in (",", "$", ".") or re.match(
            r"%|,\d|\.\d", text[match.end():match.end() + 2])
        if _SCORE_CUE.search(window) and not part_of_other_number:
            return int(match.group(1))
    return None


def _term_months(text: str) -> int | None:
    match = _TERM.search(text)
    if not match or not (_LOAN_CONTEXT.search(text) or _MONEY.search(text)):
        return None
    count = int(match.group(1) or match.group(3))
    unit = (match.group(2) or match.group(4)).lower()
    months = count * 12 if unit.startswith("year") else count
    return months if 3 <= months <= 120 else None


def _state(text: str) -> str:
    named = _STATE.search(text)
    if named:
        return STATES[named.group(1).lower()]
    for match in _STATE_CODE.finditer(text):
        code = match.group(1)
        if code in STATE_CODES and code not in AMBIGUOUS_CODES:
            return code
    return ""


def extract_attributes(text: str) -> CustomerAttributes:
    """What one customer utterance says about the customer (unset when it says nothing)."""
    income, debt, amount = _money(text)
    dti = _DTI.search(text)
    return CustomerAttributes(
        annual_income=income, monthly_debt=debt, credit_score=_credit_score(text), state=_state(text),
        amount=amount, term_months=_term_months(text),
        debt_to_income=float(dti.group(1)) / 100 if dti else None,
        products=tuple(mentioned_products(text)),
    )


class CallMemory:
    """The attributes each live call has established, bounded (least recently active calls go first)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self._calls: OrderedDict[str, CustomerAttributes] = OrderedDict()
        self._capacity = capacity

    def learn(self, call_id: str, text: str) -> CustomerAttributes:
        known = self._calls.get(call_id, CustomerAttributes()).merged(extract_attributes(text))
        self._calls[call_id] = known
        self._calls.move_to_end(call_id)
        if len(self._calls) > self._capacity:
            self._calls.popitem(last=False)
        return known

    def known(self, call_id: str) -> CustomerAttributes:
        return self._calls.get(call_id, CustomerAttributes())

    def forget(self, call_id: str) -> None:
        self._calls.pop(call_id, None)

    def __len__(self) -> int:
        return len(self._calls)
