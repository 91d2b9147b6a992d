"""Real-time redaction of assembled events, with what the call has told us so far.

Per call it remembers which kinds of personal data the operator just asked for (so "6789" after
"the last four of your social?" is an SSN) and the names stated (so a later "Thanks, Casey" is
masked too). An utterance ending in an unfinished number ("my card is 4111 1111") waits briefly for
the same speaker's next segment, and the two are read together: digits split across segments are
caught. Each finding is then masked, replaced by a keyed hash or dropped, per the tenant's policy.

Raw text stays in this process: every event that leaves `Redactor` has had its text redacted.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import OrderedDict
from dataclasses import dataclass

from seatcopilot.calls import call_key
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.pii import Finding, PiiContext, asked_for, find_pii, name_tokens
from seatcopilot.pii.credentials import SECRET_KINDS
from seatcopilot.pii.numbers import ends_with_open_number, starts_with_number

from services.intake.config import IntakeConfig
from services.intake.metrics import ASSEMBLY, REDACTIONS
from services.intake.tenants import RedactionPolicy, Tenants

CALL_MEMORY = 50_000
HASH_HEX_CHARS = 12
TEXT_TYPES = frozenset({ev.EVENT_TYPE_UTTERANCE, ev.EVENT_TYPE_PLATFORM_SUMMARY, ev.EVENT_TYPE_DISPOSITION})
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_BEFORE_PUNCT = re.compile(r" +([,.;:!?])")


@dataclass
class _CallContext:
    expected: frozenset[str] = frozenset()
    known_names: frozenset[str] = frozenset()
    held: ev.CallEvent | None = None
    held_since: float = 0.0


def placeholder(finding: Finding, policy: RedactionPolicy) -> str:
    action = policy.action(finding.kind)
    if action == "drop":
        return ""
    if action == "hash" and finding.kind not in SECRET_KINDS:  # a hashed 3-digit CVV is still the CVV
        digest = hmac.new(policy.hash_key, f"{finding.kind}:{finding.canonical}".encode(), hashlib.sha256)
        return f"[{finding.kind}:{digest.hexdigest()[:HASH_HEX_CHARS]}]"
    return f"[{finding.kind}]"


def render(text: str, findings: list[Finding], policy: RedactionPolicy) -> str:
    parts, cursor = [], 0
    for finding in findings:
        parts.append(text[cursor:finding.start])
        parts.append(placeholder(finding, policy))
        cursor = finding.end
        REDACTIONS.labels(finding.kind, policy.action(finding.kind)).inc()
    parts.append(text[cursor:])
    result = "".join(parts)
    if any(policy.action(f.kind) == "drop" for f in findings):
        result = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", result)).strip()
    return result


class Redactor:
    def __init__(self, config: IntakeConfig, tenants: Tenants) -> None:
        self.config = config
        self.tenants = tenants
        self._calls: OrderedDict[str, _CallContext] = OrderedDict()
        self._holding: set[str] = set()

    def process(self, events: list[ev.CallEvent], now: float) -> list[ev.CallEvent]:
        """Assembled events in, redacted events out (an utterance may wait for its continuation)."""
        out: list[ev.CallEvent] = []
        for event in events:
            out += self._one(event, now)
        return out

    def due(self, now: float) -> list[str]:
        """Calls holding an utterance longer than the split hold."""
        due = []
        for key in list(self._holding):
            context = self._calls.get(key)
            if context is None or context.held is None:
                self._holding.discard(key)
            elif now - context.held_since >= self.config.split_hold_s:
                due.append(key)
        return due

    def expire(self, key: str, now: float) -> list[ev.CallEvent]:
        """Releases the call's held utterance if its continuation did not come in time."""
        context = self._calls.get(key)
        if context is None or context.held is None or now - context.held_since < self.config.split_hold_s:
            return []
        held, context.held = context.held, None
        ASSEMBLY.labels("split_hold_released").inc()
        return [self._redact(held, context)]

    def _context(self, key: str) -> _CallContext:
        context = self._calls.get(key)
        if context is None:
            if len(self._calls) >= CALL_MEMORY:
                self._calls.popitem(last=False)
            context = self._calls[key] = _CallContext()
        self._calls.move_to_end(key)
        return context

    def _one(self, event: ev.CallEvent, now: float) -> list[ev.CallEvent]:
        context = self._context(call_key(event.tenant, event.call_id))
        out = []
        if context.held is not None:
            held, context.held = context.held, None
            if _continues(held, event):
                ASSEMBLY.labels("split_number_joined").inc()
                return self._redact_pair(held, event, context)
            ASSEMBLY.labels("split_hold_released").inc()
            out.append(self._redact(held, context))
        if self.config.split_hold_s > 0 and _may_continue(event, context):
            context.held, context.held_since = event, now
            self._holding.add(call_key(event.tenant, event.call_id))
            return out
        out.append(self._redact(event, context))
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            context.expected = frozenset()
        return out

    def _pii_context(self, event: ev.CallEvent, context: _CallContext) -> PiiContext:
        expected = context.expected if event.speaker == ev.SPEAKER_CUSTOMER else frozenset()
        return PiiContext(expected, context.known_names)

    def _learn(self, event: ev.CallEvent, text: str, findings: list[Finding], context: _CallContext) -> None:
        for finding in findings:
            if finding.kind == "NAME":
                context.known_names |= name_tokens(text[finding.start:finding.end])
        if event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == ev.SPEAKER_OPERATOR:
            context.expected = asked_for(text)

    def _redact(self, event: ev.CallEvent, context: _CallContext) -> ev.CallEvent:
        clean = ev.CallEvent()
        clean.CopyFrom(event)
        if event.type in TEXT_TYPES and event.text:
            findings = find_pii(event.text, self._pii_context(event, context))
            clean.text = render(event.text, findings, self._policy(event))
            self._learn(event, event.text, findings, context)
        return clean

    def _redact_pair(self, first: ev.CallEvent, second: ev.CallEvent, context: _CallContext) -> list[ev.CallEvent]:
        """Two segments read as one, so a number split between them is found; each keeps its part."""
        joined = f"{first.text} {second.text}"
        findings = find_pii(joined, self._pii_context(first, context))
        offset = len(first.text) + 1
        head = [_clip(f, 0, len(first.text)) for f in findings if f.start < len(first.text)]
        tail = [_clip(f, offset, len(joined)) for f in findings if f.end > offset]
        policy = self._policy(first)
        out = []
        for event, parts in ((first, head), (second, tail)):
            clean = ev.CallEvent()
            clean.CopyFrom(event)
            clean.text = render(event.text, parts, policy)
            out.append(clean)
        self._learn(first, joined, findings, context)
        return out

    def _policy(self, event: ev.CallEvent) -> RedactionPolicy:
        return self.tenants.for_event(event.tenant).redaction


def _clip(finding: Finding, start: int, end: int) -> Finding:
    """The part of a finding on [start, end), shifted to start at 0."""
    return Finding(finding.kind, max(finding.start, start) - start, min(finding.end, end) - start, finding.canonical)


def _may_continue(event: ev.CallEvent, context: _CallContext) -> bool:
    if event.type != ev.EVENT_TYPE_UTTERANCE or not event.text:
        return False
    expected = context.expected if event.speaker == ev.SPEAKER_CUSTOMER else frozenset()
    return ends_with_open_number(event.text, expected)


def _continues(held: ev.CallEvent, event: ev.CallEvent) -> bool:
    return (event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == held.speaker
            and starts_with_number(event.text))
