"""The impact report of an experiment (`seatcopilot impact report`).

It reads the experiment's assignment (experiment.json) and the indicator increments the
indicators service exports (INDICATORS_EXPORT_PATH) or the simulator writes (increments.jsonl), and
writes report.md with plots beside them (artifacts/impact/<experiment>/ by default).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from seatcopilot.experiments import (
    TENURE_BANDS,
    Experiment,
)

from seatcopilot_models.impact.stats import (
    Estimate,
    compare,
    guardrail_status,
    operator_sums,
)
from services.indicators.definitions import INDICATORS, Indicator
from services.indicators.logic import Increment

ARTIFACTS = Path("artifacts") / "impact"


@dataclass(frozen=True)
class Row:
    indicator: Indicator
    arm: str
    overall: Estimate | None
    by_band: dict[str, Estimate | None]
    guardrail: str


def folder(experiment_id: str, out: str | None) -> Path:
    return Path(out) if out else ARTIFACTS / experiment_id


def read_increments(path: Path) -> list[Increment]:
    return [Increment.from_json(json.loads(line)) for line in path.read_text().splitlines() if line.strip()]


def analyse(experiment: Experiment, increments: list[Increment], cuped: bool, resamples: int) -> list[Row]:
    sums = operator_sums(increments, experiment)
    rows = []
    for arm in experiment.design.treatment_arms:
        for indicator in INDICATORS:
            overall = compare(sums, experiment, indicator, arm, cuped=cuped, resamples=resamples)
            bands = {band: compare(sums, experiment, indicator, arm, cuped=cuped, band=band, resamples=resamples)
                     for _, _, band in TENURE_BANDS}
            status = guardrail_status(indicator, overall) if indicator.guardrail else ""
            rows.append(Row(indicator, arm, overall, bands, status))
    return rows


def _cell(result: Estimate | None) -> str:
    if result is None:
        return "n/a"
    return f"{result.difference:+.4g} [{result.low:+.4g}, {result.high:+.4g}]"


def markdown(experiment: Experiment, rows: list[Row], cuped: bool, mismatches: int, plots: list[str]) -> str:
    design = experiment.design
    arms = sorted(set(experiment.arms.values()))
    counts = ", ".join(f"{arm}: {list(experiment.arms.values()).count(arm)}" for arm in arms)
    bands = [band for _, _, band in TENURE_BANDS]
    lines = [
        f"# Impact report — {design.experiment_id}", "",
        f"- Experiment from {design.starts_at}; operators per arm: {counts}; holdout share {design.holdout_share}.",
        "- Difference = treated arm − holdout (arm `off`), mean of per-operator values, "
        "95% percentile bootstrap over operators"
        + (", adjusted by each operator's pre-period value (CUPED)." if cuped else ", no variance reduction."),
        f"- Experiment-period increments left out because their recorded arm differs from the assignment: "
        f"{mismatches}.", "",
        "| indicator | arm | unit | better | holdout mean | difference [95% CI] | "
        + " | ".join(f"tenure {b}" for b in bands) + " | guardrail |",
        "|---" * (7 + len(bands)) + "|",
    ]
    for row in rows:
        mean = f"{row.overall.control_mean:.4g}" if row.overall else "n/a"
        better = "higher" if row.indicator.direction == "higher_is_better" else "lower"
        lines.append(f"| {row.indicator.name} | {row.arm} | {row.indicator.unit} | {better} | {mean} | "
                     f"{_cell(row.overall)} | " + " | ".join(_cell(row.by_band[b]) for b in bands)
                     + f" | {row.guardrail} |")
    failed = [r.indicator.name for r in rows if r.guardrail == "fail"]
    lines += ["", "## Guardrails", "",
              ("FAILED: compliance got worse on " + ", ".join(failed) + ".") if failed else
              "Compliance did not get worse: no guardrail interval lies entirely on the worse side.", "",
              "Copilot-use indicators are n/a against the holdout, which is shown no suggestions.", ""]
    lines += [f"![{name}]({name})" for name in plots]
    return "\n".join(lines) + "\n"


def plot(rows: list[Row], out: Path) -> list[str]:
    """One forest plot: each indicator's difference relative to the holdout mean, overall and per band."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [r for r in rows if r.overall is not None and r.overall.control_mean]
    figure, axis = plt.subplots(figsize=(9, 0.45 * len(shown) + 1.5))
    series = [("all", lambda r: r.overall, 0.0)] + [
        (band, (lambda b: lambda r: r.by_band[b])(band), 0.18 * (i + 1)) for i, (_, _, band) in enumerate(TENURE_BANDS)]
    for label, pick, offset in series:
        ys, xs, lows, highs = [], [], [], []
        for index, row in enumerate(shown):
            result = pick(row)
            if result is None or row.overall is None:
                continue
            scale = 100 / abs(row.overall.control_mean)  # every band in points of the overall control
            ys.append(index + offset)
            xs.append(result.difference * scale)
            lows.append((result.difference - result.low) * scale)
            highs.append((result.high - result.difference) * scale)
        axis.errorbar(xs, ys, xerr=[lows, highs], fmt="o", capsize=2, label=label, markersize=3)
    axis.axvline(0, color="grey", linewidth=0.8)
    axis.set_yticks(range(len(shown)), [f"{r.indicator.name} ({r.arm})" for r in shown], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel("difference vs holdout, % of the holdout mean (95% CI)")
    axis.legend(title="tenure", fontsize=7)
    figure.tight_layout()
    figure.savefig(out / "effects.png", dpi=110)
    plt.close(figure)
    return ["effects.png"]
