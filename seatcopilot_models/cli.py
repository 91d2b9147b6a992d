"""`seatcopilot data prepare`, `seatcopilot train --stage …`, `seatcopilot eval run --suite NAME`,
`seatcopilot eval gate`, `seatcopilot modelkit export|chain`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from seatcopilot.paths import PROJECT_ROOT, PUBLIC_DATA_DIR

from seatcopilot_models.profiles import PROFILES, STAGES, StageSpec

DEFAULT_ROOT = PROJECT_ROOT / "artifacts" / "modelkit"


DEFAULT_SHARED = PUBLIC_DATA_DIR  # the public data sets bundled under data/public


def _profile(args: argparse.Namespace):
    from seatcopilot_models.mixing import parse_ratios

    profile = PROFILES[args.profile]
    stages = dict(profile.stages)
    if getattr(args, "steps", None) or getattr(args, "lr", None):
        stages = {s: StageSpec(args.steps or spec.steps, args.lr or spec.lr) for s, spec in stages.items()}
    return profile.with_overrides(
        stages=stages, seed=getattr(args, "seed", None), batch_size=getattr(args, "batch_size", None),
        phase1=parse_ratios(args.phase1) if getattr(args, "phase1", None) else None,
        phase2=parse_ratios(args.phase2) if getattr(args, "phase2", None) else None)


def _data_dir(args: argparse.Namespace) -> Path:
    from seatcopilot_models.chain import latest

    return Path(args.data) if args.data else latest(Path(args.root) / "data")


def _prepare(args: argparse.Namespace) -> int:
    from seatcopilot_models.chain import base_model, tokenizer_of
    from seatcopilot_models.ingest import IngestError
    from seatcopilot_models.instructions import DATA
    from seatcopilot_models.prepare import PrepareConfig, prepare

    sources = [Path(s) for s in args.source] if args.source else [DATA / "calls"]
    config = PrepareConfig(out=Path(args.root) / "data", shared=Path(args.shared), sources=sources,
                           eval_fraction=args.eval_fraction, seed=args.seed,
                           command=" ".join(["seatcopilot", *sys.argv[1:]]))
    try:
        out = prepare(config, tokenizer_of(base_model()))
    except (IngestError, OSError) as error:
        print(f"data prepare: {error}", file=sys.stderr)
        return 2
    print(f"dataset version {out.name}: {out}")
    print((out / "card.md").read_text())
    return 0


def _train(args: argparse.Namespace) -> int:
    from seatcopilot_models.chain import Layout, base_model
    from seatcopilot_models.train import train

    profile = _profile(args)
    data = _data_dir(args)
    run = Path(args.run) if args.run else Layout(Path(args.root)).run(f"{profile.name}-{data.name}-s{profile.seed}")
    stages = STAGES if args.stage == "all" else (args.stage,)
    adapter = train(data, Path(args.base) if args.base else base_model(), run, profile, stages)
    print(f"adapter: {adapter}")
    return 0


def _export(args: argparse.Namespace) -> int:
    from seatcopilot_models.chain import base_model
    from seatcopilot_models.export import export

    run = Path(args.run)
    adapter = next((run / s / "adapter" for s in reversed(STAGES) if (run / s / "adapter").exists()), None)
    if adapter is None:
        print(f"export: no trained adapter under {run}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path(args.root) / "export" / run.name
    weights = export(Path(args.base) if args.base else base_model(), adapter, out, dtype=args.dtype,
                     manifest={"run": str(run)})
    print(f"Triton model repository: {out} (weights {weights}); serve with scripts/triton.sh start {out}")
    return 0


def _eval_run(args: argparse.Namespace) -> int:
    from seatcopilot_models.chain import base_model
    from seatcopilot_models.evaluation.harness import evaluate
    from seatcopilot_models.evaluation.report import render_table, summary_rows

    profile = PROFILES[args.profile]
    model = base_model() if args.model == "base" else Path(args.model)
    # An export's weights sit at <repository>/<model>/1/weights: name the version after the repository.
    name = args.name or ("base" if args.model == "base" else
                         model.parents[2].name if model.name == "weights" else model.name)
    out = Path(args.out) if args.out else Path(args.root) / "eval"
    report = evaluate(name, model, _data_dir(args), args.suite, out,
                      limit=args.limit if args.limit is not None else profile.eval_per_task, judge=args.judge,
                      judge_items=profile.judge_items, safety_items=profile.safety_items,
                      replay_items=profile.replay_items)
    print(render_table(summary_rows(report)))
    print(f"report: {out / name / 'report.md'}")
    return 0


def _eval_gate(args: argparse.Namespace) -> int:
    from seatcopilot_models.evaluation.report import write_comparison

    baseline, candidate = (json.loads(Path(p).read_text()) for p in (args.baseline, args.candidate))
    report, passed = write_comparison(Path(args.out), baseline, candidate, latency_tolerance=args.latency_tolerance)
    print(report.read_text())
    return 0 if passed else 1


def _chain(args: argparse.Namespace) -> int:
    from seatcopilot_models.chain import run_chain

    report, passed, timings = run_chain(Path(args.root), _profile(args), Path(args.shared), judge=args.judge)
    print(report.read_text())
    steps = ", ".join(f"{k} {v}" for k, v in timings.items())
    print(f"seconds per step: {steps}; total {sum(timings.values()):.0f}")
    return 0 if passed else 1


def _common(parser: argparse.ArgumentParser, data: bool = True) -> None:
    parser.add_argument("--root", default=str(DEFAULT_ROOT), help="where data, runs, exports and reports go")
    if data:
        parser.add_argument("--data", help="a prepared dataset version directory (default: the latest)")


def _training_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", default="smoke", choices=sorted(PROFILES))
    parser.add_argument("--steps", type=int, help="optimizer steps per stage (overrides the profile)")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--phase1", help="stage 3 first-phase mix, e.g. instruction=0.4,internal=0.45,generic=0.15")
    parser.add_argument("--phase2", help="stage 3 second-phase mix")


def register(commands: argparse._SubParsersAction) -> None:
    data = commands.add_parser("data", help="data engineering for model construction").add_subparsers(
        dest="data_command", required=True)
    prepare = data.add_parser("prepare", help="ingest, clean, de-duplicate, mask PII, token stats, data card")
    _common(prepare, data=False)
    prepare.add_argument("--source", action="append", help="JSON lines, CSV or text file or folder (repeatable; "
                                                           "default data/calls)")
    prepare.add_argument("--shared", default=str(DEFAULT_SHARED), help="the public data sets (default: data/public)")
    prepare.add_argument("--eval-fraction", type=float, default=0.25)
    prepare.add_argument("--seed", type=int, default=7)
    prepare.set_defaults(func=_prepare)

    train = commands.add_parser("train", help="three-stage LoRA construction (domain, capability, task)")
    _common(train)
    train.add_argument("--stage", required=True, choices=(*STAGES, "all"))
    train.add_argument("--run", help="run directory (default: ROOT/runs/<profile>-<data version>-s<seed>)")
    train.add_argument("--base", help="base model directory (default: the local SmolLM2-135M-Instruct)")
    _training_options(train)
    train.set_defaults(func=_train)

    evaluation = commands.add_parser("eval", help="evaluation harness").add_subparsers(dest="eval_command",
                                                                                     required=True)
    run = evaluation.add_parser("run", help="run a suite against a model, print the summary, write the report")
    _common(run)
    from seatcopilot_models.evaluation.suites import SUITES

    run.add_argument("--suite", required=True, choices=sorted(SUITES))
    run.add_argument("--model", default="base", help="'base' or a model directory (an export's weights)")
    run.add_argument("--name", help="the version's name in reports")
    run.add_argument("--out", help="report directory")
    run.add_argument("--profile", default="smoke", choices=sorted(PROFILES), help="evaluation slice sizes")
    run.add_argument("--limit", type=int, help="items per task (0: all held-out items)")
    run.add_argument("--judge", default="local", help="judge model: local, local:DIR or triton:HOST:PORT/MODEL")
    run.set_defaults(func=_eval_run)
    gate = evaluation.add_parser("gate", help="compare two report.json files; exit 1 when the candidate regresses")
    gate.add_argument("baseline")
    gate.add_argument("candidate")
    gate.add_argument("--out", default="artifacts/modelkit/gate",
                      help="where comparison.md and gate.json go; ROOT/eval/<export name> makes make run / make up "
                           "serve that export when it passes")
    gate.add_argument("--latency-tolerance", type=float, help="also gate first-token p95 (0.5: +50%% allowed); "
                                                              "timings are only comparable on an idle machine")
    gate.set_defaults(func=_eval_gate)

    kit = commands.add_parser("modelkit", help="export a trained model; run the whole chain").add_subparsers(
        dest="modelkit_command", required=True)
    export = kit.add_parser("export", help="merge the adapter and write a Triton model repository")
    _common(export, data=False)
    export.add_argument("--run", required=True)
    export.add_argument("--out")
    export.add_argument("--base")
    export.add_argument("--dtype", default="float32", choices=("float32", "bfloat16"))
    export.set_defaults(func=_export)
    chain = kit.add_parser("chain", help="data prepare → three stages → export → evaluation report and gate")
    _common(chain, data=False)
    chain.add_argument("--shared", default=str(DEFAULT_SHARED))
    chain.add_argument("--judge", default="local")
    _training_options(chain)
    chain.set_defaults(func=_chain)
