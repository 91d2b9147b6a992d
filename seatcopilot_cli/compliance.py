"""`seatcopilot compliance ...`: detection quality on a labelled set, and the audit log (verify, query)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from seatcopilot import audit_log as audit
from seatcopilot import codec
from seatcopilot.config import load
from seatcopilot.policy import PolicyError, load_policies
from seatcopilot.topics import AUDIT_ANCHORS
from seatcopilot.transport.kafka_security import client_options

from seatcopilot_models.compliance.evaluate import LabelledSetError, evaluate, load_labelled, render, warmed
from services.compliance.config import ComplianceConfig
from services.compliance.logic import ComplianceEngine
from services.compliance.semantic import Embed


def _encoder(texts: list[str]) -> Embed:
    from seatcopilot.encoder import shared_encoder

    return warmed(shared_encoder().encode, texts)


def _engine(args: argparse.Namespace, texts: list[str]) -> tuple[ComplianceEngine, str]:
    """The engine the service would run (pack phrases and patterns, the embedding matcher, the learned
    detector), less what the flags turn off; and a line saying which."""
    config = load(ComplianceConfig)
    semantic = config.semantic and not args.no_semantic
    detector = config.detector and not args.no_detector
    embed = _encoder(texts) if semantic or detector else None
    learned = None
    if detector:
        from seatcopilot_models.compliance.detector import load_or_build

        learned = load_or_build(embed)
    engine = ComplianceEngine(load_policies(Path(args.policy) if args.policy else config.policy_path), embed,
                              learned=learned, semantic=semantic)
    label = (f"semantic matcher {'on' if semantic else 'off'}, learned detector "
             f"{learned.version if learned else 'off'}")
    return engine, label


def _evaluate(args: argparse.Namespace) -> int:
    try:
        rows = load_labelled(Path(args.jsonl), args.split)
        engine, label = _engine(args, [row.text for row in rows])
        report = evaluate(engine, rows, args.tenant)
    except (OSError, PolicyError, LabelledSetError) as error:
        print(f"compliance evaluate: {error}", file=sys.stderr)
        return 2
    policy = engine.policies[args.tenant].label if args.tenant in engine.policies else "?"
    split = f", split {args.split}" if args.split else ""
    print(f"Compliance detection on {args.jsonl}{split}: policy {policy}, {label}")
    print("\n".join(render(report, per_rule=args.per_rule, show_errors=args.errors)))
    return 0


def _evaluate_calls(args: argparse.Namespace) -> int:
    from seatcopilot_models.compliance.call_eval import evaluate_calls, load_calls, render_calls

    try:
        calls = load_calls(Path(args.jsonl), args.split)
        engine, label = _engine(args, [t["text"] for c in calls for t in c["turns"]])
        report = evaluate_calls(engine, calls, args.tenant)
    except (OSError, PolicyError, ValueError, KeyError) as error:
        print(f"compliance evaluate-calls: {error!r}", file=sys.stderr)
        return 2
    split = f", split {args.split}" if args.split else ""
    print(f"Whole-call compliance on {args.jsonl}{split}: {label}")
    print("\n".join(render_calls(report, args.errors)))
    return 0


def _audit_location(args: argparse.Namespace) -> tuple[Path, list[Path]]:
    config = load(ComplianceConfig)
    directory = Path(args.dir) if args.dir else config.audit_dir
    return directory, [Path(k) for k in args.key_file] if args.key_file else [config.audit_key_file]


def read_anchors(bootstrap: str, log: str, timeout_s: float = 30.0) -> dict[str, audit.Anchor]:
    """The newest anchor of every segment of one log, read from the audit-anchors topic to its end."""
    from kafka import KafkaConsumer, TopicPartition
    from seatcopilot.contracts.audit.v1 import audit_pb2

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                             **client_options())
    anchors: dict[str, audit.Anchor] = {}
    try:
        parts = [TopicPartition(AUDIT_ANCHORS.name, p)
                 for p in sorted(consumer.partitions_for_topic(AUDIT_ANCHORS.name) or ())]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        ends, deadline = consumer.end_offsets(parts), time.monotonic() + timeout_s
        while any(consumer.position(p) < ends[p] for p in parts) and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    anchor = audit.from_message(codec.decode(record.value, audit_pb2.AuditAnchor))
                    if anchor.log == log:
                        anchors[anchor.segment] = anchor
    finally:
        consumer.close()
    return anchors


def _audit_verify(args: argparse.Namespace) -> int:
    directory, key_files = _audit_location(args)
    missing = [k for k in key_files if not k.is_file()]
    if missing:
        print(f"no audit key at {missing[0]}", file=sys.stderr)
        return 2
    anchors = read_anchors(args.anchors_from, args.log) if args.anchors_from else None
    reports = audit.verify(directory, audit.keyring(audit.read_key(k) for k in key_files), anchors)
    if not reports:
        print(f"no audit segments in {directory}", file=sys.stderr)
        return 2
    for report in reports:
        if report.problem:
            print(f"TAMPERED {report.path}: {report.problem}")
        else:
            print(f"ok {report.path}: {report.records} records, head {report.head}")
    broken = [r for r in reports if r.problem]
    anchored = f", checked against {len(anchors)} anchors" if anchors is not None else ", no anchors checked"
    print(f"{len(reports)} segments, {sum(r.records for r in reports)} records verified{anchored}, "
          f"{len(broken)} broken")
    return 1 if broken else 0


def _audit_show(args: argparse.Namespace) -> int:
    directory, _ = _audit_location(args)
    found = 0
    for record in audit.records_for_call(directory, args.call):
        print(json.dumps(record, sort_keys=True))
        found += 1
    if not found:
        print(f"no audit records for call {args.call} in {directory}", file=sys.stderr)
        return 1
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    compliance = commands.add_parser("compliance", help="compliance: quality evaluation and the audit log")
    sub = compliance.add_subparsers(dest="compliance_command", required=True)

    evaluate_cmd = sub.add_parser("evaluate", help="precision and recall of detection on a labelled JSON-lines set")
    evaluate_cmd.add_argument("--jsonl", required=True,
                              help="rows with text, scenario, speaker, expected_rule_ids (optional active_signals)")
    evaluate_cmd.add_argument("--policy", help="policy packs (default: COMPLIANCE_POLICY or the bundled catalog)")
    evaluate_cmd.add_argument("--tenant", default="harbor", help="the pack rows without a tenant are judged by")
    evaluate_cmd.add_argument("--split", default="", help="only rows of this split (e.g. test)")
    evaluate_cmd.add_argument("--no-semantic", action="store_true", help="without the pack-example matcher")
    evaluate_cmd.add_argument("--no-detector", action="store_true", help="without the learned detector")
    evaluate_cmd.add_argument("--per-rule", action="store_true", help="a line per rule too")
    evaluate_cmd.add_argument("--errors", action="store_true", help="list the rows detection got wrong")
    evaluate_cmd.set_defaults(func=_evaluate)

    calls_cmd = sub.add_parser("evaluate-calls",
                               help="obligations, alerts and draft verdicts over labelled whole calls")
    calls_cmd.add_argument("--jsonl", required=True, help="calls with turns, expected alerts and obligation states")
    calls_cmd.add_argument("--policy", help="policy packs (default: COMPLIANCE_POLICY or the bundled catalog)")
    calls_cmd.add_argument("--tenant", default="harbor", help="the pack the calls are judged by")
    calls_cmd.add_argument("--split", default="", help="only calls of this split")
    calls_cmd.add_argument("--no-semantic", action="store_true", help="without the pack-example matcher")
    calls_cmd.add_argument("--no-detector", action="store_true", help="without the learned detector")
    calls_cmd.add_argument("--errors", action="store_true", help="list what went wrong, call by call")
    calls_cmd.set_defaults(func=_evaluate_calls)

    audit_cmd = sub.add_parser("audit", help="the compliance audit log").add_subparsers(dest="audit_command",
                                                                                      required=True)
    for name, func, helptext in (("verify", _audit_verify, "check every segment's hash chain (exit 1 if broken)"),
                                 ("show", _audit_show, "print one call's audit records")):
        command = audit_cmd.add_parser(name, help=helptext)
        command.add_argument("--dir", help="audit directory (default: COMPLIANCE_AUDIT_DIR)")
        command.add_argument("--key-file", action="append", default=[],
                             help="an audit key; repeat it for segments signed before a key rotation "
                                  "(default: COMPLIANCE_AUDIT_KEY_FILE)")
        if name == "verify":
            command.add_argument("--anchors-from", metavar="BOOTSTRAP",
                                 help="also check every segment against its newest anchor on the audit-anchors topic "
                                      "(a truncated, rewritten or deleted segment is reported)")
            command.add_argument("--log", default="compliance", choices=("compliance", "console-access"),
                                 help="which log's anchors to check the directory against")
        if name == "show":
            command.add_argument("--call", required=True, help="the call id")
        command.set_defaults(func=func)
