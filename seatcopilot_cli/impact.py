"""`seatcopilot impact`: assign an experiment, simulate one, and report its impact.

The report reads the experiment's assignment (experiment.json) and the indicator increments the
indicators service exports (INDICATORS_EXPORT_PATH) or the simulator writes (increments.jsonl), and
writes report.md with plots beside them (artifacts/impact/<experiment>/ by default).
"""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import dataclass
from pathlib import Path

from seatcopilot.experiments import (
    ARM_OFF,
    TENURE_BANDS,
    AssignmentChangeRefused,
    Design,
    Experiment,
    Operator,
    load_experiment,
    save,
)

from seatcopilot_cli.impact_stats import (
    Estimate,
    compare,
    exposure_mismatches,
    guardrail_status,
    operator_sums,
)
from services.indicators.definitions import INDICATORS, Indicator
from services.indicators.logic import Increment
from services.indicators.stage import export

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


def report(args: argparse.Namespace) -> int:
    out = folder(args.experiment, args.out)
    experiment = load_experiment(Path(args.experiment_file) if args.experiment_file else out / "experiment.json")
    if experiment.design.experiment_id != args.experiment:
        raise SystemExit(f"the experiment file holds {experiment.design.experiment_id}, not {args.experiment}")
    increments = read_increments(Path(args.increments) if args.increments else out / "increments.jsonl")
    rows = analyse(experiment, increments, cuped=not args.no_cuped, resamples=args.resamples)
    out.mkdir(parents=True, exist_ok=True)
    plots = plot(rows, out)
    text = markdown(experiment, rows, not args.no_cuped, exposure_mismatches(increments, experiment), plots)
    (out / "report.md").write_text(text)
    print(text)
    print(f"written: {out / 'report.md'}, plots: {', '.join(str(out / p) for p in plots)}")
    return 1 if any(r.guardrail == "fail" for r in rows) else 0


def simulate(args: argparse.Namespace) -> int:
    from seatcopilot_cli.impact_sim import Simulation, run

    effects = {}
    for item in args.effect:
        name, _, value = item.partition("=")
        effects[name] = float(value)
    experiment, increments = run(Simulation(args.experiment, args.operators, args.calls, effects, args.seed))
    out = folder(args.experiment, args.out)
    (out / "increments.jsonl").unlink(missing_ok=True)
    save(experiment, out / "experiment.json")
    export(out / "increments.jsonl", increments)
    print(f"simulated {len(experiment.arms)} operators, {len(increments)} increments into {out}")
    return 0


def assign(args: argparse.Namespace) -> int:
    with open(args.roster, newline="") as handle:
        roster = [Operator(r["operator_id"], r["team_id"], float(r["tenure_months"])) for r in csv.DictReader(handle)]
    path = Path(args.file) if args.file else folder(args.experiment, None) / "experiment.json"
    design = Design(args.experiment, tuple(args.arms.split(",")), args.holdout, args.starts_at)
    try:
        if path.exists():
            experiment = load_experiment(path)
            if experiment.design != design:
                raise AssignmentChangeRefused(f"{path} holds another design: use a new experiment id")
            added = experiment.add_operators(roster)
            print(f"{len(added)} operators added; existing assignments unchanged")
        else:
            experiment = Experiment.create(design, roster)
        save(experiment, path)
    except AssignmentChangeRefused as refused:
        print(f"refused: {refused}")
        return 2
    counts = {arm: list(experiment.arms.values()).count(arm) for arm in sorted(set(experiment.arms.values()))}
    print(f"{args.experiment}: {counts} written to {path} (intake stamps it with EXPERIMENT_FILE={path})")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    impact = commands.add_parser("impact", help="experiments and their impact").add_subparsers(
        dest="impact_command", required=True)
    rep = impact.add_parser("report", help="difference between arms per indicator, with intervals")
    rep.add_argument("--experiment", required=True)
    rep.add_argument("--experiment-file", help="assignment (default: <out>/experiment.json)")
    rep.add_argument("--increments", help="indicator increments JSON lines (default: <out>/increments.jsonl)")
    rep.add_argument("--out", help=f"folder (default: {ARTIFACTS}/<experiment>)")
    rep.add_argument("--no-cuped", action="store_true", help="no pre-period variance reduction")
    rep.add_argument("--resamples", type=int, default=2000)
    rep.set_defaults(func=report)
    sim = impact.add_parser("simulate", help="simulated operators and calls with a known injected effect")
    sim.add_argument("--experiment", required=True)
    sim.add_argument("--effect", action="append", default=[], help="INDICATOR=DIFFERENCE, repeatable")
    sim.add_argument("--operators", type=int, default=160)
    sim.add_argument("--calls", type=int, default=40, help="calls per operator in each period")
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--out")
    sim.set_defaults(func=simulate)
    asg = impact.add_parser("assign", help="stratified, frozen assignment of operators to arms")
    asg.add_argument("--experiment", required=True)
    asg.add_argument("--roster", required=True, help="CSV with operator_id, team_id, tenure_months")
    asg.add_argument("--arms", default="on", help="treatment arms, comma-separated (the holdout is 'off')")
    asg.add_argument("--holdout", type=float, default=0.5, help=f"share of operators in arm '{ARM_OFF}'")
    asg.add_argument("--starts-at", required=True, help="ISO-8601 start; earlier calls are the pre-period")
    asg.add_argument("--file", help="where the assignment lives")
    asg.set_defaults(func=assign)
