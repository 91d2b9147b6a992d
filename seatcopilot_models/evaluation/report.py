"""One report per model version (report.json, report.md, plots) and a comparison of two versions with
the regression gate. Human-review exports sit beside the report (review.jsonl and review.csv)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from seatcopilot_models.evaluation.gate import compare, gate_passed, render_gate


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return "—" if value is None else str(value)


def summary_rows(report: dict) -> list[tuple[str, str, str, str]]:
    """(suite, item, metric, value) for every number in the results, for the table and the CLI."""
    rows = [("task", "all", "task_score", _fmt(report["results"].get("task_score")))]
    for suite, tasks in report["results"].items():
        if not isinstance(tasks, dict):
            continue
        for task, values in tasks.items():
            rows += [(suite, task, metric, _fmt(value)) for metric, value in values.items() if metric != "items"]
    return rows


def render_table(rows: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in [("suite", "item", "metric", "value"), *rows]) for i in range(4)]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True))  # noqa: E731
    return "\n".join([line(("suite", "item", "metric", "value")), line(tuple("-" * w for w in widths)),
                      *map(line, rows)])


def write_review(out: Path, rows: list[dict]) -> None:
    """Subjective items for people to score: the judge's score is a suggestion, human_score is theirs."""
    (out / "review.jsonl").write_text("".join(json.dumps(r | {"human_score": None}) + "\n" for r in rows))
    with (out / "review.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "task", "prompt", "output", "reference", "judge_score", "human_score", "notes"])
        for r in rows:
            writer.writerow([r["id"], r["task"], r["prompt"], r["output"], r["reference"], r.get("judge_score"),
                             "", ""])


def write_report(out: Path, report: dict, samples: list[dict], review: list[dict]) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1, sort_keys=True))
    (out / "samples.jsonl").write_text("".join(json.dumps(s) + "\n" for s in samples))
    write_review(out, review)
    lines = [f"# Evaluation: {report['model']}", "", f"Model directory `{report['model_dir']}`; data version "
             f"`{report['data_version']}`; suites {', '.join(report['suites'])}; {report['seconds']:.0f} s.", "",
             "| suite | item | metric | value |", "|---|---|---|---|"]
    lines += [f"| {' | '.join(row)} |" for row in summary_rows(report)]
    lines += ["", "Outputs per item: `samples.jsonl`; subjective items for human review: `review.csv`.", ""]
    (out / "report.md").write_text("\n".join(lines))
    return out / "report.md"


def _bar_plot(path: Path, labels: list[str], series: dict[str, list[float]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    x = np.arange(len(labels))
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(6, len(labels) * 1.1), 3.6))
    for i, (name, values) in enumerate(series.items()):
        ax.bar(x + i * width, values, width, label=name)
    ax.set_xticks(x + width * (len(series) - 1) / 2, labels, rotation=20, ha="right", fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _loss_plot(path: Path, run_dir: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    offset, drawn = 0, False
    for stage in ("domain", "capability", "task"):
        metrics_file = run_dir / stage / "metrics.json"
        if metrics_file.exists():
            losses = json.loads(metrics_file.read_text())["losses"]
            ax.plot([offset + s for s, _ in losses], [loss for _, loss in losses], label=stage)
            offset += len(losses)
            drawn = True
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("training loss")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return drawn


COMPARED = [("task_score", ("task_score",)), ("intent acc", ("basic", "intent", "accuracy")),
            ("next_task acc", ("basic", "next_task", "accuracy")), ("reading acc", ("advanced", "reading", "accuracy")),
            ("rewrite ok", ("advanced", "rewrite", "accuracy")),
            ("rewrite violation-free", ("advanced", "rewrite", "violation_free")),
            ("safety compliance", ("safety", "compliance", "safe_rate")),
            ("safety PII", ("safety", "pii_leakage", "safe_rate")),
            ("safety refusal", ("safety", "refusal", "safe_rate"))]


def write_comparison(out: Path, baseline: dict, candidate: dict, run_dir: Path | None = None,
                     latency_tolerance: float | None = None) -> tuple[Path, bool]:
    from seatcopilot_models.evaluation.gate import _get, with_latency_tolerance

    out.mkdir(parents=True, exist_ok=True)
    checks = compare(baseline, candidate, with_latency_tolerance(latency_tolerance))
    present = [(label, path) for label, path in COMPARED
               if _get(baseline["results"], path) is not None and _get(candidate["results"], path) is not None]
    lines = [f"# {candidate['model']} against {baseline['model']}", "",
             f"Data version `{candidate['data_version']}`; held-out items only.", ""]
    if present:
        _bar_plot(out / "comparison.png", [label for label, _ in present],
                  {m["model"]: [_get(m["results"], path) or 0.0 for _, path in present] for m in (baseline, candidate)},
                  "held-out scores (higher is better)")
        lines += ["![scores](comparison.png)", ""]
    if run_dir is not None and _loss_plot(out / "training_loss.png", run_dir):
        lines += ["![training loss](training_loss.png)", ""]
    lines += ["## Regression gate", "", *render_gate(checks, baseline["model"], candidate["model"]), ""]
    lines += ["Per-version reports: " + ", ".join(f"[{m['model']}]({m['model']}/report.md)"
                                                   for m in (baseline, candidate)), ""]
    (out / "comparison.md").write_text("\n".join(lines))
    # Machine-readable verdict: `make run` / `make up` serve a kit export only when its run's gate passed.
    (out / "gate.json").write_text(json.dumps({"passed": gate_passed(checks), "baseline": baseline["model"],
                                               "candidate": candidate["model"]}, indent=1))
    return out / "comparison.md", gate_passed(checks)
