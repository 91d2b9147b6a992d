"""Runs of digits (written or spoken) and what they are: card, SSN, ITIN, routing, account, phone,
Chinese resident ID, or nothing (an amount, a rate, a count).

A run is classified by its structure (checksums, number plans, grouping) and by what was said just
before it ("my routing number is ...") or what the operator asked for ("the last four of your
social?"). Cue words are matched in a window before the run; the nearest cue wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from seatcopilot.pii.checks import (
    aba_valid,
    cn_id_valid,
    cn_mobile_valid,
    itin_valid,
    luhn_valid,
    nanp_valid,
    ssn_valid,
)
from seatcopilot.pii.spoken import normalize

CUE_WINDOW = 48  # characters before a run where a cue word counts
CUES: dict[str, re.Pattern[str]] = {
    "CN_ID": re.compile(r"身份证|居民身份|id card number"),
    "ROUTING": re.compile(r"\b(?:routing|aba|transit number|sort code)\b"),
    "ITIN": re.compile(r"\b(?:itin|individual taxpayer)\b"),
    "SSN": re.compile(r"\b(?:social|ssn|s s n|security number|tax id|taxpayer id)\b"),
    "CARD": re.compile(r"\b(?:card|visa|master ?card|amex|american express|discover|debit|credit)\b"),
    "ACCOUNT": re.compile(r"\b(?:account|acct|policy|member (?:number|id)|loan (?:number|id|account)|checking|"
                          r"savings|iban|reference|ref|customer number|id number|bank number|contract number|"
                          r"case number|confirmation number)\b|账户|账号|卡号"),
    "PHONE": re.compile(r"\b(?:phone|cell|mobile|call me|reach me|call back|callback|text me|telephone|landline|"
                        r"reach you)\b|手机|电话"),
}
# A credit score ("my credit's decent, like 690", "FICO around 720"): "credit" is also a card cue, and a lone
# 3-digit run after it was held as a card number's first digits, delaying the utterance by INTAKE_SPLIT_HOLD_S.
SCORE_CUE = re.compile(r"\b(?:score|fico|credit rating|credit'?s)\b")
SCORE_RANGE = range(300, 851)
AMOUNT_BEFORE = re.compile(r"(?:[$€£¥]|usd|rmb)\s?$", re.I)
AMOUNT_AFTER = re.compile(r"^(?:\s?(?:%|percent|dollars?|bucks|cents|k\b|grand|months?|years?|days?|weeks?|"
                          r"hours?|minutes?|times|st\b|nd\b|rd\b|th\b|元|块)|[a-z])", re.I)
_DIGITS = re.compile(r"\d+")
_GAP = re.compile(r"(?:[ .\-]|, | - |\) ?| \(|\(|–| – )")
_PREFIX = re.compile(r"(?:\+|\(|\+\s?\()$")


@dataclass(frozen=True)
class Run:
    start: int
    end: int
    digits: str
    groups: tuple[int, ...]
    text: str


def digit_runs(text: str) -> list[Run]:
    """Maximal runs of digit groups joined by one separator (space, dot, hyphen, ", ", parentheses)."""
    runs: list[Run] = []
    groups: list[re.Match[str]] = []
    for match in _DIGITS.finditer(text):
        if groups and not _GAP.fullmatch(text[groups[-1].end():match.start()]):
            runs.append(_run(text, groups))
            groups = []
        groups.append(match)
    if groups:
        runs.append(_run(text, groups))
    return runs


def _run(text: str, groups: list[re.Match[str]]) -> Run:
    start, end = groups[0].start(), groups[-1].end()
    prefix = _PREFIX.search(text[max(0, start - 2):start])
    if prefix:
        start -= len(prefix.group())
    if end < len(text) and text[end] in "Xx" and (end + 1 == len(text) or not text[end + 1].isalnum()):
        end += 1  # the check character of a Chinese resident ID
    digits = "".join(g.group() for g in groups) + (text[end - 1].upper() if text[end - 1] in "Xx" else "")
    return Run(start, end, digits, tuple(len(g.group()) for g in groups), text[start:end])


def nearest_cue(before: str) -> str | None:
    """The kind whose cue word ends closest to the run."""
    window = _cue_window(before)
    best, best_end = None, -1
    for kind, pattern in CUES.items():
        for match in pattern.finditer(window):
            if match.end() > best_end:
                best, best_end = kind, match.end()
    return best


def _cue_window(before: str) -> str:
    """The text before a run where a cue word counts."""
    return before[-CUE_WINDOW:].lower()


def is_amount(before: str, after: str) -> bool:
    return bool(AMOUNT_BEFORE.search(before) or AMOUNT_AFTER.match(after))


def classify(run: Run, before: str, after: str, expected: Iterable[str] = ()) -> str | None:
    """The kind of identifier a run is, or None."""
    digits, n = run.digits, len(run.digits)
    if digits.endswith("X"):
        return "CN_ID" if cn_id_valid(digits) else None
    if is_amount(before, after) and n < 13:
        return None
    if n == 18 and cn_id_valid(digits):
        return "CN_ID"
    if 13 <= n <= 19 and luhn_valid(digits):
        return "CARD"
    cue = nearest_cue(before)
    for kind in ([cue] if cue else []) + [k for k in expected if k != cue]:
        if _fits(kind, digits, run):
            return kind
    return _by_structure(digits, run)


def _fits(kind: str, digits: str, run: Run) -> bool:
    """Whether a run said after a cue for kind (or when kind was asked for) can be one."""
    n = len(digits)
    if kind == "CARD":
        return 12 <= n <= 19
    if kind == "SSN":
        return n in (4, 9)
    if kind == "ITIN":
        return n == 9
    if kind == "ROUTING":
        return n == 9
    if kind == "ACCOUNT":
        return 4 <= n <= 17
    if kind == "PHONE":
        return nanp_valid(digits) or cn_mobile_valid(digits) or 7 <= n <= 15
    if kind == "CN_ID":
        return n in (15, 18)
    return False


def _by_structure(digits: str, run: Run) -> str | None:
    n = len(digits)
    if n == 9 and run.groups == (3, 2, 4):
        if itin_valid(digits):
            return "ITIN"
        if ssn_valid(digits):
            return "SSN"
    if nanp_valid(digits) and (n >= 10):
        return "PHONE"
    if cn_mobile_valid(digits):
        return "PHONE"
    if n == 9 and aba_valid(digits):
        return "ROUTING"
    if n == 9 and ssn_valid(digits):
        return "SSN"
    if n >= 8:
        return "ACCOUNT"  # long numbers are identifiers, not amounts
    return None


# Digits split across segments: "my card is 4111 1111" + "1111 1111 ...". An utterance that ends in
# an unfinished identifier waits for the same speaker's next segment; both are then read as one.
COMPLETE_KINDS = frozenset({"CARD", "PHONE", "SSN", "ITIN", "ROUTING", "CN_ID"})
NUMERIC_CUES = frozenset({"CARD", "SSN", "ITIN", "ROUTING", "ACCOUNT", "PHONE", "CN_ID"})
_TAIL = re.compile(r"(?:[\s.,;:!?…\-]|\b(?:um|uh|and|then|so)\b)*$", re.I)
_HEAD = re.compile(r"^(?:[\s.,;:…\-]|\b(?:um|uh|and|then|so|oh|it's|its)\b)*", re.I)


def ends_with_open_number(text: str, expected: Iterable[str] = ()) -> bool:
    """True when text (said or written) ends in digits that may be the first part of an identifier."""
    text = normalize(text).text
    tail = _TAIL.search(text)
    body = text[:tail.start()] if tail else text
    runs = digit_runs(body)
    if not runs or runs[-1].end != len(body):
        return False
    run = runs[-1]
    before = body[:run.start]
    if not 2 <= len(run.digits) <= 15 or is_amount(before, "") or _credit_score(run.digits, before):
        return False
    cue = nearest_cue(before)
    grouped = len(run.groups) >= 2 and all(g == 4 for g in run.groups)
    if cue not in NUMERIC_CUES and not grouped and not NUMERIC_CUES & set(expected):
        return False
    return classify(run, before, "", expected) not in COMPLETE_KINDS


def _credit_score(digits: str, before: str) -> bool:
    """Three digits in the scores' range with a score cue just before them: complete, not an identifier's start."""
    return len(digits) == 3 and int(digits) in SCORE_RANGE and bool(SCORE_CUE.search(_cue_window(before)))


def starts_with_number(text: str) -> bool:
    text = normalize(text).text
    head = _HEAD.match(text)
    rest = text[head.end():] if head else text
    return bool(rest) and rest[0].isdigit()
