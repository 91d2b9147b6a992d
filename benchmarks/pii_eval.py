"""Redaction quality on the labelled PII set (data/pii/labelled.jsonl).

A labelled value counts as caught when every letter and digit of it is covered by some finding (of
any kind: a masked value is masked whatever its label says); `kind_ok` also wants the finding's
kind to match. A finding is correct when it overlaps a labelled value. Each utterance is read on its
own, without the call context (what the operator asked, names said before) intake also uses, so
these are floor figures for context-dependent kinds.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from seatcopilot.paths import data_path
from seatcopilot.pii import find_pii

LABELLED = data_path("pii", "labelled.jsonl")


@dataclass
class Tally:
    gold: int = 0
    caught: int = 0
    kind_ok: int = 0
    found: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.caught / self.gold if self.gold else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else float("nan")


@dataclass
class Evaluation:
    utterances: int = 0
    by_kind: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_group: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)


def load(path: Path = LABELLED) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _gold_spans(row: dict) -> list[tuple[str, int, int]]:
    spans, cursor = [], {}
    for item in row["pii"]:
        start = row["text"].find(item["value"], cursor.get(item["value"], 0))
        cursor[item["value"]] = start + 1
        spans.append((item["kind"], start, start + len(item["value"])))
    return spans


def evaluate(rows: list[dict]) -> Evaluation:
    result = Evaluation(utterances=len(rows))
    for row in rows:
        text = row["text"]
        gold = _gold_spans(row)
        found = find_pii(text)
        covered = {i for f in found for i in range(f.start, f.end)}
        group = f"{row['source'].split(':')[0]} {row['form']}"
        for kind, start, end in gold:
            needed = {i for i in range(start, end) if text[i].isalnum()}
            caught = needed <= covered
            same_kind = caught and any(f.kind == kind and f.start < end and start < f.end for f in found)
            for tally in (result.by_kind[kind], result.by_group[group], result.total):
                tally.gold += 1
                tally.caught += caught
                tally.kind_ok += same_kind
            if not caught:
                result.misses.append((kind, text[start:end], text))
        for finding in found:
            correct = any(finding.start < end and start < finding.end for _, start, end in gold)
            for tally in (result.by_kind[finding.kind], result.by_group[group], result.total):
                tally.found += 1
                tally.correct += correct
            if not correct:
                result.false_positives.append((finding.kind, text[finding.start:finding.end], text))
    return result
