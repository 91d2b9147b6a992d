"""The classifier stage as the offline evaluations replay it: what it publishes for each event (the customer
turn's intent and the call's dialogue state), from the stage's own code. Without a built intent model, the
dialogue state alone (it needs no model) and no intent."""

from __future__ import annotations

from typing import Any

from seatcopilot.calls import call_ref
from seatcopilot.config import load
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from services.classifier.dialogue import DialogueStates


class StageClassifier:
    def __init__(self, classifier: Any = None) -> None:
        self.classifier = classifier  # services.classifier's IntentClassifier, or None: no intents
        self.states = DialogueStates()

    @classmethod
    def built(cls, required: bool) -> StageClassifier:
        """With the intent model `make models` built; when there is none, an error if required, else no intents."""
        from services.classifier import main as classifier_main
        from services.classifier.config import ClassifierConfig

        try:
            return cls(classifier_main.build(load(ClassifierConfig)))
        except Exception:
            if required:
                raise
            return cls()

    def classified(self, event: ev.CallEvent) -> cl.ClassifiedEvent:
        """The event as the stage would publish it."""
        if self.classifier is None:
            return cl.ClassifiedEvent(call=call_ref(event), event=event, dialogue=self.states.observe(event))
        return self.classifier.classify(event)
