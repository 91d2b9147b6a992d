"""PII redaction shared by intake (before anything leaves it), log handlers and compliance.

Finds personal data with `seatcopilot.pii` (card numbers with a Luhn check, SSNs and ITINs, routing
and account numbers, phone numbers, e-mail addresses, dates of birth, street addresses, stated
names, Chinese resident IDs and mobile numbers; written or spoken) and replaces each with a typed
placeholder such as ``[CARD]``. Placeholders are what every later stage, topic and log sees.
Intake applies per-tenant policies (mask, keyed hash, drop) on the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from seatcopilot.pii import Finding, PiiContext, find_pii, luhn_valid

__all__ = ["Finding", "PiiContext", "Redaction", "find_pii", "luhn_valid", "redact"]


@dataclass(frozen=True)
class Redaction:
    text: str
    findings: tuple[Finding, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({f.kind for f in self.findings}))


def redact(text: str, context: PiiContext | None = None) -> Redaction:
    """Masks every finding with its kind: ``[CARD]``, ``[EMAIL]``..."""
    findings = find_pii(text, context)
    parts, cursor = [], 0
    for finding in findings:
        parts.append(text[cursor:finding.start])
        parts.append(f"[{finding.kind}]")
        cursor = finding.end
    parts.append(text[cursor:])
    return Redaction("".join(parts), tuple(findings))
