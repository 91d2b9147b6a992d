"""Detection quality on a labelled set: each utterance judged on its own (with the signals the row
says are active), per rule family and overall (micro-averaged over utterance × rule pairs).

A row: {"text", "scenario", "speaker" (OPERATOR, DRAFT or CUSTOMER), "expected_rule_ids"}, and
optionally "active_signals", "tenant" and "split". Customer rows are scored on signals, the others
on rules. Obligations and calling hours depend on a call's history and clock, not on one
utterance: their tests are call-level (tests/unit/test_compliance*.py).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from services.compliance.detection import split_sentences
from services.compliance.logic import ComplianceEngine
from services.compliance.semantic import Embed, ExampleCache

SPEAKERS = ("OPERATOR", "DRAFT", "CUSTOMER")
SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")


class LabelledSetError(ValueError):
    """A labelled row is malformed."""


@dataclass(frozen=True)
class Labelled:
    text: str
    scenario: str
    speaker: str
    expected: frozenset[str]
    active_signals: tuple[str, ...] = ()
    tenant: str = ""
    split: str = ""


def _row(data: object, where: str) -> Labelled:
    if not isinstance(data, dict):
        raise LabelledSetError(f"{where}: expected a JSON object")
    missing = [k for k in ("text", "scenario", "speaker", "expected_rule_ids") if k not in data]
    if missing:
        raise LabelledSetError(f"{where}: missing {', '.join(missing)}")
    if data["scenario"] not in SCENARIOS or data["speaker"] not in SPEAKERS:
        raise LabelledSetError(f"{where}: scenario must be one of {SCENARIOS}, speaker one of {SPEAKERS}")
    if not isinstance(data["expected_rule_ids"], list):
        raise LabelledSetError(f"{where}: expected_rule_ids must be a list")
    return Labelled(str(data["text"]), data["scenario"], data["speaker"], frozenset(data["expected_rule_ids"]),
                    tuple(data.get("active_signals") or ()), str(data.get("tenant", "")), str(data.get("split", "")))


def load_labelled(path: Path, split: str = "") -> list[Labelled]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise LabelledSetError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        row = _row(data, f"{path}:{number}")
        if not split or row.split == split:
            rows.append(row)
    return rows


def warmed(embed: Embed, rows: list[Labelled]) -> Embed:
    """The encoder behind a cache filled with every row's sentences in batches (row by row is slow)."""
    cache = ExampleCache(embed)
    cache.vectors([sentence for row in rows for sentence in split_sentences(row.text)])
    return cache.vectors


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None


@dataclass
class Report:
    rows: int = 0
    by_family: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    by_rule: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    overall: Counts = field(default_factory=Counts)
    errors: list[tuple[Labelled, frozenset[str]]] = field(default_factory=list)


def evaluate(engine: ComplianceEngine, rows: Iterable[Labelled], default_tenant: str) -> Report:
    report = Report()
    for row in rows:
        tenant = row.tenant or default_tenant
        families = _families(engine, tenant)
        unknown = row.expected - families.keys()
        if unknown:
            raise LabelledSetError(f"{row.text[:40]!r}: unknown rule ids {sorted(unknown)} for tenant {tenant}")
        found = frozenset(h.id for h in engine.detect(tenant, row.scenario, row.speaker, row.text, row.active_signals))
        report.rows += 1
        for rule_id, outcome in [(i, "tp") for i in found & row.expected] + [(i, "fp") for i in found - row.expected] \
                + [(i, "fn") for i in row.expected - found]:
            for counts in (report.by_family[families[rule_id]], report.by_rule[rule_id], report.overall):
                setattr(counts, outcome, getattr(counts, outcome) + 1)
        if found != row.expected:
            report.errors.append((row, found))
    return report


def _families(engine: ComplianceEngine, tenant: str) -> dict[str, str]:
    policy = engine.policies.get(tenant)
    if policy is None:
        raise LabelledSetError(f"no policy pack for tenant {tenant!r}")
    return {item.id: item.family or "other" for item in (*policy.rules, *policy.signals)}


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(report: Report, per_rule: bool = False, show_errors: bool = False) -> list[str]:
    """The report's lines; the last is `recall=0.XXX precision=0.XXX`."""
    lines = [f"{'family':<26} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}"]
    groups = sorted(report.by_family.items())
    if per_rule:
        groups += [(f"  {rule}", counts) for rule, counts in sorted(report.by_rule.items())]
    for name, counts in groups:
        lines.append(f"{name:<26} {counts.tp:>4} {counts.fp:>4} {counts.fn:>4} {_ratio(counts.precision):>9} "
                     f"{_ratio(counts.recall):>7}")
    if show_errors:
        for row, found in report.errors:
            lines.append(f"  {row.scenario}/{row.speaker}: expected {sorted(row.expected)} found {sorted(found)}: "
                         f"{row.text}")
    overall = report.overall
    lines.append(f"{report.rows} utterances, {overall.tp} hits, {overall.fp} false alarms, {overall.fn} misses")
    lines.append(f"recall={overall.recall or 0.0:.3f} precision={overall.precision or 0.0:.3f}")
    return lines
