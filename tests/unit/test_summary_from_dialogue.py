"""Summaries built from the classifier stage's dialogue state: spoken promises reach the handover, and a
model sentence that states no fact of the call or repeats itself is dropped."""

from __future__ import annotations

import asyncio

from services.classifier.dialogue import DialogueStates
from tests.unit.test_summarizer import ScriptedModel, events, summarizer

SPOKEN_PROMISE = [
    ("CALL_STARTED", "OPERATOR", "", ""),
    ("UTTERANCE", "OPERATOR", "This is an attempt to collect a debt. How can I help?", ""),
    ("UTTERANCE", "CUSTOMER", "My hours got cut, but I can pay three fifty on the first of every month.",
     "promise_to_pay"),
    ("UTTERANCE", "CUSTOMER", "And please call me back next Friday about the rest.", "callback_request"),
    ("TRANSFER", "OPERATOR", "", ""),
]


def play(summarizer_, lines):
    states = DialogueStates()

    async def run():
        outputs = []
        for event, intent in events(lines=lines, scenario="COLLECTIONS", role="SUPERVISOR"):
            summary = await summarizer_.on_event(event, intent, states.observe(event))
            if summary is not None:
                outputs.append(summary)
        return outputs
    return asyncio.run(run())


def test_a_spoken_promise_is_carried_into_the_handover() -> None:
    (handover,) = play(summarizer(), SPOKEN_PROMISE)
    (promise,) = handover.promises
    assert promise.amount == "$350" and promise.schedule == "monthly" and "(the 1st)" in promise.date
    assert "Promises to pay: $350 on " in handover.text and "monthly" in handover.text
    assert "promise to pay $350" in " ".join(handover.commitments)
    assert "$350" in handover.text and "Promises to pay: none made" not in handover.text
    assert len(handover.callbacks) == 1 and handover.callbacks[0].when


def test_a_vacuous_repeating_model_sentence_is_dropped() -> None:
    model = ScriptedModel("The customer is pleased with the customer service of Harbor Lending, and the customer "
                          "is pleased with the customer service of Harbor Lending. "
                          "The customer is pleased with the service. "
                          "The customer agreed to pay $350 on the 1st of every month.")
    (handover,) = play(summarizer(model), SPOKEN_PROMISE)
    assert "pleased" not in handover.narrative
    assert "$350" in handover.narrative
    assert any("pleased with the customer service" in s for s in handover.unverified_sentences)
