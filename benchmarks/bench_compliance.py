"""Compliance verdict latency, per utterance (operator and customer speech: rules, signals,
obligations) and per draft (steering), with the learned detector and the embedding matcher on and
off and the audit log writing; the detector's own cost per utterance once the sentence is embedded;
and detection quality on the held-out lines (the same figures `seatcopilot compliance evaluate`
prints)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import yaml
from seatcopilot.audit_log import AuditLog, load_or_create_key
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.paths import data_path
from seatcopilot.policy import load_policies

from benchmarks.table import Table, summary_ms
from seatcopilot_models.compliance.detector import load_or_build
from seatcopilot_models.compliance.evaluate import evaluate, load_labelled, warmed
from services.compliance.detection import LearnedScorer, split_sentences
from services.compliance.learned import LearnedModel
from services.compliance.logic import ComplianceEngine
from services.compliance.semantic import RecentVectors

NEEDS: tuple[str, ...] = ()
LABELLED = data_path("compliance", "labelled.jsonl")
HELDOUT = data_path("compliance", "detector", "heldout.jsonl")
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
    items = yaml.safe_load(data_path("knowledge", "kb.yaml").read_text())["items"]
    texts = [(i["text"], s) for i in items if i["kind"] in ("SCRIPT", "OBJECTION_HANDLER") for s in i["scenarios"]]
    texts += [(r.text, r.scenario) for r in load_labelled(LABELLED) if r.speaker == "OPERATOR"]
    drafts = []
    for index, (text, scenario) in enumerate(dict(texts).items()):  # each text once: none is remembered
        call = ev.CallRef(call_id=f"bench-d{index}", seq=1, tenant="harbor",
                          scenario=ev.Scenario.Value(f"SCENARIO_{scenario}"))
        draft = gen.SuggestionDraft(call=call, text=text)
        draft.deadline.FromNanoseconds(time.time_ns() + 3_600_000_000_000)
        drafts.append(draft)
    return drafts


def _timed(call, items) -> list[float]:
    for item in items[:WARM_UP]:  # copies with other text: the matcher remembers sentences it has seen
        warm_up = type(item)()
        warm_up.CopyFrom(item)
        warm_up.text = f"{item.text} Thank you for waiting."
        if isinstance(warm_up, gen.SuggestionDraft):  # a draft names its call in its call reference
            warm_up.call.call_id = "bench-warm-up"
        else:
            warm_up.call_id = "bench-warm-up"
        call(warm_up)
    return _timed_plain(call, items)


def _timed_plain(call, items) -> list[float]:
    spent = []
    for item in items:
        started = time.perf_counter()
        call(item)
        spent.append(time.perf_counter() - started)
    return spent


def _detector_only(learned: LearnedModel, embed, utterances: list[ev.CallEvent]) -> list[float]:
    """The detector's own cost per operator utterance once its sentences are embedded (the pipeline
    embeds each utterance once; the detector shares that embedding)."""
    scorer = LearnedScorer(learned, RecentVectors(embed))
    texts = [split_sentences(event.text) for event in utterances]
    for sentences in texts:  # embeds every sentence (and each whole text) ahead of the timing
        scorer.embed([*sentences, " ".join(sentences)])
    fresh = LearnedScorer(learned, scorer.embed)  # nothing remembered: every text is scored
    return _timed_plain(lambda sentences: fresh.scores("OPERATOR", sentences), texts)


def run(out: Path) -> list[Table]:
    from seatcopilot.encoder import shared_encoder

    embed = shared_encoder().encode
    learned = load_or_build(embed)
    policies = load_policies()
    utterances, drafts = _utterances(), _drafts()
    latency = Table("Compliance verdict latency (engine + audit log write), ms",
                    ["input", "matchers", "n", "p50", "p95", "p99", "mean"])
    quality = Table("Compliance detection on the held-out lines", ["rows", "matchers", "n", "recall", "precision"])
    setups = (("lexical+semantic+detector", embed, learned, True), ("lexical+detector", embed, learned, False),
              ("lexical+semantic", embed, None, True), ("lexical only", None, None, False))
    with tempfile.TemporaryDirectory() as audit_dir:
        key = load_or_create_key(Path(audit_dir) / "audit.key")
        for matchers, encoder, model, semantic in setups:
            for kind, items in (("utterance", utterances), ("draft", drafts)):
                # A fresh engine per input: the matchers remember recent sentences, and drafts repeat the
                # labelled operator lines.
                engine = ComplianceEngine(policies, encoder, AuditLog(Path(audit_dir), key, "bench"), model,
                                          semantic)
                check = engine.check_event if kind == "utterance" else engine.steer
                latency.rows.append([kind, matchers, len(items), *summary_ms(_timed(check, items))])
                engine.close()
            rows = load_labelled(HELDOUT)
            cached = encoder and warmed(encoder, [row.text for row in rows])
            report = evaluate(ComplianceEngine(policies, cached, learned=model, semantic=semantic), rows, "harbor")
            quality.rows.append(["held-out", matchers, report.rows, report.overall.recall or 0.0,
                                 report.overall.precision or 0.0])
    operator = [event for event in utterances if event.speaker == ev.SPEAKER_OPERATOR]
    latency.rows.append(["(detector alone, embedding shared) operator utterance", "detector", len(operator),
                         *summary_ms(_detector_only(learned, embed, operator))])
    sentences = [[event.text] for event in utterances[:100]]
    latency.rows.append(["(reference) MiniLM encode of 1 sentence", "-", len(sentences),
                         *summary_ms(_timed_plain(embed, sentences))])
    latency.note = ("One process, MiniLM on the CPU; a draft is judged, rewritten and re-checked; each decision "
                    "appends one audit record. The semantic path costs about one encode per text: read it against "
                    "the reference row, measured in the same run (a busy machine slows both). Command: "
                    "`make bench` (or `python -m benchmarks compliance`).")
    quality.note = ("The held-out lines were written apart from the detector's training lines and never used to "
                    "choose settings. Command: `seatcopilot compliance evaluate --jsonl "
                    "data/compliance/detector/heldout.jsonl`.")
    return [latency, quality]
