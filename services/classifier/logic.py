"""Intent, next task and call stage for each customer utterance.

The model: the MiniLM encoder fine-tuned with an intent head (training.py), run in this process with
micro-batching or on Triton (backends.py). Low confidence, or the model's own `unknown` class, gives
`unknown`, never a confident wrong label; the task and stage follow from the intent (taxonomy.py).
The stage also owns the call's dialogue state (dialogue.py) and publishes it on every classified event."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
from seatcopilot.calls import call_ref
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from services.classifier.backends import Backend
from services.classifier.decision import decide
from services.classifier.dialogue import DialogueStates
from services.classifier.taxonomy import SEEDS, UNKNOWN, UNKNOWN_STAGE, UNKNOWN_TASK, load_intents

__all__ = ["UNKNOWN", "IntentClassifier"]


class IntentClassifier:
    def __init__(self, backend: Backend, min_confidence: float, seeds_path: Path = SEEDS,
                 states: DialogueStates | None = None,
                 embedder: tuple[str, Callable[[str], np.ndarray], Callable[[], None]] | None = None) -> None:
        """embedder: (identity, text → vector, close) of the shared sentence encoder; when given, each customer
        utterance's vector is computed here once and carried on the classified event for retrieval."""
        self.backend = backend
        self.embedder = embedder
        self.states = states or DialogueStates()
        self.intents = load_intents(seeds_path)
        self.min_confidence = min_confidence
        self.model_version = backend.version
        missing = set(self.intents) - set(backend.labels)
        if missing:  # a taxonomy the model was not trained on: retrain (`make models`)
            raise ValueError(f"the model does not know the intents {sorted(missing)}: run `make models`")

    def predict(self, texts: list[str], scenario: str = "") -> list[tuple[str, float]]:
        """(intent, confidence) per text; with a scenario, only that scenario's intents compete."""
        probs = self.backend.intent_probs(texts)
        return [decide(row, self.backend.labels, self.intents, scenario, self.min_confidence) for row in probs]

    def observe(self, event: ev.CallEvent) -> dg.DialogueState:
        """The call's dialogue state after this event. On Kafka its table writes the changelog, which must
        happen on the event loop's thread: call it there, and classify() (the model) in a worker thread."""
        return self.states.observe(event)

    def classify(self, event: ev.CallEvent, dialogue: dg.DialogueState | None = None) -> cl.ClassifiedEvent:
        if dialogue is None:
            dialogue = self.observe(event)
        classified = cl.ClassifiedEvent(call=call_ref(event), event=event, dialogue=dialogue)
        if event.type != ev.EVENT_TYPE_UTTERANCE or event.speaker != ev.SPEAKER_CUSTOMER:
            return classified  # lifecycle and operator events pass through in order, unlabelled
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        intent, confidence = self.predict([event.text], scenario)[0]
        info = self.intents.get(intent)
        classified.classification.CopyFrom(cl.Classification(
            intent=intent, confidence=confidence,
            task=info.task if info else UNKNOWN_TASK,
            stage=info.stage if info else UNKNOWN_STAGE,
            model_version=self.model_version,
        ))
        if self.embedder is not None:
            identity, embed, _ = self.embedder
            classified.utterance_embedding.extend(embed(event.text).tolist())
            classified.embedding_model = identity
        return classified

    def close(self) -> None:
        self.backend.close()
        if self.embedder is not None:
            self.embedder[2]()
