"""The `seatcopilot` command."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_CALLS = Path(__file__).resolve().parent.parent / "data" / "calls"


def _replay(args: argparse.Namespace) -> int:
    from seatcopilot_cli.replay import run

    return run(Path(args.file), args.json)


def _demo(args: argparse.Namespace) -> int:
    from seatcopilot_cli.demo import run

    return run(args.host, args.port, args.speed, args.once)


def _kg_load(args: argparse.Namespace) -> int:
    from seatcopilot.config import load
    from seatcopilot.encoder import shared_encoder

    from services.retrieval.config import RetrievalConfig
    from services.retrieval.knowledge import load_knowledge
    from services.retrieval.loader import load_into_neo4j

    config = load(RetrievalConfig)
    records = load_knowledge(Path(args.kb) if args.kb else config.kb_path)
    report = load_into_neo4j(config.neo4j_uri, config.neo4j_user, config.neo4j_password, records, shared_encoder())
    print(f"knowledge graph: {report.created_or_updated} items written, {report.unchanged} unchanged, "
          f"{report.removed} removed")
    return 0


def _topics_create(args: argparse.Namespace) -> int:
    from seatcopilot_cli.topics import create_topics

    created = create_topics(args.bootstrap, args.partitions)
    print(f"topics ready ({len(created)} created)")
    return 0


def _models_build(args: argparse.Namespace) -> int:
    from seatcopilot.encoder import encoder_path

    from services.generation.local_model import build_local_model

    print(f"encoder: {encoder_path()}")
    print(f"local instruct model: {build_local_model()}")
    return 0


def _summaries(args: argparse.Namespace) -> int:
    from seatcopilot_cli import summaries

    if args.summaries_command == "evaluate":
        return summaries.run_evaluate(Path(args.jsonl), args.backend, args.limit, not args.no_intents,
                                      Path(args.out) if args.out else None)
    if args.summaries_command == "prepare":
        return summaries.run_prepare(Path(args.data), Path(args.out))
    return summaries.run_feedback_export(args.bootstrap, Path(args.out), args.timeout)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="seatcopilot", description="Seat Copilot: a real-time copilot for "
                                   "operators in financial contact centers")
    commands = root.add_subparsers(dest="command", required=True)

    replay = commands.add_parser("replay", help="run the embedded pipeline over a JSON-lines file of call events")
    replay.add_argument("file")
    replay.add_argument("--json", action="store_true", help="print each output as one JSON line")
    replay.set_defaults(func=_replay)

    demo = commands.add_parser("demo", help="the embedded demo: bundled calls at conversational pace + console")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8080)
    demo.add_argument("--speed", type=float, default=1.0, help="replay speed factor (2 = twice as fast)")
    demo.add_argument("--once", action="store_true", help="replay the bundled calls once, then exit")
    demo.set_defaults(func=_demo)

    kg = commands.add_parser("kg", help="knowledge graph").add_subparsers(dest="kg_command", required=True)
    kg_load = kg.add_parser("load", help="load the knowledge base into Neo4j (idempotent)")
    kg_load.add_argument("--kb", help="knowledge base YAML (default: the bundled one)")
    kg_load.set_defaults(func=_kg_load)

    topics = commands.add_parser("topics", help="Kafka topics").add_subparsers(dest="topics_command", required=True)
    topics_create = topics.add_parser("create", help="create every pipeline topic (idempotent)")
    topics_create.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    topics_create.add_argument("--partitions", type=int, default=6)
    topics_create.set_defaults(func=_topics_create)

    add_summaries_commands(commands)

    models = commands.add_parser("models", help="local models").add_subparsers(dest="models_command", required=True)
    models.add_parser("build", help="build the local models the pipeline needs").set_defaults(func=_models_build)
    return root


def add_summaries_commands(commands: argparse._SubParsersAction) -> None:
    summaries = commands.add_parser("summaries", help="summary evaluation and wrap-up feedback").add_subparsers(
        dest="summaries_command", required=True)
    evaluate = summaries.add_parser("evaluate", help="ROUGE-1/2/L and faithfulness on dialogues with references")
    evaluate.add_argument("--jsonl", required=True, help="lines with `dialogue` and `summary` (the reference)")
    evaluate.add_argument("--backend", default="none", choices=("none", "local", "triton"),
                          help="the model writing narratives (none: composed from call state)")
    evaluate.add_argument("--limit", type=int, default=0, help="only the first N dialogues")
    evaluate.add_argument("--no-intents", action="store_true", help="skip the classifier (faster, fewer topics)")
    evaluate.add_argument("--out", help="also write each dialogue's candidate and scores as JSON lines")
    prepare = summaries.add_parser("prepare", help="evaluation files from the shared data sets and bundled calls")
    prepare.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    prepare.add_argument("--out", default="artifacts/summaries")
    feedback = summaries.add_parser("feedback", help="export operators' accepted and edited wrap-ups (JSON lines)")
    feedback.add_argument("--out", required=True)
    feedback.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    feedback.add_argument("--timeout", type=float, default=5.0, help="stop after this many idle seconds")
    for command in (evaluate, prepare, feedback):
        command.set_defaults(func=_summaries)


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    sys.exit(args.func(args))
