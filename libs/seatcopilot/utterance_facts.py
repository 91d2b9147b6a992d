"""What one utterance states, read from its written form (the classifier writes spoken numbers and ordinals
as digits first): money by role (requested amount, yearly income, monthly debt payments), credit score,
term, state, debt-to-income, products, APR; payment promises with amount, date and schedule; callbacks;
hardship; a third party on the line; card details offered; corrections.

Shared: the classifier stage owns the dialogue state built from it; retrieval reads it only for gRPC
requests that carry no dialogue state. Only customer speech gives the customer's attributes: an operator
quoting "$24,000 a year" is stating a rule, not the customer's income. Values are never logged.
"""

from __future__ import annotations

import re

from seatcopilot.us_states import AMBIGUOUS_CODES, STATE_CODES, STATES

PRODUCT_MENTIONS = {
    "personal-loan": re.compile(r"\b(personal|installment)\s+loans?\b|\bloan\b", re.IGNORECASE),
    "line-of-credit": re.compile(r"\bline\s+of\s+credit\b|\bcredit\s+line\b", re.IGNORECASE),
    "secured-card": re.compile(r"\bsecured\s+(credit\s+)?card\b", re.IGNORECASE),
}

_STATE_NAMES = "|".join(re.escape(name) for name in sorted(STATES, key=len, reverse=True))
_STATE_CUE = r"\b(?:live|living|lives|reside|residing|resident|based|located|move|moved|moving|from|in|here in)\b"
_STATE = re.compile(rf"{_STATE_CUE}\s+(?:(?:to|of)\s+)?(?:the\s+state\s+of\s+)?({_STATE_NAMES})\b", re.IGNORECASE)
_STATE_CODE = re.compile(rf"(?i:{_STATE_CUE})\s+(?:(?i:to|of)\s+)?([A-Z]{{2}})\b")

_MONEY = re.compile(
    r"\$\s?(?P<a>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<ak>k|thousand|grand)?\b"
    r"|\b(?P<b>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?:(?P<bk>k|thousand|grand)\b|(?=\s*(?:dollars|bucks)\b))"
    # a figure by the month or year is money even without "$": "I make 3,500 a month"
    r"|\b(?P<c>\d{1,3}(?:,\d{3})+|\d{3,6})(?=\s+(?:a|per|each|every)\s+(?:month|year)\b|\s+(?:annually|yearly)\b)",
    re.IGNORECASE,
)
_PER_YEAR = re.compile(r"^\W*(?:a|per|each|every)\s+year\b|^\W*(?:annually|yearly)\b", re.IGNORECASE)
_PER_MONTH = re.compile(r"^\W*(?:a|per|each|every)\s+month\b|^\W*monthly\b", re.IGNORECASE)
_INCOME_CUE = re.compile(r"\b(make|making|earn|earning|income|salary|paid|bring\s+home|take\s+home|pull\s+in|gross|"
                         r"wages?)\b", re.IGNORECASE)
_INCOME_AFTER = re.compile(r"^\s*(?:(?:a|per)\s+year\s+)?(?:in\s+)?(?:yearly\s+|annual\s+|household\s+)?"
                           r"(?:income|salary)\b", re.IGNORECASE)
# "consolidate $11,000 of card debt": the debt to pay off is the amount to borrow, not a balance.
_CONSOLIDATE = re.compile(r"\b(consolidat\w*|pay\s+off|refinanc\w*)\b", re.IGNORECASE)
_DEBT_CUE = re.compile(r"\b(debts?|car\s+payment|payments|cards?|student\s+loans?|mortgage|rent|owe|bills)\b",
                       re.IGNORECASE)
# Monthly payments count toward debt-to-income; balances ("$2,000 in card debt") do not.
_DEBT_AFTER = re.compile(r"^\s*(?:a\s+month\s+)?(?:car\s+|card\s+|credit\s+card\s+|student\s+loan\s+|loan\s+)?"
                         r"(?:payments?|rent|mortgage)\b", re.IGNORECASE)
_BALANCE_AFTER = re.compile(r"^\s*(?:in|of)\s+(?:\w+\s+){0,2}debts?\b", re.IGNORECASE)
_PAYMENT_CUE = re.compile(r"\b(payments?|rent|mortgage)\b", re.IGNORECASE)
_AMOUNT_CUE = re.compile(
    r"\b(borrow|borrowed|borrowing|loan|need|needs|want|wanted|looking\s+for|line\s+of|limit|deposit|put\s+down|get|"
    r"on|consolidate|for|about|around|take\s+out|took\s+out|say|probably|maybe|roughly|approximately|like)\b"
    r"[^$\d]{0,20}$",
    re.IGNORECASE,
)
_AMOUNT_AFTER = re.compile(r"^\s*,?\s*(?:loan|line|limit|deposit|(?:spread\s+|paid\s+back\s+)?over|for\s+\d+)",
                           re.IGNORECASE)
# "the monthly payment be on $8,000": the amount a payment is asked about, not a debt payment.
_PAYMENT_ON = re.compile(r"\bpayments?\b[^.$\d]{0,15}\b(?:on|for)\s*$", re.IGNORECASE)
_SCORE = re.compile(r"\b([3-8]\d{2})\b")
_SCORE_CUE = re.compile(r"\b(score|credit|fico)\b", re.IGNORECASE)
_TERM = re.compile(
    r"\b(?:over|for|in|term\s+of|within|across|with)\s+(\d{1,3})\s*(months?|years?)\b"
    r"|\b(\d{1,3})[- ](month|year)\s+(?:loan|term)\b",
    re.IGNORECASE,
)
# A turn that answers "over how long?" by naming the term: "48 months sounds right", "let's do 36 months".
_TERM_GIVEN = re.compile(r"(?:^\W*(?:(?:um|uh|maybe|probably|let'?s say|say|i'?d say|make it|go with)\W+)?"
                         r"|\b(?:let'?s|we'?ll|i'?ll|can we|could we)\s+(?:do|try|go\s+with|take|pick)\s+)"
                         r"(\d{1,3})\s*(months?|years?)\b(?!\s+ago)", re.IGNORECASE)
_LOAN_CONTEXT = re.compile(r"\b(loan|borrow\w*|pay\s+(?:it\s+)?(?:off|back)|term|financ\w*|payments?|a month|monthly|"
                           r"each month|per month)\b", re.IGNORECASE)
_DTI = re.compile(r"\b(?:debt[- ]to[- ]income|dti)(?:\s+ratio)?(?:\s+(?:is|of|at|around|about|like))*\s*"
                  r"(\d{1,2}(?:\.\d+)?)\s*(?:%|percent)", re.IGNORECASE)
_ELIGIBILITY_CUE = re.compile(r"\b(qualify|qualified|eligible|eligibility|get\s+approved|approve\s+me|be\s+approved)\b",
                              re.IGNORECASE)


def mentioned_products(text: str) -> list[str]:
    return sorted(key for key, pattern in PRODUCT_MENTIONS.items() if pattern.search(text))


def asks_about_eligibility(text: str) -> bool:
    return bool(_ELIGIBILITY_CUE.search(text))


def _dollars(match: re.Match[str]) -> float:
    digits = (match.group("a") or match.group("b") or match.group("c")).replace(",", "")
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
        if _BALANCE_AFTER.search(after) and not _CONSOLIDATE.search(clause):
            continue
        if _AMOUNT_AFTER.search(after) or _PAYMENT_ON.search(before) or _CONSOLIDATE.search(clause):
            amount = value
        elif _INCOME_CUE.search(clause) or _INCOME_AFTER.search(after):
            income = value * 12 if monthly or (not yearly and value < 10_000) else value
        elif _DEBT_AFTER.search(after) or (_DEBT_CUE.search(clause) and monthly) or (
                _PAYMENT_CUE.search(clause) and not yearly):
            debts.append(value)
        elif not (monthly or yearly) and _AMOUNT_CUE.search(before):
            amount = value
        elif yearly and not _DEBT_CUE.search(clause):  # nobody borrows by the year: "95 thousand a year" is pay
            income = value
    return income, (sum(debts) if debts else None), amount


# "with a 640", "I've got a 710": a score said without the word, after an article.
_SCORE_ARTICLE = re.compile(r"\b(?:with|have|got|at|around|about|only)\s+an?\s+$", re.IGNORECASE)
_NOT_A_SCORE_AFTER = re.compile(r"^\s*(?:dollars?|bucks|a month|per month|a year|k\b|months?|years?|%|percent)",
                                re.IGNORECASE)


def _credit_score(text: str) -> int | None:
    for match in _SCORE.finditer(text):
        if _SCORE_ARTICLE.search(text[max(0, match.start() - 12):match.start()]) and not (
                _NOT_A_SCORE_AFTER.match(text[match.end():])):
            return int(match.group(1))
        window = text[max(0, match.start() - 30):match.end() + 20]
        part_of_other_number = text[max(0, match.start() - 1):match.start()] in (",", "$", ".") or re.match(
            r"%|,\d|\.\d", text[match.end():match.end() + 2])
        if _SCORE_CUE.search(window) and not part_of_other_number:
            return int(match.group(1))
    return None


def _term_months(text: str) -> int | None:
    match = _TERM.search(text)
    if not match or not (_LOAN_CONTEXT.search(text) or _MONEY.search(text)):
        match = _TERM_GIVEN.search(text)
    if not match:
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




def _dti(text: str) -> float | None:
    match = _DTI.search(text)
    return float(match.group(1)) / 100 if match else None


_MAKE_THAT = re.compile(r"\bmake (?:that|it)\b", re.IGNORECASE)


def customer_slots(text: str) -> dict[str, float | str]:
    """The customer's attributes one utterance states: slot name -> value (only those it states)."""
    text = _MAKE_THAT.sub("change it to", text)  # "make that $10000" corrects; it is no income cue
    income, debt, amount = _money(text)
    found: dict[str, float | str | None] = {
        "annual_income": income, "monthly_debt": debt, "amount": amount, "credit_score": _credit_score(text),
        "term_months": _term_months(text), "debt_to_income": _dti(text), "state": _state(text) or None,
        "apr": _apr(text),
    }
    return {name: value for name, value in found.items() if value is not None}


_APR = re.compile(r"\b(\d{1,2}(?:\.\d{1,2})?)\s*(?:%|percent)", re.IGNORECASE)
_APR_CUE = re.compile(r"\b(apr|rate|interest|quoted)\b", re.IGNORECASE)


def _apr(text: str) -> float | None:
    match = _APR.search(text)
    return float(match.group(1)) if match and _APR_CUE.search(text) and not _DTI.search(text) else None


# A correction, or a what-if that puts a new value in place of one already said ("what about four years?").
CORRECTION = re.compile(r"\b(actually|sorry|i mean|i meant|make that|make it|made it|correction|scratch that|no wait|"
                        r"not \S+,|rather|instead|change (?:that|it)(?: to)?|switch (?:that|it)(?: to)?|"
                        r"what about|how about|what if|and if)(?=\W|$)", re.IGNORECASE)
_BARE_NUMBER = re.compile(r"(?<![\w.,])(\$\s?)?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w%]|,\d|\.\d)")
_UNIT_AFTER = re.compile(r"^\s*(months?|years?)\b", re.IGNORECASE)


def corrected_value(text: str) -> tuple[str, float] | None:
    """A correction that names no slot ("actually make that 10000", "sorry, 48 months"): the unit if it
    says one ('term' for months or years), else 'number' for the caller to apply to the slot last set."""
    cues = list(CORRECTION.finditer(text))
    for cue in reversed(cues):  # the new value follows the cue: "not twelve, fifteen", "I said 12, I meant 15"
        found = _first_value(text, cue.end())
        if found is not None:
            return found
    return None


def _first_value(text: str, start: int) -> tuple[str, float] | None:
    for match in _BARE_NUMBER.finditer(text, start):
        value = float(match.group(2).replace(",", ""))
        unit = _UNIT_AFTER.match(text[match.end():])
        if unit:
            return "term_months", value * 12 if unit.group(1).lower().startswith("year") else value
        return ("money" if match.group(1) or value >= 1000 else "number"), value
    return None


PROMISE = re.compile(r"\b(?:i can|i'll|i will|i could|i'm able to|i am able to|i'm going to|let me|we can|we'll)\s+"
                     r"(?:\w+\s+)?(?:pay|make|send|do|put|give)\b", re.IGNORECASE)
_PROMISE_AMOUNT = re.compile(r"\$\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d{1,2})?)"
                             r"|\b(\d{2,5}(?:\.\d{1,2})?)\b(?!\s*(?:%|percent|months?|years?|days?|weeks?))",
                             re.IGNORECASE)
SCHEDULES = (
    ("biweekly", re.compile(r"\b(every (?:two|2|other) weeks?|bi-?weekly|every other (?:week|friday))\b", re.I)),
    ("weekly", re.compile(r"\b(every week|weekly|each week|a week)\b", re.I)),
    ("monthly", re.compile(r"\b(every month|monthly|each month|a month|per month|of every month)\b", re.I)),
)


def promised_amount(text: str) -> tuple[float, int] | None:
    """(amount, position) of a payment the customer commits to, or None when the turn promises none."""
    if not PROMISE.search(text) or not re.search(r"\b(pay|payment|do|send|make|put)\b", text, re.I):
        return None
    for match in _PROMISE_AMOUNT.finditer(text):
        raw = match.group(1) or match.group(2)
        value = float(raw.replace(",", ""))
        if value >= 10 and not (1900 <= value <= 2100 and not match.group(1)):
            return value, match.start()
    return None


def schedule(text: str) -> str:
    return next((name for name, pattern in SCHEDULES if pattern.search(text)), "once")


CALLBACK = re.compile(r"\b(call (?:me|you|him|her) back|callback|call back|call me (?:on|at|tomorrow|next)|"
                      r"reach (?:me|you) (?:on|at|tomorrow|next)|try me again)\b", re.IGNORECASE)
HARDSHIP = re.compile(r"\b(hardship|lost my job|laid off|got laid off|hours (?:got |were )?cut|reduced hours|"
                      r"medical (?:bills|emergency)|in the hospital|divorce|can't afford|cannot afford|money'?s? "
                      r"(?:been )?(?:really )?tight|out of work|unemployed|disability|passed away|furlough\w*)\b",
                      re.IGNORECASE)
_RELATIONS = (r"(?:wife|husband|son|daughter|mother|mom|father|dad|brother|sister|partner|spouse|friend|roommate|"
              r"attorney|lawyer|caregiver|niece|nephew|grandson|granddaughter|aunt|uncle|fianc[eé]e?)")
THIRD_PARTY = re.compile(
    rf"\b(?:(?:my|his|her)\s+{_RELATIONS}\s+(?:is\s+)?(?:here|on the line|with me|listening|on speaker|"
    rf"calling|speaking)|on (?:his|her|their|my \w+'s) behalf|on behalf of|calling for (?:my|his|her)|"
    rf"(?:this is|i'?m|i am) (?:his|her|their) {_RELATIONS}|you'?re on speaker|on speaker ?phone)\b",
    re.IGNORECASE)
CARD_OFFER = re.compile(r"\[CARD\]|\b(?:my|the)\s+(?:credit\s+|debit\s+)?card\s+(?:number|details|info\w*|"
                        r"right here)\b|\bread (?:you )?(?:my|the) card\b|"
                        r"\bcard\b[^?!]{0,60}\bread (?:you )?(?:the|my|its) numbers?\b|"
                        r"\bgive you (?:my|the) card\b|\bpay (?:it|the \w+ fee|that) (?:with|on) my (?:credit |"
                        r"debit )?card\b", re.IGNORECASE)
IDENTITY_CONFIRMED = re.compile(r"\b(?:you'?re|you are|you've been|you have been|account is|identity is)\s+"
                                r"(?:now\s+|all\s+)?(?:verified|confirmed)|\bthank(?:s| you) for verifying\b|"
                                r"\bi(?:'ve| have) verified\b|\bthat matches\b|\bverified your identity\b",
                                re.IGNORECASE)
