"""`seatcopilot intents ...`: train and evaluate the intent classifier."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SWEEP = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]


def _model_dir(value: str) -> Path:
    from services.classifier.model import current_model_dir

    directory = Path(value) if value else current_model_dir()
    if directory is None:
        raise SystemExit("no trained classifier: run `make models` (or pass --model-dir)")
    return directory


def evaluate(args: argparse.Namespace) -> int:
    if getattr(args, "jsonl", None):
        return evaluate_taxonomy(args)
    from seatcopilot_models.intents.evaluation import banking_report, read_csv
    from services.classifier.model import Predictor

    try:
        rows = read_csv(Path(args.csv))
        predictor = Predictor(_model_dir(args.model_dir), int8=not args.fp32)
        report, accuracy = banking_report(predictor, rows)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model: {_model_dir(args.model_dir)} ({'fp32' if args.fp32 else 'int8'}), {len(rows)} utterances")
    print(report)
    print(f"accuracy={accuracy:.4f}")
    return 0


def evaluate_taxonomy(args: argparse.Namespace) -> int:
    """The project taxonomy on labelled customer turns: accuracy and the in-scope `unknown` share, at the
    stage's min confidence or, with --sweep, at several (choose on a dev file, report on the held-out one)."""
    from seatcopilot_models.intents.evaluation import read_turns, taxonomy_figures
    from services.classifier.config import ClassifierConfig
    from services.classifier.model import Predictor

    thresholds = SWEEP if args.sweep else [args.min_confidence or ClassifierConfig().min_confidence]
    try:
        rows = read_turns(Path(args.jsonl))
        predictor = Predictor(_model_dir(args.model_dir), int8=not args.fp32)
        figures = taxonomy_figures(predictor, rows, thresholds)
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"model: {_model_dir(args.model_dir)} ({'fp32' if args.fp32 else 'int8'}), {len(rows)} customer turns")
    banking = _banking_heldout_accuracy(_model_dir(args.model_dir), args.fp32)
    if banking is not None:
        print(f"banking77_heldout_accuracy={banking:.4f} (metrics.json)")
    for row in figures:
        print(f"min_confidence={row['min_confidence']:.2f} intent_accuracy={row['accuracy']:.3f} "
              f"in_scope_unknown={row['in_scope_unknown']:.3f}")
    return 0


def _banking_heldout_accuracy(directory: Path, fp32: bool) -> float | None:
    metrics = directory / "metrics.json"
    if not metrics.is_file():
        return None
    return json.loads(metrics.read_text()).get(f"banking77_heldout_accuracy_{'fp32' if fp32 else 'int8'}")


def train(args: argparse.Namespace) -> int:
    from seatcopilot_models.intents.training import TrainConfig, build

    print(f"intent classifier: {build(TrainConfig(), force=args.force)}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    intents = commands.add_parser("intents", help="the intent classifier").add_subparsers(
        dest="intents_command", required=True)
    evaluate_cmd = intents.add_parser(
        "evaluate", help="Banking77-label accuracy on a CSV (columns text,category), or the project taxonomy on "
        "labelled customer turns (JSON lines: text, intent, scenario)")
    source = evaluate_cmd.add_mutually_exclusive_group(required=True)
    source.add_argument("--csv", help="text,category rows in the Banking77 label space")
    source.add_argument("--jsonl", help="customer turns labelled with project intents (data/intents/eval/)")
    evaluate_cmd.add_argument("--min-confidence", type=float, default=0.0,
                              help="with --jsonl; default: the stage's CLASSIFIER_MIN_CONFIDENCE default")
    evaluate_cmd.add_argument("--sweep", action="store_true",
                              help="with --jsonl: figures at several min confidences (choose on dev only)")
    evaluate_cmd.add_argument("--model-dir", default="", help="default: the last model `make models` built")
    evaluate_cmd.add_argument("--fp32", action="store_true", help="without int8 quantization")
    evaluate_cmd.set_defaults(func=evaluate)
    train_cmd = intents.add_parser("train", help="train (or reuse, when its inputs are unchanged) the classifier")
    train_cmd.add_argument("--force", action="store_true", help="train again even when cached")
    train_cmd.set_defaults(func=train)
