"""Compliance policy packs (YAML): loaded here because compliance enforces them, generation passes
their banned phrases to the model as bad words, and the summarizer reports the disclosures owed.

A pack is one tenant's rules. It is a single YAML file, or a directory holding `pack.yaml` (id,
version, tenant, settings) and one file per scenario (`sales.yaml`, `collections.yaml`, ...) whose
top-level `scenarios` is the default of every entry in it. A pack may `extends` a sibling pack:
it inherits its entries, replaces those with the same id and drops the ids it lists as `disabled`.
A directory of pack directories is a catalog: one pack per tenant (`load_policies`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time as clock_time
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from seatcopilot.paths import data_path

POLICIES_ROOT = data_path("policies")
DEFAULT_POLICY = POLICIES_ROOT / "harbor"
DEFAULT_POLICIES = POLICIES_ROOT
SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
REMEDIES = ("REWRITE", "BLOCK", "ALERT")
SPEAKERS = ("OPERATOR", "DRAFT")
BEFORE_REMEDIES = ("PREPEND", "REMOVE")
PACK_FILE = "pack.yaml"


class PolicyError(ValueError):
    """The policy file is malformed."""


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched case-insensitively on word boundaries, tolerant of repeated spaces."""
    words = [re.escape(word) for word in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def compile_matchers(phrases: tuple[str, ...], patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(phrase_pattern(p) for p in phrases) + tuple(re.compile(p, re.IGNORECASE) for p in patterns)


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
    # Customer phrases that end the signal (e.g. the right party comes to the phone).
    cleared_by: tuple[str, ...] = ()

    @cached_property
    def matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.phrases, self.patterns)

    @cached_property
    def clear_matchers(self) -> tuple[re.Pattern[str], ...]:
        return compile_matchers(self.cleared_by, ())

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


# ---- loading ---------------------------------------------------------------------------------------

RULE_KEYS = {"id", "family", "citation", "scenarios", "applies_to", "severity", "phrases", "patterns", "remedy",
             "fix", "examples", "counter_examples", "semantic_threshold", "rewrite", "when", "exempt_patterns"}
SIGNAL_KEYS = {"id", "family", "citation", "scenarios", "severity", "phrases", "patterns", "message", "fix",
               "examples", "counter_examples", "semantic_threshold", "cleared_by"}
OBLIGATION_KEYS = {"id", "citation", "scenarios", "severity", "due_within_operator_turns", "satisfied_by",
                   "satisfied_patterns", "disclosure_text", "fix", "before_phrases", "before_patterns",
                   "before_remedy", "triggered_by", "suspended_by"}
HOURS_KEYS = {"id", "citation", "scenarios", "severity", "earliest", "latest", "timezones", "fix"}
DOCUMENT_KEYS = {"policy_id", "version", "tenant", "extends", "disabled", "manager_min_severity", "semantic",
                 "compliant_examples", "scenarios", "rules", "obligations", "signals", "calling_hours"}


def _tuple(entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key) or []
    if not isinstance(value, list):
        raise PolicyError(f"{entry.get('id', '?')}: {key} must be a list")
    return tuple(str(v) for v in value)


def _check_keys(entry: dict, allowed: set[str], what: str) -> None:
    if not isinstance(entry, dict):
        raise PolicyError(f"a {what} must be a mapping, got {entry!r}")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise PolicyError(f"{entry.get('id', what)}: unknown {what} keys {unknown}")


def _severity(entry: dict) -> str:
    severity = str(entry["severity"])
    if severity not in SEVERITIES:
        raise PolicyError(f"{entry.get('id', '?')}: severity must be one of {SEVERITIES}")
    return severity


def _threshold(entry: dict) -> float | None:
    value = entry.get("semantic_threshold")
    return None if value is None else float(value)


def _compiled(item: Any, *attributes: str) -> Any:
    try:
        for attribute in attributes:
            getattr(item, attribute)
    except re.error as error:
        raise PolicyError(f"{item.id}: bad pattern: {error}") from error
    return item


def _rule(entry: dict) -> Rule:
    _check_keys(entry, RULE_KEYS, "rule")
    rule = Rule(
        id=str(entry["id"]), family=str(entry.get("family", "")), citation=str(entry.get("citation", "")),
        scenarios=_tuple(entry, "scenarios"), applies_to=_tuple(entry, "applies_to"),
        severity=_severity(entry), phrases=tuple(p.lower() for p in _tuple(entry, "phrases")),
        patterns=_tuple(entry, "patterns"), remedy=str(entry["remedy"]), fix=str(entry.get("fix", "")),
        examples=_tuple(entry, "examples"), counter_examples=_tuple(entry, "counter_examples"),
        semantic_threshold=_threshold(entry), rewrite=str(entry.get("rewrite", "")), when=_tuple(entry, "when"),
        exempt_patterns=_tuple(entry, "exempt_patterns"),
    )
    if rule.remedy not in REMEDIES:
        raise PolicyError(f"{rule.id}: remedy must be one of {REMEDIES}")
    if not set(rule.applies_to) <= set(SPEAKERS):
        raise PolicyError(f"{rule.id}: applies_to must be within {SPEAKERS}")
    return _compiled(rule, "matchers", "exempt_matchers")


def _signal(entry: dict) -> Signal:
    _check_keys(entry, SIGNAL_KEYS, "signal")
    signal = Signal(
        id=str(entry["id"]), family=str(entry.get("family", "")), citation=str(entry.get("citation", "")),
        scenarios=_tuple(entry, "scenarios"), severity=_severity(entry),
        phrases=tuple(p.lower() for p in _tuple(entry, "phrases")), patterns=_tuple(entry, "patterns"),
        message=str(entry.get("message", "")), fix=str(entry.get("fix", "")), examples=_tuple(entry, "examples"),
        counter_examples=_tuple(entry, "counter_examples"), semantic_threshold=_threshold(entry),
        cleared_by=_tuple(entry, "cleared_by"),
    )
    return _compiled(signal, "matchers", "clear_matchers")


def _obligation(entry: dict) -> Obligation:
    _check_keys(entry, OBLIGATION_KEYS, "obligation")
    obligation = Obligation(
        id=str(entry["id"]), citation=str(entry.get("citation", "")), scenarios=_tuple(entry, "scenarios"),
        severity=_severity(entry), due_within_operator_turns=int(entry.get("due_within_operator_turns", 0)),
        satisfied_by=_tuple(entry, "satisfied_by"), disclosure_text=str(entry["disclosure_text"]),
        fix=str(entry.get("fix", "")), satisfied_patterns=_tuple(entry, "satisfied_patterns"),
        before_phrases=_tuple(entry, "before_phrases"), before_patterns=_tuple(entry, "before_patterns"),
        before_remedy=str(entry.get("before_remedy", "PREPEND")), triggered_by=str(entry.get("triggered_by", "")),
        suspended_by=_tuple(entry, "suspended_by"),
    )
    if obligation.before_remedy not in BEFORE_REMEDIES:
        raise PolicyError(f"{obligation.id}: before_remedy must be one of {BEFORE_REMEDIES}")
    if not obligation.due_within_operator_turns and not obligation.before_matchers:
        raise PolicyError(f"{obligation.id}: needs due_within_operator_turns, before_phrases or before_patterns")
    return _compiled(obligation, "matchers", "before_matchers")


def _clock(entry: dict, key: str) -> clock_time:
    try:
        return clock_time.fromisoformat(str(entry[key]))
    except ValueError as error:
        raise PolicyError(f"{entry.get('id', '?')}: {key} must be HH:MM") from error


def _calling_hours(entry: dict) -> CallingHours:
    _check_keys(entry, HOURS_KEYS, "calling_hours entry")
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    zones = _tuple(entry, "timezones")
    try:
        for zone in zones:
            ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise PolicyError(f"{entry.get('id', '?')}: unknown time zone: {error}") from error
    if not zones:
        raise PolicyError(f"{entry.get('id', '?')}: timezones is required")
    return CallingHours(
        id=str(entry["id"]), citation=str(entry.get("citation", "")), scenarios=_tuple(entry, "scenarios"),
        severity=_severity(entry), earliest=_clock(entry, "earliest"), latest=_clock(entry, "latest"),
        timezones=zones, fix=str(entry.get("fix", "")),
    )


def _entries(document: dict, key: str) -> list[dict]:
    """A document's entries of one kind, each defaulting its scenarios to the document's."""
    entries = document.get(key) or []
    if not isinstance(entries, list):
        raise PolicyError(f"{key} must be a list")
    default = document.get("scenarios")
    return [{"scenarios": default, **entry} if default and isinstance(entry, dict) else entry
            for entry in entries]


def _pack_layers(directory: Path, seen: tuple[Path, ...] = ()) -> list[list[dict]]:
    """A pack's documents (pack.yaml first, then the others), after those of the pack it extends."""
    if directory in seen:
        raise PolicyError(f"{directory}: extends itself")
    pack_file = directory / PACK_FILE
    if not pack_file.is_file():
        raise PolicyError(f"{directory}: no {PACK_FILE}")
    head = _read(pack_file)
    own = [head] + [_read(path) for path in sorted(directory.glob("*.yaml")) if path.name != PACK_FILE]
    base = head.get("extends")
    if not base:
        return [own]
    return [*_pack_layers(directory.parent / str(base), (*seen, directory)), own]


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping at the top")
    _check_keys(data, DOCUMENT_KEYS, f"document ({path.name})")
    return data


def _merged(layers: list[list[dict]], key: str) -> list[dict]:
    """Entries by id: a pack's own entries replace its base's; `disabled` ids are dropped."""
    by_id: dict[str, dict] = {}
    for layer in layers:
        own: set[str] = set()
        for document in layer:
            for entry in _entries(document, key):
                if not isinstance(entry, dict) or "id" not in entry:
                    raise PolicyError(f"every entry of {key} needs an id, got {entry!r}")
                entry_id = str(entry["id"])
                if entry_id in own:
                    raise PolicyError(f"{entry_id}: ids used twice in one pack")
                own.add(entry_id)
                by_id[entry_id] = entry
    disabled = {str(i) for layer in layers for document in layer for i in document.get("disabled") or []}
    return [entry for entry_id, entry in by_id.items() if entry_id not in disabled]


def _policy(layers: list[list[dict]]) -> Policy:
    documents = [document for layer in layers for document in layer]
    # Settings and the semantic matcher's parameters: later documents (the extending pack) win.
    head = {k: v for d in documents for k, v in d.items() if k in ("policy_id", "version", "tenant",
                                                                     "manager_min_severity")}
    semantic = {k: v for d in documents for k, v in (d.get("semantic") or {}).items()}
    obligations = [_obligation(e) for e in _merged(layers, "obligations")]
    policy = Policy(
        policy_id=str(head["policy_id"]), version=str(head["version"]), tenant=str(head.get("tenant", "")),
        rules=tuple(_rule(e) for e in _merged(layers, "rules")),
        obligations=tuple(o for o in obligations if not o.triggered_by),
        signals=tuple(_signal(e) for e in _merged(layers, "signals")),
        triggered_obligations=tuple(o for o in obligations if o.triggered_by),
        calling_hours=tuple(_calling_hours(e) for e in _merged(layers, "calling_hours")),
        manager_min_severity=str(head.get("manager_min_severity", "HIGH")),
        semantic_threshold=float(semantic.get("threshold", 0.8)), semantic_margin=float(semantic.get("margin", 0.0)),
        compliant_examples=tuple(str(x) for d in documents for x in d.get("compliant_examples") or []),
    )
    _check_references(policy)
    return policy


def _check_references(policy: Policy) -> None:
    ids = [r.id for r in policy.rules] + [s.id for s in policy.signals] + [
        o.id for o in (*policy.obligations, *policy.triggered_obligations)] + [h.id for h in policy.calling_hours]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise PolicyError(f"{policy.label}: ids used twice: {duplicates}")
    signals = {s.id for s in policy.signals}
    for item_id, needed in [(r.id, set(r.when)) for r in policy.rules] + [
            (o.id, {o.triggered_by, *o.suspended_by} - {""}) for o in (*policy.obligations,
                                                                        *policy.triggered_obligations)]:
        if needed - signals:
            raise PolicyError(f"{item_id}: refers to unknown signals {sorted(needed - signals)}")
    if policy.manager_min_severity not in SEVERITIES:
        raise PolicyError(f"{policy.label}: manager_min_severity must be one of {SEVERITIES}")


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """One pack: a YAML file, or a pack directory (pack.yaml and its scenario files)."""
    path = Path(path)
    try:
        if path.is_dir():
            if not (path / PACK_FILE).is_file():
                raise PolicyError(f"{path}: not a pack (no {PACK_FILE}); a catalog of packs is read by "
                                  "load_policies")
            return _policy(_pack_layers(path))
        return _policy([[_read(path)]])
    except (KeyError, TypeError, ValueError, OSError) as error:
        if isinstance(error, PolicyError):
            raise
        raise PolicyError(f"{path}: {error!r}") from error


def load_policies(path: Path = DEFAULT_POLICIES) -> dict[str, Policy]:
    """Every tenant's pack: from a catalog directory (one pack directory per tenant), or one pack."""
    path = Path(path)
    if path.is_file() or (path / PACK_FILE).is_file():
        packs = [load_policy(path)]
    else:
        packs = [load_policy(d) for d in sorted(path.iterdir()) if (d / PACK_FILE).is_file()] if path.is_dir() else []
    if not packs:
        raise PolicyError(f"{path}: no policy pack found")
    tenants = [p.tenant for p in packs]
    if "" in tenants or len(set(tenants)) != len(tenants):
        raise PolicyError(f"{path}: every pack needs its own tenant, got {tenants}")
    return {p.tenant: p for p in packs}
