"""`seatcopilot intents ...`: train and evaluate the intent classifier."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _model_dir(value: str) -> Path:
    from services.classifier.training import current_model_dir

    directory = Path(value) if value else current_model_dir()
    if directory is None:
        raise SystemExit("no trained classifier: run `make models` (or pass --model-dir)")
    return directory


def evaluate(args: argparse.Namespace) -> int:
    from services.classifier.evaluation import banking_report, read_csv
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


def train(args: argparse.Namespace) -> int:
    from services.classifier.training import TrainConfig, build

    print(f"intent classifier: {build(TrainConfig(), force=args.force)}")
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    intents = commands.add_parser("intents", help="the intent classifier").add_subparsers(
        dest="intents_command", required=True)
    evaluate_cmd = intents.add_parser("evaluate", help="Banking77-label accuracy on a CSV (columns text,category)")
    evaluate_cmd.add_argument("--csv", required=True)
    evaluate_cmd.add_argument("--model-dir", default="", help="default: the last model `make models` built")
    evaluate_cmd.add_argument("--fp32", action="store_true", help="without int8 quantization")
    evaluate_cmd.set_defaults(func=evaluate)
    train_cmd = intents.add_parser("train", help="train (or reuse, when its inputs are unchanged) the classifier")
    train_cmd.add_argument("--force", action="store_true", help="train again even when cached")
    train_cmd.set_defaults(func=train)
