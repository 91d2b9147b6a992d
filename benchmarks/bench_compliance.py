"""Compliance verdict latency, per utterance (operator and customer speech: rules, signals,
obligations) and per draft (steering), with the embedding matcher on and off and the audit log
writing; and detection quality on the labelled set (the same figures `seatcopilot compliance
evaluate` prints)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies

from benchmarks.table import Table, summary_ms
from services.compliance.audit import AuditLog, load_or_create_key
from services.compliance.evaluate import evaluate, load_labelled, warmed
from services.compliance.logic import ComplianceEngine

NEEDS: tuple[str, ...] = ()
ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "data" / "compliance" / "labelled.jsonl"
TURNS_PER_CALL = 12
WARM_UP = 10


def _utterances() -> list[ev.CallEvent]:
    """The labelled utterances as calls of TURNS_PER_CALL turns each (so obligations run their course)."""
    events = []
    for index, row in enumerate(load_labelled(LABELLED)):
        event = ev.CallEvent(call_id=f"bench-u{index // TURNS_PER_CALL}-{row.scenario}", seq=index + 1,
                             tenant="harbor", scenario=ev.Scenario.Value(f"SCENARIO_{row.scenario}"),
                             type=ev.EVENT_TYPE_UTTERANCE, text=row.text, is_final=True,
                             speaker=ev.SPEAKER_CUSTOMER if row.speaker == "CUSTOMER" else ev.SPEAKER_OPERATOR)
        event.ts.GetCurrentTime()
        events.append(event)
    return events


def _drafts() -> list[gen.SuggestionDraft]:
    """Approved script lines (they pass) and the labelled operator lines (many are rewritten or blocked)."""
    items = yaml.safe_load((ROOT / "data" / "knowledge" / "kb.yaml").read_text())["items"]
    texts = [(i["text"], s) for i in items if i["kind"] in ("SCRIPT", "OBJECTION_HANDLER") for s in i["scenarios"]]
    texts += [(r.text, r.scenario) for r in load_labelled(LABELLED) if r.speaker == "OPERATOR"]
    drafts = []
    for index, (text, scenario) in enumerate(dict(texts).items()):  # each text once: none is remembered
        draft = gen.SuggestionDraft(call_id=f"bench-d{index}", seq=1, tenant="harbor", text=text,
                                    scenario=ev.Scenario.Value(f"SCENARIO_{scenario}"))
        draft.deadline.FromNanoseconds(time.time_ns() + 3_600_000_000_000)
        drafts.append(draft)
    return drafts


def _timed(call, items) -> list[float]:
    for item in items[:WARM_UP]:  # copies with other text: the matcher remembers sentences it has seen
        warm_up = type(item)()
        warm_up.CopyFrom(item)
        warm_up.call_id, warm_up.text = "bench-warm-up", f"{item.text} Thank you for waiting."
        call(warm_up)
    return _timed_plain(call, items)


def _timed_plain(call, items) -> list[float]:
    spent = []
    for item in items:
        started = time.perf_counter()
        call(item)
        spent.append(time.perf_counter() - started)
    return spent


def run(out: Path) -> list[Table]:
    from seatcopilot.encoder import shared_encoder

    embed = shared_encoder().encode
    policies = load_policies()
    utterances, drafts = _utterances(), _drafts()
    latency = Table("Compliance verdict latency (engine + audit log write), ms",
                    ["input", "matcher", "n", "p50", "p95", "p99", "mean"])
    quality = Table("Compliance detection on the labelled set", ["rows", "matcher", "n", "recall", "precision"])
    with tempfile.TemporaryDirectory() as audit_dir:
        key = load_or_create_key(Path(audit_dir) / "audit.key")
        for matcher, encoder in (("lexical+semantic", embed), ("lexical only", None)):
            for kind, items in (("utterance", utterances), ("draft", drafts)):
                # A fresh engine per input: the matcher remembers recent sentences, and drafts repeat the
                # labelled operator lines.
                engine = ComplianceEngine(policies, encoder, AuditLog(Path(audit_dir), key, "bench"))
                check = engine.check_event if kind == "utterance" else engine.steer
                latency.rows.append([kind, matcher, len(items), *summary_ms(_timed(check, items))])
                engine.close()
            for split in ("test", ""):
                rows = load_labelled(LABELLED, split)
                report = evaluate(ComplianceEngine(policies, encoder and warmed(encoder, rows)), rows, "harbor")
                quality.rows.append([split or "all", matcher, report.rows, report.overall.recall or 0.0,
                                     report.overall.precision or 0.0])
    sentences = [[event.text] for event in utterances[:100]]
    latency.rows.append(["(reference) MiniLM encode of 1 sentence", "-", len(sentences),
                         *summary_ms(_timed_plain(embed, sentences))])
    latency.note = ("One process, MiniLM on the CPU; a draft is judged, rewritten and re-checked; each decision "
                    "appends one audit record. The semantic path costs about one encode per text: read it against "
                    "the reference row, measured in the same run (a busy machine slows both). Command: "
                    "`make bench` (or `python -m benchmarks compliance`).")
    quality.note = ("The test split was not used to tune thresholds or patterns (the dev split was). "
                    "Command: `seatcopilot compliance evaluate --jsonl data/compliance/labelled.jsonl [--split test]`.")
    return [latency, quality]
