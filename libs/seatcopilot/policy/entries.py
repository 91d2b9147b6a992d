"""One YAML entry of a pack to a checked model object; a malformed entry raises PolicyError naming it."""

from __future__ import annotations

import re
from datetime import time as clock_time
from typing import Any

from seatcopilot.policy.model import CallingHours, Obligation, Policy, Rule, Signal

SEVERITIES = ("LOW", "MEDIUM", "HIGH", "CRITICAL")
REMEDIES = ("REWRITE", "BLOCK", "ALERT")
SPEAKERS = ("OPERATOR", "DRAFT")
BEFORE_REMEDIES = ("PREPEND", "REMOVE")


class PolicyError(ValueError):
    """The policy file is malformed."""


RULE_KEYS = {"id", "family", "citation", "scenarios", "applies_to", "severity", "phrases", "patterns", "remedy",
             "fix", "examples", "counter_examples", "semantic_threshold", "rewrite", "when", "exempt_patterns"}
SIGNAL_KEYS = {"id", "family", "citation", "scenarios", "severity", "phrases", "patterns", "message", "fix",
               "examples", "counter_examples", "semantic_threshold", "cleared_by", "cleared_patterns"}
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


def check_keys(entry: dict, allowed: set[str], what: str) -> None:
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


def rule_entry(entry: dict) -> Rule:
    check_keys(entry, RULE_KEYS, "rule")
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


def signal_entry(entry: dict) -> Signal:
    check_keys(entry, SIGNAL_KEYS, "signal")
    signal = Signal(
        id=str(entry["id"]), family=str(entry.get("family", "")), citation=str(entry.get("citation", "")),
        scenarios=_tuple(entry, "scenarios"), severity=_severity(entry),
        phrases=tuple(p.lower() for p in _tuple(entry, "phrases")), patterns=_tuple(entry, "patterns"),
        message=str(entry.get("message", "")), fix=str(entry.get("fix", "")), examples=_tuple(entry, "examples"),
        counter_examples=_tuple(entry, "counter_examples"), semantic_threshold=_threshold(entry),
        cleared_by=_tuple(entry, "cleared_by"), cleared_patterns=_tuple(entry, "cleared_patterns"),
    )
    return _compiled(signal, "matchers", "clear_matchers")


def obligation_entry(entry: dict) -> Obligation:
    check_keys(entry, OBLIGATION_KEYS, "obligation")
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


def calling_hours_entry(entry: dict) -> CallingHours:
    check_keys(entry, HOURS_KEYS, "calling_hours entry")
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


def check_references(policy: Policy) -> None:
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
