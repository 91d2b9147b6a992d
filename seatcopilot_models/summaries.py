"""`seatcopilot summaries ...`: evaluate the summarizer on dialogues with reference summaries, build the
evaluation files from the bundled public data sets and the bundled calls, and export wrap-up feedback.

    seatcopilot summaries prepare --out artifacts/summaries
    seatcopilot summaries evaluate --jsonl artifacts/summaries/own_calls.jsonl [--backend none|local|triton]
    seatcopilot summaries feedback --out feedback.jsonl      # operators' accepted and edited wrap-ups

An evaluation line holds `dialogue` (a string of "Speaker: text" lines, or a list of {speaker, text})
and `summary` (the reference). Each dialogue runs through the summarizer as a call (classifier
intents, call state, model narrative verified against the call); the wrap-up's narrative is scored.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from seatcopilot import codec
from seatcopilot.config import load
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.paths import data_path, read_json
from seatcopilot.redaction import redact
from seatcopilot.transport import InProcessTransport

from seatcopilot_models.stage_classifier import StageClassifier
from seatcopilot_models.summary_scores import Scores, mean, score, slot_found, slot_recall
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig

__all__ = ["evaluate", "mean", "run_evaluate", "run_prepare"]
from services.summarizer.logic import Summarizer
from services.summarizer.verify import faithfulness, split_sentences

REFERENCES = data_path("summaries", "references.yaml")
SPEAKERS = {
    "customer": ev.SPEAKER_CUSTOMER, "user": ev.SPEAKER_CUSTOMER, "client": ev.SPEAKER_CUSTOMER,
    "caller": ev.SPEAKER_CUSTOMER, "#person1#": ev.SPEAKER_CUSTOMER, "person1": ev.SPEAKER_CUSTOMER,
    "agent": ev.SPEAKER_OPERATOR, "operator": ev.SPEAKER_OPERATOR, "system": ev.SPEAKER_OPERATOR,
    "assistant": ev.SPEAKER_OPERATOR, "representative": ev.SPEAKER_OPERATOR, "#person2#": ev.SPEAKER_OPERATOR,
    "person2": ev.SPEAKER_OPERATOR,
}
_LINE = re.compile(r"^\s*([#\w ]{1,30}?)\s*:\s*(.*)$")


# -- reading dialogues ---------------------------------------------------------------------------

def parse_dialogue(value: Any) -> list[tuple[ev.Speaker, str]]:
    """(speaker, text) turns from a "Speaker: text" string or a list of turns; unknown speakers are
    an error, a line without a speaker continues the previous turn."""
    turns: list[tuple[ev.Speaker, str]] = []
    items = value if isinstance(value, list) else str(value).splitlines()
    for item in items:
        if isinstance(item, dict):
            name, text = str(item.get("speaker", "")), str(item.get("text", ""))
        elif isinstance(item, list | tuple) and len(item) == 2:
            name, text = str(item[0]), str(item[1])
        elif (match := _LINE.match(str(item))) and match.group(1).strip().lower() in SPEAKERS:
            name, text = match.group(1), match.group(2)
        elif turns and str(item).strip():
            turns[-1] = (turns[-1][0], f"{turns[-1][1]} {str(item).strip()}")
            continue
        else:
            continue
        speaker = SPEAKERS.get(name.strip().lower())
        if speaker is None:
            raise ValueError(f"unknown speaker {name!r}")
        if text.strip():
            turns.append((speaker, text.strip()))
    if not turns:
        raise ValueError("no turns found in the dialogue")
    return turns


def call_events(call_id: str, turns: list[tuple[ev.Speaker, str]], scenario: str = "SERVICE") -> list[ev.CallEvent]:
    """The dialogue as the call events a platform would publish (text redacted as intake would)."""
    kinds = [("CALL_STARTED", ev.SPEAKER_OPERATOR, ""), *(("UTTERANCE", s, t) for s, t in turns),
             ("CALL_ENDED", ev.SPEAKER_OPERATOR, "")]
    events = []
    for seq, (kind, speaker, text) in enumerate(kinds, start=1):
        event = codec.from_dict({"call_id": call_id, "seq": seq, "tenant": "eval", "scenario": scenario,
                                 "type": kind, "text": redact(text).text, "is_final": True,
                                 "operator_id": "op-eval", "team_id": "team-eval"}, ev.CallEvent)
        event.speaker = speaker
        event.ts.FromSeconds(1_767_261_600 + 10 * seq)
        events.append(event)
    return events


def read_examples(path: Path, limit: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as lines:
        count = 0
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                example = json.loads(line)
                if not isinstance(example, dict) or not isinstance(example.get("summary"), str):
                    raise ValueError("each line needs a string field 'summary'")
                if "dialogue" not in example:
                    raise ValueError("each line needs a field 'dialogue'")
            except ValueError as error:
                raise ValueError(f"{path}:{number}: {error}") from error
            yield number, example
            count += 1
            if limit and count >= limit:
                return


# -- evaluating ----------------------------------------------------------------------------------

async def summarize(summarizer: Summarizer, stage: StageClassifier, events: list[ev.CallEvent]) -> Any:
    wrapup = None
    for event in events:
        classified = stage.classified(event)  # the intent (none without a model) and the dialogue state
        wrapup = await summarizer.on_event(event, classified.classification.intent, classified.dialogue) or wrapup
    return wrapup


def resolved_dates(wrapup: Any, said: list[str]) -> list[str]:
    """The calendar dates the dialogue state resolved from words said in the call ("2026-12-05" for "December
    5th"): the summary may state them, and the transcript alone would count them as unsupported."""
    text = " ".join(said).lower()
    values = [f.value for f in wrapup.facts if f.kind == "date"] + [p.date for p in wrapup.promises]
    return [v.split(" (", 1)[0] for v in values
            if " (" in v and v.split(" (", 1)[1].rstrip(")").lower() in text]


def record_slots(found: dict[str, list[bool]], wrapup: Any, labelled: list[dict[str, str]]) -> None:
    for slot in labelled:
        found.setdefault(slot["kind"], []).append(slot_found(wrapup, slot))


async def evaluate(path: Path, backend: str, limit: int, with_intents: bool, out: Path | None,
                   slots: dict[str, list[bool]] | None = None) -> tuple[list[Scores], list[float]]:
    """Scores of each dialogue's wrap-up narrative, and the faithfulness of each reference (how
    strict the checker is with a person's paraphrase). Lines with labelled `facts` add, into `slots`,
    whether the wrap-up carries each of them (by kind)."""
    environ = {"SUMMARIZER_BACKEND": backend, "SUMMARIZER_MODEL_DEADLINE_S": "600"}
    summarizer = summarizer_main.build(load(SummarizerConfig, environ), InProcessTransport().table("eval"))
    stage = StageClassifier.built(required=True) if with_intents else StageClassifier()
    results: list[Scores] = []
    references: list[float] = []
    kept = removed = 0
    details = out.open("w", encoding="utf-8") if out else None
    try:
        for number, example in read_examples(path, limit):
            turns = parse_dialogue(example["dialogue"])
            events = call_events(f"eval-{number}", turns, str(example.get("scenario", "SERVICE")).upper())
            wrapup = await summarize(summarizer, stage, events)
            said = [t for _, t in turns]
            scores = score(wrapup.narrative, example["summary"], said + resolved_dates(wrapup, said),
                           summarizer.lexicon)
            results.append(scores)
            if slots is not None:
                record_slots(slots, wrapup, example.get("facts", []))
            references.append(faithfulness(example["summary"], [t for _, t in turns], summarizer.lexicon))
            removed += len(wrapup.unverified_sentences)
            kept += len(split_sentences(wrapup.narrative)) if wrapup.generated_by.startswith("model") else 0
            if details:
                details.write(json.dumps({
                    "line": number, "candidate": wrapup.narrative, "reference": example["summary"],
                    "generated_by": wrapup.generated_by, "unverified": list(wrapup.unverified_sentences),
                    **vars(scores)}) + "\n")
    finally:
        if details:
            details.close()
    if backend != "none":
        print(f"model sentences: {kept} kept, {removed} removed by verification")
    return results, references


def report(results: list[Scores], references: list[float], backend: str, seconds: float,
           slots: dict[str, list[bool]] | None = None) -> None:
    total = mean(results)
    print(f"examples={len(results)} backend={backend} seconds={seconds:.1f}")
    print(f"reference faithfulness {sum(references) / len(references):.3f}  (the checker on the references)")
    print(f"ROUGE-1 F1   {total.rouge1:.3f}")
    print(f"ROUGE-2 F1   {total.rouge2:.3f}")
    print(f"ROUGE-L F1   {total.rougeL:.3f}")
    print(f"faithfulness {total.faithfulness:.3f}  (share of summary sentences supported by the dialogue)")
    for kind, flags in sorted((slots or {}).items()):
        print(f"slot {kind:<9} {sum(flags)}/{len(flags)} found")
    if slots:
        print(f"slot_recall={slot_recall(slots):.3f}  (labelled promises, amounts, dates, callbacks in the wrap-up)")
    print(f"rougeL={total.rougeL:.3f} faithfulness={total.faithfulness:.3f}")


def run_evaluate(path: Path, backend: str, limit: int, with_intents: bool, out: Path | None) -> int:
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    slots: dict[str, list[bool]] = {}
    try:
        results, references = asyncio.run(evaluate(path, backend, limit, with_intents, out, slots))
    except ValueError as error:
        print(f"cannot evaluate: {error}", file=sys.stderr)
        return 2
    if not results:
        print(f"{path}: no examples", file=sys.stderr)
        return 2
    report(results, references, backend, time.perf_counter() - started, slots)
    return 0


# -- preparing evaluation files ------------------------------------------------------------------

def _money(raw: str) -> str:
    value = float(str(raw).replace("$", "").replace(",", ""))
    return f"${value:,.2f}".removesuffix(".00")


def _sgd_sentence(call: dict[str, Any], results: list[dict[str, Any]], acts: set[str]) -> str:
    """A reference sentence from an SGD Banks service call (its method, parameters and results)."""
    method, params = call["method"], call["parameters"]
    if method == "CheckBalance":
        balance = next((r.get("balance") or r.get("account_balance") for r in results), None)
        if balance is None:
            return ""
        account = params["account_type"]
        return f"The customer checked the balance of their {account} account, which is {_money(balance)}."
    if method == "TransferMoney":
        amount = params.get("amount") or params.get("transfer_amount")
        recipient = params.get("recipient_account_name") or params.get("recipient_name")
        target = f"{recipient}'s {params.get('recipient_account_type', 'checking')} account"
        if "NOTIFY_SUCCESS" in acts:
            return f"The customer transferred {_money(amount)} from their {params['account_type']} account to {target}."
        return f"The customer tried to transfer {_money(amount)} to {target}, but the transfer failed."
    return ""


def sgd_examples(paths: list[Path]) -> Iterator[dict[str, Any]]:
    """Single-domain SGD bank dialogues with a reference built from their service calls (silver)."""
    for path in paths:
        for dialogue in read_json(path):
            if len(dialogue["services"]) != 1 or not dialogue["services"][0].startswith("Banks"):
                continue
            sentences: list[str] = []
            for turn in dialogue["turns"]:
                for frame in turn["frames"]:
                    if frame.get("service_call"):
                        acts = {a["act"] for a in frame["actions"]}
                        sentence = _sgd_sentence(frame["service_call"], frame.get("service_results", []), acts)
                        if sentence and sentence not in sentences:
                            sentences.append(sentence)
            if sentences:
                lines = [f"{'Customer' if t['speaker'] == 'USER' else 'Operator'}: {t['utterance']}"
                         for t in dialogue["turns"]]
                yield {"id": f"sgd-{dialogue['dialogue_id']}", "scenario": "SERVICE", "dialogue": "\n".join(lines),
                       "summary": " ".join(sentences)}


def abcd_examples(path: Path, references: dict[str, str]) -> Iterator[dict[str, Any]]:
    """The ABCD sample's dialogues (spoken turns; system actions left out) with the written references."""
    for convo in json.loads(path.read_text()):
        reference = references.get(str(convo["convo_id"]))
        if reference:
            lines = [f"{speaker.title()}: {text}" for speaker, text in convo["original"] if speaker != "action"]
            yield {"id": f"abcd-{convo['convo_id']}", "scenario": "SERVICE", "dialogue": "\n".join(lines),
                   "summary": reference}


def call_examples(calls_dir: Path, references: dict[str, str], facts: dict[str, list[dict[str, str]]] | None = None
                  ) -> Iterator[dict[str, Any]]:
    """The bundled calls (their utterances; TRANSFER kept as a line of its own) with the written references
    and the labelled facts."""
    for path in sorted(calls_dir.glob("*.jsonl")):
        events = [codec.event_from_json_line(line) for line in path.read_text().splitlines() if line.strip()]
        if not events or events[0].call_id not in references:
            continue
        lines = [f"{'Customer' if e.speaker == ev.SPEAKER_CUSTOMER else 'Operator'}: {e.text}"
                 for e in events if e.type == ev.EVENT_TYPE_UTTERANCE and e.is_final]
        scenario = ev.Scenario.Name(events[0].scenario).removeprefix("SCENARIO_")
        yield {"id": events[0].call_id, "scenario": scenario, "dialogue": "\n".join(lines),
               "summary": references[events[0].call_id], "facts": (facts or {}).get(events[0].call_id, [])}


def write_jsonl(path: Path, examples: Iterator[dict[str, Any]]) -> int:
    rows = list(examples)
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return len(rows)


def run_prepare(data: Path, out: Path) -> int:
    references = yaml.safe_load(REFERENCES.read_text())
    out.mkdir(parents=True, exist_ok=True)
    sources = {
        "own_calls": lambda: call_examples(data_path("calls"), references["calls"], references.get("facts")),
        "abcd_sample": lambda: abcd_examples(data / "abcd" / "abcd_sample.json", references["abcd"]),
        "sgd_banks": lambda: sgd_examples([data / "sgd_banks" / "sgd_banks_train.json",
                                           data / "sgd_banks" / "sgd_banks_dev.json"]),
    }
    for name, examples in sources.items():
        try:
            count = write_jsonl(out / f"{name}.jsonl", examples())
        except FileNotFoundError as error:
            print(f"{name}: skipped ({error.filename} not found)", file=sys.stderr)
            continue
        print(f"{out / f'{name}.jsonl'}: {count} dialogues")
    return 0


def training_pairs(wrapups: dict[tuple[str, int], Any], feedback: list[Any]) -> Iterator[dict[str, Any]]:
    """Each operator verdict on a wrap-up beside the wrap-up it judged: original and final, for training."""
    from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb

    for verdict in feedback:
        if verdict.subject != fb.SUBJECT_WRAPUP:
            continue
        original = wrapups.get((verdict.call.call_id, verdict.call.seq))
        edited = verdict.action == fb.ACTION_EDITED
        yield {
            "call_id": verdict.call.call_id, "seq": verdict.call.seq, "tenant": verdict.call.tenant,
            "action": fb.Action.Name(verdict.action).removeprefix("ACTION_").lower(),
            "original_text": original.text if original else None,
            "original_disposition": original.disposition if original else None,
            "original_next_actions": list(original.next_actions) if original else None,
            "text": verdict.edited_text if edited else (original.text if original else None),
            "disposition": verdict.disposition or (original.disposition if original else None),
        }


def run_feedback_export(bootstrap: str, out: Path, timeout_s: float) -> int:
    """Operators' verdicts on wrap-ups (the feedback topic) joined with the wrap-ups (the summaries topic),
    as JSON lines: original and final side by side."""
    from kafka import KafkaConsumer
    from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
    from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
    from seatcopilot.topics import FEEDBACK, SUMMARIES
    from seatcopilot.transport.kafka_security import client_options

    consumer = KafkaConsumer(FEEDBACK.name, SUMMARIES.name, bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False,
                             consumer_timeout_ms=int(timeout_s * 1000), **client_options())
    wrapups: dict[tuple[str, int], Any] = {}
    feedback: list[Any] = []
    for record in consumer:
        if record.topic == SUMMARIES.name:
            summary = codec.decode(record.value, sm.Summary)
            if summary.kind == sm.SUMMARY_KIND_WRAPUP:
                wrapups[(summary.call.call_id, summary.call.seq)] = summary
        else:
            feedback.append(codec.decode(record.value, fb.Feedback))
    consumer.close()
    rows = list(training_pairs(wrapups, feedback))
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    joined = sum(row["original_text"] is not None for row in rows)
    print(f"{out}: {len(rows)} wrap-up reviews ({joined} with their wrap-up)")
    return 0
