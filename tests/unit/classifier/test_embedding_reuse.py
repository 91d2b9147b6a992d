"""Each customer utterance is embedded once by the shared encoder: the classifier computes the vector (in its
micro-batches) and carries it on the classified event; retrieval uses it and does not call the encoder."""

import asyncio

import numpy as np
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.encoder import shared_encoder
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import GROUNDED, TRANSCRIPT
from seatcopilot.transport.inprocess import InProcessTransport

from services.classifier import kafka_adapter as classifier_adapter
from services.classifier.logic import IntentClassifier
from services.classifier.taxonomy import load_intents
from services.retrieval import kafka_adapter as retrieval_adapter
from services.retrieval.config import DEFAULT_KB
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.logic import Retriever
from services.retrieval.stores import EmbeddedGraphStore
from tests.helpers import classified_event, make_event


class CountingEncoder:
    """The shared encoder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = shared_encoder()
        self.identity, self.dimensions = self.inner.identity, self.inner.dimensions
        self.texts: list[str] = []

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.encode(texts, batch_size)


class FixedBackend:
    """Every text gets the first intent of the taxonomy (the classifier's model is not under test here)."""

    def __init__(self) -> None:
        self.labels = [*load_intents(), "unknown"]
        self.version = "fixed"

    def intent_probs(self, texts: list[str]) -> np.ndarray:
        probs = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        probs[:, 0] = 1.0
        return probs

    def close(self) -> None:
        return None


def _store() -> EmbeddedGraphStore:
    return EmbeddedGraphStore.build(load_knowledge_base(DEFAULT_KB), shared_encoder())


def _classified(text: str, **carried) -> cl.ClassifiedEvent:
    return classified_event(make_event(call_id="call-e1", seq=3, text=text, scenario="SALES"),
                              classification=cl.Classification(intent="unknown", stage="discovery"), **carried)


def test_retrieval_uses_a_carried_vector_of_its_own_encoder_and_answers_the_same():
    text = "What rate would I get on a personal loan of twelve thousand?"
    encoder = CountingEncoder()
    retriever = Retriever(_store(), encoder)
    vector = shared_encoder().encode([text])[0]
    carried = asyncio.run(retriever.retrieve(_classified(
        text, utterance_embedding=vector.tolist(), embedding_model=encoder.identity)))
    assert encoder.texts == []  # not embedded again
    computed = asyncio.run(retriever.retrieve(_classified(text)))
    assert encoder.texts == [text]  # nothing carried: retrieval embeds it itself
    assert [i.id for i in carried.items] == [i.id for i in computed.items] and carried.items


def test_a_vector_from_another_encoder_or_of_the_wrong_size_is_not_used():
    text = "Can I lower my monthly payment?"
    encoder = CountingEncoder()
    retriever = Retriever(_store(), encoder)
    asyncio.run(retriever.retrieve(_classified(text, utterance_embedding=[0.1] * 384, embedding_model="other/1")))
    asyncio.run(retriever.retrieve(_classified(text, utterance_embedding=[0.1] * 8, embedding_model=encoder.identity)))
    assert encoder.texts == [text, text]


def test_the_classifier_carries_the_vector_on_customer_utterances_only():
    encoder = CountingEncoder()
    embed = (encoder.identity, lambda t: encoder.encode([t])[0], lambda: None)
    classifier = IntentClassifier(FixedBackend(), 0.5, embedder=embed)
    customer = classifier.classify(make_event(call_id="c", seq=2, text="I lost my card", scenario="SERVICE"))
    assert customer.embedding_model == encoder.identity and len(customer.utterance_embedding) == 384
    np.testing.assert_allclose(customer.utterance_embedding, shared_encoder().encode(["I lost my card"])[0], atol=1e-6)
    operator = classifier.classify(make_event(call_id="c", seq=3, text="Sorry to hear that", scenario="SERVICE",
                                              speaker="OPERATOR"))
    assert not operator.utterance_embedding and not operator.embedding_model
    assert encoder.texts == ["I lost my card"]


def test_on_the_bus_the_utterance_is_embedded_once_between_classifier_and_retrieval():
    classifier_encoder, retrieval_encoder = CountingEncoder(), CountingEncoder()
    classifier = IntentClassifier(FixedBackend(), 0.5, embedder=(
        classifier_encoder.identity, lambda t: classifier_encoder.encode([t])[0], lambda: None))
    retriever = Retriever(_store(), retrieval_encoder)
    texts = ["How much can I borrow?", "What is the APR on the card?", "Is there a fee to pay early?"]

    async def scenario() -> list[rt.GroundedEvent]:
        bus = InProcessTransport()
        classifier_adapter.attach(StageIO("classifier", bus), classifier)
        retrieval_adapter.attach(StageIO("retrieval", bus), retriever)
        grounded = bus.tap(GROUNDED.name)
        await bus.start()
        for seq, text in enumerate(texts, start=1):
            event = make_event(call_id="call-bus", seq=seq, text=text, scenario="SALES")
            await bus.publish(TRANSCRIPT.name, event.call_id, event.SerializeToString())
        await bus.join()
        await bus.stop()
        return [rt.GroundedEvent.FromString(grounded.get_nowait().value) for _ in texts]

    out = asyncio.run(scenario())
    assert [g.classified.event.text for g in out] == texts
    assert classifier_encoder.texts == texts and retrieval_encoder.texts == []
