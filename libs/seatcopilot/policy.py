"""Compliance policy packs (YAML): loaded here because compliance enforces them and generation
passes their banned phrases to the model as bad words."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

DEFAULT_POLICY = Path(__file__).resolve().parents[2] / "data" / "policies" / "default.yaml"
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
REMEDIES = ("REWRITE", "BLOCK", "ALERT")
SPEAKERS = ("OPERATOR", "DRAFT")


class PolicyError(ValueError):
    """The policy file is malformed."""


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched case-insensitively on word boundaries, tolerant of repeated spaces."""
    words = [re.escape(word) for word in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


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

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return tuple(phrase_pattern(p) for p in self.phrases) + tuple(
            re.compile(p, re.IGNORECASE) for p in self.patterns
        )

    def matches(self, text: str) -> bool:
        return any(m.search(text) for m in self.matchers)

    def applies(self, scenario: str, speaker: str) -> bool:
        return scenario in self.scenarios and speaker in self.applies_to


@dataclass(frozen=True)
class Obligation:
    id: str
    citation: str
    scenarios: tuple[str, ...]
    severity: str
    due_within_operator_turns: int
    satisfied_by: tuple[str, ...]
    disclosure_text: str
    fix: str

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return tuple(phrase_pattern(p) for p in self.satisfied_by)

    def satisfied(self, text: str) -> bool:
        return any(m.search(text) for m in self.matchers)


@dataclass(frozen=True)
class Policy:
    policy_id: str
    version: str
    tenant: str
    rules: tuple[Rule, ...]
    obligations: tuple[Obligation, ...]

    @property
    def label(self) -> str:
        return f"{self.policy_id}@{self.version}"

    def banned_phrases(self, scenario: str) -> list[str]:
        """Literal phrases of blocking and rewriting rules for drafts: the model's bad words."""
        return sorted({
            phrase for rule in self.rules
            if rule.applies(scenario, "DRAFT") and rule.remedy in ("BLOCK", "REWRITE")
            for phrase in rule.phrases
        })


def _tuple(entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise PolicyError(f"{entry.get('id', '?')}: {key} must be a list")
    return tuple(str(v) for v in value)


def _rule(entry: dict) -> Rule:
    rule = Rule(
        id=str(entry["id"]), family=str(entry.get("family", "")), citation=str(entry.get("citation", "")),
        scenarios=_tuple(entry, "scenarios"), applies_to=_tuple(entry, "applies_to"),
        severity=str(entry["severity"]), phrases=tuple(p.lower() for p in _tuple(entry, "phrases")),
        patterns=_tuple(entry, "patterns"), remedy=str(entry["remedy"]), fix=str(entry.get("fix", "")),
    )
    if rule.severity not in SEVERITIES or rule.remedy not in REMEDIES:
        raise PolicyError(f"{rule.id}: unknown severity or remedy")
    if not set(rule.applies_to) <= set(SPEAKERS):
        raise PolicyError(f"{rule.id}: applies_to must be within {SPEAKERS}")
    try:
        _ = rule.matchers
    except re.error as error:
        raise PolicyError(f"{rule.id}: bad pattern: {error}") from error
    return rule


def _obligation(entry: dict) -> Obligation:
    return Obligation(
        id=str(entry["id"]), citation=str(entry.get("citation", "")), scenarios=_tuple(entry, "scenarios"),
        severity=str(entry["severity"]), due_within_operator_turns=int(entry["due_within_operator_turns"]),
        satisfied_by=_tuple(entry, "satisfied_by"), disclosure_text=str(entry["disclosure_text"]),
        fix=str(entry.get("fix", "")),
    )


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    try:
        data = yaml.safe_load(Path(path).read_text())
        return Policy(
            policy_id=str(data["policy_id"]), version=str(data["version"]), tenant=str(data.get("tenant", "")),
            rules=tuple(_rule(e) for e in data.get("rules", [])),
            obligations=tuple(_obligation(e) for e in data.get("obligations", [])),
        )
    except (KeyError, TypeError, yaml.YAMLError) as error:
        raise PolicyError(f"{path}: {error}") from error


class ObligationLedger:
    """Which of a call's obligations the operator has met, segment by segment.

    A TRANSFER starts a new segment in the receiving role's scenario: its obligations start over.
    Shared by the stages that need to know what is still owed on a call.
    """

    def __init__(self, policy: Policy, scenario: str) -> None:
        self.policy = policy
        self.scenario = scenario
        self.operator_turns = 0
        self.given: set[str] = set()

    def transfer(self, scenario: str) -> None:
        self.scenario, self.operator_turns, self.given = scenario, 0, set()

    def operator_said(self, text: str) -> list[Obligation]:
        """Counts the turn; returns the obligations this utterance met."""
        self.operator_turns += 1
        met = [o for o in self.owed() if o.satisfied(text)]
        self.given.update(o.id for o in met)
        return met

    def owed(self) -> list[Obligation]:
        return [o for o in self.policy.obligations if self.scenario in o.scenarios and o.id not in self.given]
