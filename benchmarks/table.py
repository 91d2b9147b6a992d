"""A printed table of measured figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    note: str = ""

    def render(self) -> str:
        cells = [[str(c) for c in self.columns]] + [[_fmt(v) for v in row] for row in self.rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(self.columns))]
        lines = [f"## {self.title}", ""]
        for index, row in enumerate(cells):
            lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
            if index == 0:
                lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        if self.note:
            lines += ["", self.note]
        return "\n".join(lines) + "\n"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(values_s: list[float]) -> list[float]:
    """p50, p95, p99 and mean in milliseconds."""
    ms = [v * 1000 for v in values_s]
    return [percentile(ms, 50), percentile(ms, 95), percentile(ms, 99), statistics.fmean(ms) if ms else float("nan")]
