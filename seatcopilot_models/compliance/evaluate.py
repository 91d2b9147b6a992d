"""Detection quality on a labelled set: each utterance judged on its own (with the signals the row
says are active), per rule family and overall (micro-averaged over utterance × rule pairs).

A row: {"text", "scenario", "speaker" (OPERATOR, DRAFT or CUSTOMER), "expected_rule_ids"}, and
optionally "active_signals", "tenant", "split" and "gives" (the obligations an operator line gives,
in any wording). Customer rows are scored on signals, the others on rules; operator rows with
"gives" also on the obligations recognised as given (family "obligation_given"). Whether an
obligation is overdue depends on the call's history: that is measured on whole calls
(seatcopilot_models/compliance/call_eval.py).
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
OBLIGATION_FAMILY = "obligation_given"
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
    gives: frozenset[str] | None = None


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
    gives = frozenset(data["gives"]) if isinstance(data.get("gives"), list) else None
    return Labelled(str(data["text"]), data["scenario"], data["speaker"], frozenset(data["expected_rule_ids"]),
                    tuple(data.get("active_signals") or ()), str(data.get("tenant", "")), str(data.get("split", "")),
                    gives)


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


def warmed(embed: Embed, texts: list[str]) -> Embed:
    """The encoder behind a cache filled in batches (text by text is slow) with every text's sentences
    and, for texts of several sentences, the whole text (the learned detector scores both)."""
    cache = ExampleCache(embed)
    wanted = []
    for text in texts:
        sentences = split_sentences(text)
        wanted += sentences + ([" ".join(sentences)] if len(sentences) > 1 else [])
    cache.vectors(wanted)
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
    obligations: Counts = field(default_factory=Counts)
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
        _count(report, found, row.expected, families, report.overall)
        if found != row.expected:
            report.errors.append((row, found))
        if row.gives is not None and row.speaker == "OPERATOR":
            given = frozenset(engine.obligations_given(tenant, row.scenario, row.text))
            _count(report, given, row.gives, {i: OBLIGATION_FAMILY for i in given | row.gives}, report.obligations)
            if given != row.gives:
                report.errors.append((row, given))
    return report


def _count(report: Report, found: frozenset[str], expected: frozenset[str], families: dict[str, str],
           total: Counts) -> None:
    for item_id, outcome in [(i, "tp") for i in found & expected] + [(i, "fp") for i in found - expected] \
            + [(i, "fn") for i in expected - found]:
        for counts in (report.by_family[families[item_id]], report.by_rule[item_id], total):
            setattr(counts, outcome, getattr(counts, outcome) + 1)


def _families(engine: ComplianceEngine, tenant: str) -> dict[str, str]:
    policy = engine.policies.get(tenant)
    if policy is None:
        raise LabelledSetError(f"no policy pack for tenant {tenant!r}")
    families = {rule.id: rule.family or "other" for rule in policy.rules}
    families.update((signal.id, signal.family or "other") for signal in policy.signals)
    return families


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def render(report: Report, per_rule: bool = False, show_errors: bool = False) -> list[str]:
    """The report's lines; the last is `recall=0.XXX precision=0.XXX`."""
    lines = [f"{'family':<26} {'support':>7} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}"]
    groups = sorted(report.by_family.items())
    if per_rule:
        groups += [(f"  {rule}", counts) for rule, counts in sorted(report.by_rule.items())]
    for name, counts in groups:
        lines.append(f"{name:<26} {counts.tp + counts.fn:>7} {counts.tp:>4} {counts.fp:>4} {counts.fn:>4} "
                     f"{_ratio(counts.precision):>9} {_ratio(counts.recall):>7}")
    if show_errors:
        for row, found in report.errors:
            lines.append(f"  {row.scenario}/{row.speaker}: expected {sorted(row.expected)} found {sorted(found)}: "
                         f"{row.text}")
    overall = report.overall
    lines.append(f"{report.rows} utterances, {overall.tp} hits, {overall.fp} false alarms, {overall.fn} misses")
    given = report.obligations
    if given.tp + given.fp + given.fn:
        lines.append(f"obligations given (not in the last line): recall={given.recall or 0.0:.3f} "
                     f"precision={given.precision or 0.0:.3f}")
    lines.append(f"recall={overall.recall or 0.0:.3f} precision={overall.precision or 0.0:.3f}")
    return lines
