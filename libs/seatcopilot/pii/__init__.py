"""Finds personal data in one utterance, written or spoken.

Kinds: EMAIL, CN_ID (Chinese resident ID, checksum), CARD (Luhn), SSN, ITIN, ROUTING (ABA checksum),
PHONE (North American and Chinese mobile), ACCOUNT (bank, loan, policy numbers), DOB, ADDRESS, NAME, and the
cue-given ones (credentials.py): OTP, CVV, EXPIRY (card expiry), PIN, PASSWORD, DRIVER_LICENSE.

Detection runs on a normalized copy of the text in which spoken numbers are digits, then maps each
finding back to the words actually said. A `PiiContext` carries what the call already told us:
which kinds the operator just asked for ("the last four of your social?") and names stated earlier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from seatcopilot.pii import credentials, numbers, patterns
from seatcopilot.pii import names as name_patterns
from seatcopilot.pii.checks import luhn_valid
from seatcopilot.pii.spoken import normalize

__all__ = ["KINDS", "Finding", "PiiContext", "asked_for", "find_pii", "luhn_valid", "name_tokens"]

# Overlaps go to the kind listed first (an e-mail holding digits is an e-mail).
# A cue-given secret beats the structure of its digits ("the code we texted is 415 555 0142" is an OTP).
KINDS = ("EMAIL", *(k for k in credentials.KINDS if k != "DOB"), "CN_ID", "CARD", "SSN", "ITIN", "ROUTING", "PHONE",
         "ACCOUNT", "DOB", "ADDRESS", "NAME")
NUMERIC_KINDS = frozenset({"CN_ID", "CARD", "SSN", "ITIN", "ROUTING", "PHONE", "ACCOUNT", "OTP", "CVV", "PIN"})
_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}
_EDGE = " \t\n,;:!?.\"'“”"
name_tokens = name_patterns.name_tokens

# What an operator asks for makes the next customer answer easier to read ("6789" after "the last
# four of your social?" is an SSN).
ASKS = {
    "NAME": re.compile(r"\b(?:your|the)\s+(?:full\s+|first\s+|last\s+)?name\b|who (?:am i|i'm) speaking|"
                       r"who do i have|spell (?:that|it|your)", re.I),
    "DOB": re.compile(r"date of birth|birth ?date|\bdob\b|birthday|when were you born|出生|生日", re.I),
    "SSN": re.compile(r"social security|\bsocial\b|\bssn\b", re.I),
    "CARD": re.compile(r"card number|number on (?:the|your) card|(?:long|sixteen)[- ]digit", re.I),
    "ACCOUNT": re.compile(r"(?:account|policy|loan|member|reference) number|account\b[^.?]*\bnumber", re.I),
    "ROUTING": re.compile(r"routing", re.I),
    "PHONE": re.compile(r"phone number|number (?:to|where) (?:we can )?(?:reach|call)|callback number|"
                        r"best number|\bcell\b|mobile|手机|电话", re.I),
    "ADDRESS": re.compile(r"\baddress\b|where do you live|zip code|postal code|地址", re.I),
    "CN_ID": re.compile(r"身份证", re.I),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    canonical: str = ""
    """A normalized value (digits, lower-case words): the same card read two ways has one canonical value."""


@dataclass(frozen=True)
class PiiContext:
    expected: frozenset[str] = frozenset()
    """Kinds the operator just asked for."""
    known_names: frozenset[str] = frozenset()
    """Name words stated earlier in the call (lower case)."""


def asked_for(operator_text: str) -> frozenset[str]:
    """The kinds of personal data an operator's words ask the customer for."""
    return frozenset(kind for kind, pattern in ASKS.items() if pattern.search(operator_text))


def find_pii(text: str, context: PiiContext | None = None) -> list[Finding]:
    """Non-overlapping findings in text order, as spans of the original text."""
    context = context or PiiContext()
    norm = normalize(text)
    candidates = _candidates(norm.text, context)
    chosen: list[tuple[str, int, int]] = []
    for kind, start, end in sorted(candidates, key=lambda c: (_PRIORITY[c[0]], c[1] - c[2])):
        if all(end <= s or start >= e for _, s, e in chosen):
            chosen.append((kind, start, end))
    findings = []
    for kind, start, end in sorted(chosen, key=lambda c: c[1]):
        finding = _finding(text, norm, kind, start, end)
        if finding is not None:
            findings.append(finding)
    return findings


def _candidates(text: str, context: PiiContext) -> list[tuple[str, int, int]]:
    found = [("EMAIL", s, e) for s, e in patterns.emails(text)]
    found += list(credentials.credentials(text))
    date_spans = []
    for date in patterns.dates(text):
        date_spans.append((date.start, date.end))
        if patterns.is_birth_date(text, date, "DOB" in context.expected):
            found.append(("DOB", date.start, date.end))
    for run in numbers.digit_runs(text):
        if any(s < run.end and run.start < e for s, e in date_spans):
            continue
        kind = numbers.classify(run, text[:run.start], text[run.end:], context.expected)
        if kind:
            found.append((kind, run.start, run.end))
    found += [("ADDRESS", s, e) for s, e in patterns.addresses(text)]
    found += [("NAME", s, e) for s, e in
              name_patterns.names(text, context.known_names, "NAME" in context.expected)]
    return found


def _finding(text: str, norm, kind: str, start: int, end: int) -> Finding | None:
    """Maps a span of the normalized text to the original, trimmed of spaces and punctuation."""
    value = norm.text[start:end]
    original_start, original_end = norm.original_span(start, end)
    while original_start < original_end and text[original_start] in _EDGE:
        original_start += 1
    while original_end > original_start and text[original_end - 1] in _EDGE:
        original_end -= 1
    if original_start >= original_end:
        return None
    return Finding(kind, original_start, original_end, _canonical(kind, value))


def _canonical(kind: str, value: str) -> str:
    if kind in NUMERIC_KINDS:
        return "".join(c for c in value.upper() if c.isdigit() or c == "X")
    if kind == "EMAIL":
        spoken = re.sub(r"\s+(?:dot|period)\s+", ".", value.lower())
        spoken = re.sub(r"\s+(?:underscore)\s+", "_", spoken)
        spoken = re.sub(r"\s+(?:dash|hyphen)\s+", "-", spoken)
        return re.sub(r"\s+(?:at)\s+", "@", spoken).replace(" ", "")
    return " ".join(value.lower().strip(_EDGE).split())
