"""What a policy pack holds, and how each item matches an utterance or a draft."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time as clock_time
from functools import cached_property

from seatcopilot.policy.matching import compile_matchers


@dataclass(frozen=True)
class Rule:
    id: str
    family: str
    citation: str
    scenarios: tuple[str, ...]
    applies_to: tuple[str, ...]
    severity: str
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    remedy: str
    fix: str
    # Semantic detection: sentences like `examples` (and unlike `counter_examples`) match.
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    semantic_threshold: float | None = None
    # REWRITE: the sentence put in place of the offending one ('' drops it).
    rewrite: str = ""
    # Signals that must be active on the call for the rule to apply (e.g. a third party on the line).
    when: tuple[str, ...] = ()
    # Context that makes a sentence compliant whatever matched it ("ends in 7781" is not a full card
    # number; "I can't guarantee approval" is not a guarantee).
    exempt_patterns: tuple[str, ...] = ()

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.phrases, self.patterns)

    @cached_property
    def exempt_matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers((), self.exempt_patterns)

    def matches(self, text: str) -> bool:
        return any(m.search(text) for m in self.matchers) and not self.exempt(text)

    def exempt(self, text: str) -> bool:
        return any(m.search(text) for m in self.exempt_matchers)

    def applies(self, scenario: str, speaker: str) -> bool:
        return scenario in self.scenarios and speaker in self.applies_to


@dataclass(frozen=True)
class Signal:
    """Something the customer says that changes the call's rules (a cease-contact request, a third party)."""

    id: str
    family: str
    citation: str
    scenarios: tuple[str, ...]
    severity: str
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    message: str
    fix: str
    examples: tuple[str, ...] = ()
    counter_examples: tuple[str, ...] = ()
    semantic_threshold: float | None = None
    # Customer phrases and patterns that end the signal (e.g. the right party comes to the phone): patterns
    # because the right party says so in many words ("let me put him on", "it's my own loan").
    cleared_by: tuple[str, ...] = ()
    cleared_patterns: tuple[str, ...] = ()

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.phrases, self.patterns)

    @cached_property
    def clear_matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.cleared_by, self.cleared_patterns)

    def matches(self, text: str) -> bool:
        return any(m.search(text) for m in self.matchers)

    def cleared(self, text: str) -> bool:
        return any(m.search(text) for m in self.clear_matchers)


@dataclass(frozen=True)
class Obligation:
    id: str
    citation: str
    scenarios: tuple[str, ...]
    severity: str
    # 0: no deadline in turns (an ordering obligation only).
    due_within_operator_turns: int
    satisfied_by: tuple[str, ...]
    disclosure_text: str
    fix: str
    satisfied_patterns: tuple[str, ...] = ()
    # Ordering: what must not be said while the obligation is still owed (e.g. the monthly payment
    # before the APR), and what a draft that says it gets: the disclosure put in front, or the
    # sentence removed and the disclosure put in its place.
    before_phrases: tuple[str, ...] = ()
    before_patterns: tuple[str, ...] = ()
    before_remedy: str = "PREPEND"
    # Owed only once this signal fires (counted from then); empty: owed from the segment's start.
    triggered_by: str = ""
    # Not owed (and must not be given) while one of these signals is active.
    suspended_by: tuple[str, ...] = ()

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.satisfied_by, self.satisfied_patterns)

    @cached_property
    def before_matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.before_phrases, self.before_patterns)

    def satisfied(self, text: str) -> bool:
        return any(m.search(text) for m in self.matchers)

    def said_before(self, text: str) -> bool:
        """Whether text says what must wait until this obligation is given."""
        return any(m.search(text) for m in self.before_matchers)


@dataclass(frozen=True)
class CallingHours:
    """When a call may start, local time at the customer, in every time zone the customer may be in."""

    id: str
    citation: str
    scenarios: tuple[str, ...]
    severity: str
    earliest: clock_time
    latest: clock_time
    timezones: tuple[str, ...]
    fix: str


@dataclass(frozen=True)
class Policy:
    policy_id: str
    version: str
    tenant: str
    rules: tuple[Rule, ...]
    # Owed from the start of every call segment in their scenarios.
    obligations: tuple[Obligation, ...]
    signals: tuple[Signal, ...] = ()
    # Owed once their signal fires.
    triggered_obligations: tuple[Obligation, ...] = ()
    calling_hours: tuple[CallingHours, ...] = ()
    manager_min_severity: str = "HIGH"
    semantic_threshold: float = 0.8
    semantic_margin: float = 0.0
    # Compliant sentences the semantic matcher weighs every rule's examples against.
    compliant_examples: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return f"{self.policy_id}@{self.version}"

    def fixes(self) -> dict[str, str]:
        """What to do instead, by rule or obligation id: the coaching advice managers see."""
        advice = {rule.id: rule.fix for rule in self.rules}
        advice.update((owed.id, owed.fix) for owed in (*self.obligations, *self.triggered_obligations))
        return advice

    def banned_phrases(self, scenario: str) -> list[str]:
        """Literal phrases of blocking and rewriting rules for drafts: the model's bad words.

        Rules that apply only while a signal is active ("debt" with a third party on the line)
        are left out: banning their words everywhere would gag ordinary answers."""
        return sorted({
            phrase for rule in self.rules
            if rule.applies(scenario, "DRAFT") and rule.remedy in ("BLOCK", "REWRITE") and not rule.when
            for phrase in rule.phrases
        })
