"""The intent taxonomy: customer intents (data/intents/seed.yaml) with the operator's next task and the
call stage each implies, plus the explicit `unknown`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from seatcopilot.paths import data_path

INTENTS_DIR = data_path("intents")
SEEDS = INTENTS_DIR / "seed.yaml"
UTTERANCES = INTENTS_DIR / "utterances.yaml"
SOURCES = INTENTS_DIR / "sources.yaml"
UNKNOWN = "unknown"
TASKS = ("answer", "verify_identity", "give_disclosure", "offer", "handle_objection", "escalate",
         "schedule_callback", "transfer")
STAGES = ("opening", "verification", "discovery", "resolution", "closing")
# What an unrecognised utterance implies: keep listening and answer what can be answered.
UNKNOWN_TASK, UNKNOWN_STAGE = "answer", "discovery"


@dataclass(frozen=True)
class IntentInfo:
    name: str
    task: str
    stage: str
    scenarios: tuple[str, ...]

    def allowed_in(self, scenario: str) -> bool:
        return not scenario or not self.scenarios or scenario in self.scenarios


def load_intents(path: Path = SEEDS) -> dict[str, IntentInfo]:
    data = yaml.safe_load(Path(path).read_text())
    infos = {}
    for name, entry in data["intents"].items():
        info = IntentInfo(name, entry["task"], entry["stage"], tuple(entry.get("scenarios", [])))
        if info.task not in TASKS or info.stage not in STAGES:
            raise ValueError(f"intent {name}: task must be in {TASKS} and stage in {STAGES}")
        infos[name] = info
    return infos


def written_examples(seeds: Path = SEEDS, utterances: Path = UTTERANCES) -> list[tuple[str, str]]:
    """(text, intent) pairs written for this project: the seed examples and the extra utterances."""
    pairs = [(text, name) for name, entry in yaml.safe_load(Path(seeds).read_text())["intents"].items()
             for text in entry["examples"]]
    extra = yaml.safe_load(Path(utterances).read_text())
    for block in ("utterances", "more_utterances"):  # more_utterances: a later writing pass (issue 22)
        pairs.extend((text, name) for name, texts in extra.get(block, {}).items() for text in texts)
    return pairs
