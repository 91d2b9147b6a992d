"""Intent, next task and call stage for each customer utterance.

First model: nearest labelled examples in MiniLM embedding space (a prototype classifier), with an
explicit `unknown` when the nearest example is far or the decision is close.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from seatcopilot.classification.v1 import classification_pb2 as cl
from seatcopilot.codec import bare_enum_name
from seatcopilot.encoder import Encoder
from seatcopilot.events.v1 import call_event_pb2 as ev

UNKNOWN = "unknown"
TEMPERATURE = 0.05


@dataclass(frozen=True)
class IntentInfo:
    name: str
    task: str
    stage: str
    scenarios: tuple[str, ...]


def load_seeds(path: Path) -> tuple[str, dict[str, IntentInfo], list[tuple[str, str]]]:
    data = yaml.safe_load(Path(path).read_text())
    infos, examples = {}, []
    for name, entry in data["intents"].items():
        infos[name] = IntentInfo(name, entry["task"], entry["stage"], tuple(entry.get("scenarios", [])))
        examples.extend((name, text) for text in entry["examples"])
    return str(data.get("version", "0")), infos, examples


class IntentClassifier:
    def __init__(self, encoder: Encoder, seeds_path: Path, min_similarity: float, min_confidence: float) -> None:
        version, self.intents, examples = load_seeds(seeds_path)
        self.encoder = encoder
        self.labels = [label for label, _ in examples]
        self.names = sorted(self.intents)
        self._index = np.array([self.names.index(label) for label in self.labels])
        self.vectors = encoder.encode([text for _, text in examples])
        self.min_similarity = min_similarity
        self.min_confidence = min_confidence
        self.model_version = f"prototype-minilm/seeds-{version}"

    def predict(self, texts: list[str], scenario: str = "") -> list[tuple[str, float]]:
        """(intent, confidence) per text; with a scenario, only that scenario's intents compete."""
        similarity = self.encoder.encode(texts) @ self.vectors.T
        allowed = np.array([not scenario or not self.intents[n].scenarios or scenario in self.intents[n].scenarios
                            for n in self.names])
        results = []
        for row in similarity:
            per_intent = np.full(len(self.names), -1.0)
            np.maximum.at(per_intent, self._index, row)
            per_intent[~allowed] = -1.0
            weights = np.exp((per_intent - per_intent.max()) / TEMPERATURE)
            best = int(per_intent.argmax())
            confidence = float(weights[best] / weights.sum())
            if per_intent[best] < self.min_similarity or confidence < self.min_confidence:
                results.append((UNKNOWN, confidence))
            else:
                results.append((self.names[best], confidence))
        return results

    def classify(self, event: ev.CallEvent) -> cl.ClassifiedEvent:
        classified = cl.ClassifiedEvent(event=event)
        if event.type != ev.EVENT_TYPE_UTTERANCE or event.speaker != ev.SPEAKER_CUSTOMER:
            return classified  # lifecycle and operator events pass through in order, unlabelled
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        intent, confidence = self.predict([event.text], scenario)[0]
        info = self.intents.get(intent)
        classified.classification.CopyFrom(cl.Classification(
            intent=intent, confidence=confidence,
            task=info.task if info else "answer",
            stage=info.stage if info else "discovery",
            model_version=self.model_version,
        ))
        return classified
