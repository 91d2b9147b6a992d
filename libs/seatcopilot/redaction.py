"""PII redaction shared by intake (before anything leaves it), log handlers and data preparation.

Finds card numbers (Luhn-checked), US social security numbers, phone numbers and email addresses
and replaces each with a typed placeholder such as ``[CARD]``. Placeholders are what every later
stage, topic and log sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEP = r"[ \-.]?"
_CARD = re.compile(r"(?<!\d)(?:\d" + _SEP + r"){12,18}\d(?!\d)")
_SSN = re.compile(r"(?<!\d)(?!000|666|9\d\d)\d{3}[- ](?!00)\d{2}[- ](?!0000)\d{4}(?!\d)")
_PHONE = re.compile(
    r"(?<![\d\w])(?:\+?1[ \-.]?)?(?:\(\d{3}\)|\d{3})[ \-.]?\d{3}[ \-.]?\d{4}(?!\d)"
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({f.kind for f in self.findings}))


def _card_spans(text: str) -> list[Finding]:
    spans = []
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            spans.append(Finding("CARD", match.start(), match.end()))
    return spans


def _spans(pattern: re.Pattern[str], kind: str, text: str) -> list[Finding]:
    return [Finding(kind, m.start(), m.end()) for m in pattern.finditer(text)]


def find_pii(text: str) -> list[Finding]:
    """Non-overlapping findings, the earliest-listed detector winning an overlap."""
    candidates = (
        _spans(_EMAIL, "EMAIL", text)
        + _card_spans(text)
        + _spans(_SSN, "SSN", text)
        + _spans(_PHONE, "PHONE", text)
    )
    chosen: list[Finding] = []
    for finding in candidates:
        if all(finding.end <= c.start or finding.start >= c.end for c in chosen):
            chosen.append(finding)
    return sorted(chosen, key=lambda f: f.start)


def redact(text: str) -> Redaction:
    findings = find_pii(text)
    parts, cursor = [], 0
    for finding in findings:
        parts.append(text[cursor:finding.start])
        parts.append(f"[{finding.kind}]")
        cursor = finding.end
    parts.append(text[cursor:])
    return Redaction("".join(parts), tuple(findings))
