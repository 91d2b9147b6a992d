"""One owner of obligations: compliance recognises a disclosure (in any wording, with its learned
detector) and publishes the call's state; generation reads it and asks for no notice already given,
in-process and through the embedded pipeline (the detector is built on first use, cached by inputs)."""

import asyncio
import dataclasses

from seatcopilot import codec
from seatcopilot.config import load
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.policy import load_policies, load_policy
from seatcopilot.topics import SUGGESTIONS

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.compliance.logic import ComplianceEngine
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from tests.helpers import classified_event, grounded_event, make_event

NOTICE = "Hey, quick heads up, we record calls on this line."  # no pack phrase matches it
NOTICE_TEXT = "This call may be recorded for quality and training purposes."


class RecordingBackend:
    """A model that records what it was asked and answers one plain line."""

    name = "local"

    def __init__(self):
        self.requests = []

    async def stream(self, request):
        self.requests.append(request)
        yield "How much were you hoping to borrow?"

    async def healthy(self):
        return True

    async def close(self):
        return None


def prompt_text(request):
    return "\n".join(m["content"] for m in request.messages)


def question(call_id, seq=2):
    event = make_event(call_id=call_id, seq=seq, text="What rates do you have on personal loans?")
    return grounded_event(classified_event(event, classification=cl.Classification(
        intent="rate_question")))


def test_a_notice_given_in_the_operators_own_words_is_not_asked_for_again():
    from seatcopilot.encoder import shared_encoder

    from seatcopilot_models.compliance.detector import load_or_build

    assert not any(o.satisfied(NOTICE) for o in load_policy().obligations)
    embed = shared_encoder().encode
    engine = ComplianceEngine(load_policies(), embed, learned=load_or_build(embed), semantic=False)
    backend = RecordingBackend()
    generator = Generator(backend, load_policy(), dataclasses.replace(load(GenerationConfig, {})))
    for call_id, first in (("own-words", NOTICE), ("no-notice", "Hi, how can I help today?")):
        event = make_event(call_id=call_id, seq=1, speaker="OPERATOR", text=first)
        engine.check_event(event)
        generator.observe(event)
        generator.observe_compliance(engine.call_state(call_id))
        asyncio.run(generator.draft(question(call_id)))
    given, owed = (prompt_text(r) for r in backend.requests)
    assert NOTICE_TEXT not in given  # compliance recognised it: generation does not ask for it again
    assert NOTICE_TEXT in owed


def test_the_embedded_pipeline_does_not_prepend_a_notice_given_in_other_words():
    async def scenario():
        pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted"})
        backend = pipeline.stages["generation"].backend = RecordingBackend()
        shown = pipeline.bus.tap(SUGGESTIONS.name)
        await pipeline.start()
        events = [make_event(call_id="emb-own", seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""),
                  make_event(call_id="emb-own", seq=2, speaker="OPERATOR", text=NOTICE),
                  make_event(call_id="emb-own", seq=3, text="Hi, what rates do you have on personal loans?")]
        for event in events:
            await pipeline.publish(event)
            await pipeline.drain()
        owed = [o.id for o in pipeline.stages["generation"].owed(pipeline.stages["generation"].context(
            "harbor", "emb-own", "SALES"))]
        await pipeline.stop()
        return backend.requests, owed, [codec.decode(m.value, cp.SteeredSuggestion) for m in
                                        (shown.get_nowait() for _ in range(shown.qsize()))]

    requests, owed, suggestions = asyncio.run(scenario())
    assert "RECORDING-NOTICE" not in owed
    assert all(NOTICE_TEXT not in prompt_text(r) for r in requests)
    assert suggestions, "the customer's question got a suggestion"
    for steered in suggestions:
        assert not steered.text.startswith("This call may be recorded")
        assert "RECORDING-NOTICE" not in steered.compliance.rule_ids
