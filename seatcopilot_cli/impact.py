"""`seatcopilot impact`: assign an experiment, simulate one, and report its impact (the analysis is in
the model kit, seatcopilot_models.impact)."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from seatcopilot.experiments import (
    ARM_OFF,
    AssignmentChangeRefused,
    Design,
    Experiment,
    Operator,
    load_experiment,
    save,
)

from seatcopilot_models.impact.report import ARTIFACTS, analyse, folder, markdown, plot, read_increments
from seatcopilot_models.impact.stats import exposure_mismatches
from services.indicators.stage import export


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
    from seatcopilot_models.impact.simulation import Simulation, run

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
