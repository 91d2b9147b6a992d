"""`seatcopilot suggestions evaluate`: are suggestions useful? Each labelled call is played through the
classifier stage's dialogue state (and its intent model when one is built), retrieval with the embedded
graph and its planner, and generation (the planner's wording or the top script line), in process.

Per labelled customer turn: answered when every required fact is in the suggestion (a suggestion of the
labelled answer type for types that carry no figure); wrong when the suggestion states a figure found
neither in the knowledge base nor in the call so far (as said, or as the dialogue state read it: "5k" is
$5,000) nor computed by the planner. The intent accuracy on the labelled turns, and the share of in-scope
turns labelled `unknown`, come with it when a classifier model is built (`make models`).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from seatcopilot import codec
from seatcopilot.config import embedded_environ, load
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policy

from seatcopilot_models.stage_classifier import StageClassifier
from services.classifier import spoken
from services.generation import main as generation_main
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from services.retrieval import main as retrieval_main
from services.retrieval.config import RetrievalConfig

_FIGURE = re.compile(r"\$\s?\d[\d,]*(?:\.\d+)?|\b\d+(?:\.\d+)?%")
CARD_KIND_NAMES = {gen.CARD_KIND_ANSWER: "answer", gen.CARD_KIND_NEXT_ACTION: "next_action",
                   gen.CARD_KIND_WARNING: "warning", gen.CARD_KIND_GUIDANCE: "guidance"}


def figures(text: str) -> set[str]:
    return {f.replace(" ", "").replace(",", "").removesuffix(".00") for f in _FIGURE.findall(text)}


def stated_figures(state: dg.DialogueState) -> set[str]:
    """The call's figures as the dialogue state read them: "5k" is $5,000, "$1,800 a month" is $21,600 a year."""
    return figures(" ".join(slot.text for slot in (*state.slots, *state.replaced, *state.mentions)))


@dataclass
class TurnResult:
    answer_type: str
    answered: bool
    wrong: bool
    intent: str = ""
    predicted_intent: str = ""
    said: str = ""
    suggestion: str = ""
    model_tried: bool = False       # --wording model: the model was asked to word a planned answer
    model_kept: bool = False        # ... and its wording passed verification
    model_rejected_for: str = ""    # ... or why it was not (planned_fact_missing, planned_model_deadline, ...)
    planner_answered: bool = False  # the planner's own wording, judged on the same turn
    planner_wrong: bool = False


@dataclass
class Report:
    turns: list[TurnResult] = field(default_factory=list)

    def lines(self) -> list[str]:
        by_type: dict[str, list[TurnResult]] = defaultdict(list)
        for turn in self.turns:
            by_type[turn.answer_type].append(turn)
        out = [f"{name:<22} n={len(group):>3} answered={_share(group, 'answered'):.3f} "
               f"wrong={_share(group, 'wrong'):.3f}" for name, group in sorted(by_type.items())]
        labelled = [t for t in self.turns if t.intent and t.predicted_intent]
        if labelled:
            correct = sum(t.intent == t.predicted_intent for t in labelled) / len(labelled)
            in_scope = [t for t in labelled if t.intent != "unknown"]
            unknown = sum(t.predicted_intent == "unknown" for t in in_scope) / max(1, len(in_scope))
            out.append(f"intents n={len(labelled)} accuracy={correct:.3f} in_scope_unknown={unknown:.3f}")
        else:
            out.append("intents: no classifier model built (make models): intent accuracy not measured")
        tried = [t for t in self.turns if t.model_tried]
        if tried:
            out.append(f"model wording: tried={len(tried)} passed verification={_share(tried, 'model_kept'):.3f}; "
                       f"on those turns answered={_share(tried, 'answered'):.3f} wrong={_share(tried, 'wrong'):.3f}"
                       f", the planner's wording answered={_share(tried, 'planner_answered'):.3f} "
                       f"wrong={_share(tried, 'planner_wrong'):.3f}")
            reasons = Counter(t.model_rejected_for for t in tried if not t.model_kept)
            if reasons:
                out.append("model wording rejected for: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
        out.append(f"answered={_share(self.turns, 'answered'):.3f} wrong={_share(self.turns, 'wrong'):.3f}")
        return out


def _share(turns: list[TurnResult], name: str) -> float:
    return sum(getattr(t, name) for t in turns) / len(turns) if turns else 0.0


def _event(call: dict, seq: int, turn: dict) -> ev.CallEvent:
    return codec.from_dict({"call_id": call["id"], "seq": seq, "ts": call.get("ts", "2026-11-20T10:00:00Z"),
                            "tenant": "harbor", "scenario": call["scenario"], "type": "UTTERANCE",
                            "speaker": turn["speaker"], "text": turn["text"], "is_final": True,
                            "language": "en-US", "operator_id": "op-eval", "team_id": "team-eval"}, ev.CallEvent)


def judge(label: dict, draft: gen.SuggestionDraft, known_figures: set[str]) -> tuple[bool, bool]:
    text = draft.text
    required = label.get("facts", [])
    kind_ok = not label.get("kind") or CARD_KIND_NAMES.get(draft.card_kind) == label["kind"]
    type_ok = label["type"] == "script" or draft.answer_type == label["type"]
    answered = bool(text) and kind_ok and all(f.lower() in text.lower() for f in required) and (
        type_ok or bool(required))
    wrong = bool(figures(text) - known_figures - figures(" ".join(draft.answer_facts)))
    return answered, wrong


def _generation_config(wording: str) -> GenerationConfig:
    return load(GenerationConfig, {"GENERATION_PLAN_WORDING": wording, "GENERATION_DEADLINE_S": "120",
                                   "GENERATION_BACKEND": "local" if wording == "model" else "scripted"})


def _judge_turn(label: dict, draft: gen.SuggestionDraft, plan_text: str, known: set[str], turn: dict,
                predicted: str) -> TurnResult:
    answered, wrong = judge(label, draft, known)
    result = TurnResult(label["type"], answered, wrong, label.get("intent", ""), predicted, turn["text"], draft.text)
    if draft.fallback_reason.startswith("planned_") or (draft.answer_type and draft.fallback_reason == ""):
        planner_draft = gen.SuggestionDraft()
        planner_draft.CopyFrom(draft)
        planner_draft.text = plan_text
        result.model_tried, result.model_kept = True, draft.fallback_reason == ""
        result.model_rejected_for = draft.fallback_reason
        result.planner_answered, result.planner_wrong = judge(label, planner_draft, known)
    return result


async def evaluate_calls(calls: list[dict], wording: str = "planner") -> Report:
    retrieval_config = load(RetrievalConfig, embedded_environ())  # the embedded graph, from the same knowledge
    retriever = retrieval_main.build(retrieval_config)
    kb_figures = figures(Path(retrieval_config.kb_path).read_text())
    stage = StageClassifier.built(required=False)  # without an intent model: the dialogue state alone
    report = Report()
    config = _generation_config(wording)
    backend = generation_main.build_backend(config)
    for call in calls:
        generator = Generator(backend, load_policy(), config)
        said: list[str] = []
        for seq, turn in enumerate(call["turns"], start=1):
            event = _event(call, seq, turn)
            classified = stage.classified(event)
            generator.observe(event)
            said.append(spoken.normalize(turn["text"]))  # "eight thousand" is the call's $8,000
            if turn["speaker"] != "CUSTOMER":
                continue
            grounded = await retriever.retrieve(classified)
            draft = await generator.draft(grounded)
            label = turn.get("label")
            if label is None:
                continue
            known = kb_figures | figures(" ".join(said)) | stated_figures(classified.dialogue)
            report.turns.append(_judge_turn(label, draft, grounded.plan.text, known,
                                            turn, classified.classification.intent))
    return report


def read_calls(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_evaluate(path: Path, show_misses: bool = False, wording: str = "planner", limit: int = 0) -> int:
    calls = read_calls(path)
    report = asyncio.run(evaluate_calls(calls[:limit] if limit else calls, wording))
    print(f"{path}: {len(report.turns)} labelled customer turns")
    if wording == "model":
        from seatcopilot.local_model import served_model

        print(f"wording model: the {served_model().describe()}")
    for turn in report.turns if show_misses else []:
        if not turn.answered or turn.wrong:
            print(f"MISS {turn.answer_type} wrong={turn.wrong}: {turn.said!r} -> {turn.suggestion!r}")
    for line in report.lines():
        print(line)
    return 0
