"""What makes the first sentence come sooner: decoding stops once the draft's sentences are complete, drafts of
different calls are made at once while one call's stay in order, and the llama.cpp runtime (its choice, its
bad-words rule, and the model itself when llama-cpp-python is installed)."""

from __future__ import annotations

import asyncio
import dataclasses
import time

import numpy as np
import pytest
from seatcopilot import gguf_runtime
from seatcopilot.config import load
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.policy import load_policy
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DRAFTS, GROUNDED
from seatcopilot.transport.inprocess import InProcessTransport

from services.generation import kafka_adapter
from services.generation.backends import GenerationRequest
from services.generation.config import GenerationConfig
from services.generation.logic import Generator, clean_model_text, sentences_complete, until_sentences
from tests.helpers import classified_event, grounded_event, make_event

FACT = rt.KnowledgeItem(id="faq.due-date", kind="FAQ", title="Due date change",
                        text="You can move your due date once a year, by up to 10 days, from the app.")
REPLY = ["You ", "can ", "move ", "your ", "due ", "date ", "once ", "a ", "year. ", "It ", "takes ", "up ", "to ",
         "10 ", "days, ", "from ", "the ", "app. ", "Anything ", "else ", "I ", "can ", "help ", "with? ", "Thanks."]


class CountingModel:
    """Streams REPLY a piece at a time and counts how many pieces were asked for; closing it is recorded."""

    name = "local"

    def __init__(self, delay_s: float = 0.0) -> None:
        self.delay_s, self.taken, self.closed = delay_s, 0, 0
        self.log: list[tuple[str, str]] = []  # ("start" or "end", the customer's words)
        self.running = self.most = 0

    async def stream(self, request: GenerationRequest):
        said = request.messages[-1]["content"].rsplit("Customer just said:", 1)[-1] if request.messages else ""
        self.log.append(("start", said))
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            for piece in REPLY:
                if self.delay_s:
                    await asyncio.sleep(self.delay_s)
                self.taken += 1
                yield piece
        finally:
            self.closed += 1
            self.running -= 1
            self.log.append(("end", said))

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None


def config(**changes) -> GenerationConfig:
    return dataclasses.replace(load(GenerationConfig, {}), **changes)


def grounded(call_id: str = "call-t1", seq: int = 1) -> rt.GroundedEvent:
    event = make_event(call_id=call_id, seq=seq, text=f"Can I move my due date? ({call_id} {seq})")
    return grounded_event(classified_event(event), items=[FACT])


@pytest.mark.parametrize(("text", "count", "complete"), [
    ("You can. ", 1, True),
    ("You can.", 1, False),  # "." may still be "..." or a figure's decimal point
    ("It is 14.99% a year", 1, False),
    ("One. Two. ", 2, True),
    ("One. Two.", 2, False),
    ("  Sure! Two? Three", 2, True),
])
def test_a_sentence_is_complete_once_whitespace_follows_its_end_mark(text, count, complete):
    assert sentences_complete(text, count) is complete


def test_stopping_at_the_second_sentence_keeps_the_same_text_and_closes_the_stream():
    model = CountingModel()

    async def read():
        request = GenerationRequest([], 40)
        return "".join([p async for p in until_sentences(model.stream(request), 2)])

    text = asyncio.run(read())
    assert clean_model_text(text, 2) == clean_model_text("".join(REPLY), 2)
    assert model.taken == REPLY.index("app. ") + 1 and model.closed == 1


def test_the_generator_stops_the_model_once_the_draft_is_complete():
    model = CountingModel()
    draft = asyncio.run(Generator(model, load_policy(), config()).draft(grounded()))
    assert draft.text == "You can move your due date once a year. It takes up to 10 days, from the app."
    assert draft.backend == gen.BACKEND_LOCAL and draft.fallback_reason == ""
    assert model.taken < len(REPLY) and model.closed == 1


def test_drafts_of_different_calls_are_made_at_once_and_one_calls_stay_in_order():
    model = CountingModel(delay_s=0.004)  # about 0.1 s a draft
    generator = Generator(model, load_policy(), config(max_concurrent=4))
    events = [grounded(f"call-{c}", seq) for seq in (1, 2, 3) for c in range(4)]

    async def scenario() -> tuple[list[gen.SuggestionDraft], float]:
        bus = InProcessTransport()
        kafka_adapter.attach(StageIO("generation", bus), generator)
        drafts = bus.tap(DRAFTS.name)
        for event in events:
            await bus.publish(GROUNDED.name, event.call.call_id, event.SerializeToString())
        started = time.perf_counter()
        await bus.start()
        await bus.join()
        took = time.perf_counter() - started
        await bus.stop()
        out: list[gen.SuggestionDraft] = []
        while not drafts.empty():
            out.append(gen.SuggestionDraft.FromString(drafts.get_nowait().value))
        return out, took

    drafts, took = asyncio.run(scenario())
    whole = [d for d in drafts if not d.partial]  # a draft's first sentence goes out first, as its part 1
    assert len(whole) == len(events) and model.most == 4  # four calls at once, never two of one call
    for c in range(4):  # on the topic too, each call's parts and drafts in order
        assert [(d.call.seq, d.part) for d in drafts if d.call.call_id == f"call-{c}"] == [
            (seq, part) for seq in (1, 2, 3) for part in (1, 2)]
    for c in range(4):  # each call's drafts one after another: the next starts when the previous has ended
        mine = [(kind, int(said.split(f"(call-{c} ")[1][0])) for kind, said in model.log if f"(call-{c} " in said]
        assert mine == [(kind, seq) for seq in (1, 2, 3) for kind in ("start", "end")]
    assert took < len(events) * len(REPLY) * 0.004 / 2  # not twelve drafts in a row


def test_banned_sequences_block_a_words_last_token_only_after_the_rest_of_it():
    banned = gguf_runtime.BannedSequences([[7], [3, 4], []])
    scores = banned(np.array([1, 2, 3]), np.zeros(10, dtype=np.float32))
    assert scores[7] == -np.inf and scores[4] == -np.inf  # one-token word always; [3, 4] after a 3
    scores = banned(np.array([1, 2, 5]), np.zeros(10, dtype=np.float32))
    assert scores[7] == -np.inf and scores[4] == 0


def test_the_runtime_setting(monkeypatch):
    monkeypatch.setenv(gguf_runtime.RUNTIME_ENV, "torch")
    assert gguf_runtime.use_llama_cpp(serving_base_model=True) is False
    monkeypatch.setenv(gguf_runtime.RUNTIME_ENV, "onnx")
    with pytest.raises(ValueError, match="expected one of"):
        gguf_runtime.use_llama_cpp(serving_base_model=True)
    monkeypatch.setenv(gguf_runtime.RUNTIME_ENV, "auto")
    assert gguf_runtime.use_llama_cpp(serving_base_model=False) is False  # a kit model has no GGUF
    monkeypatch.setenv(gguf_runtime.RUNTIME_ENV, "llama_cpp")
    with pytest.raises(RuntimeError, match="base model"):
        gguf_runtime.use_llama_cpp(serving_base_model=False)


@pytest.fixture(scope="module")
def gguf_backend():
    if not gguf_runtime.llama_cpp_installed() or gguf_runtime.packaged_gguf() is None:
        pytest.skip("llama-cpp-python or the packaged GGUF is not installed")
    from services.generation.backends import GgufBackend
    from services.generation.local_model import build_local_model

    return GgufBackend(gguf_runtime.packaged_gguf(), build_local_model(), threads=2, pool=2)


def test_the_llama_cpp_model_streams_deterministically_and_honours_bad_words(gguf_backend):
    messages = [{"role": "user", "content": "Say hello to a customer calling about a loan."}]

    def run(bad_words):
        async def collect():
            return [p async for p in gguf_backend.stream(GenerationRequest(messages, 12, bad_words))]
        return asyncio.run(collect())

    first, second = run([]), run([])
    assert len(first) > 1 and first == second
    banned = max("".join(first).split(), key=len).strip(".,!?\"'")
    assert banned not in "".join(run([banned]))


def test_the_llama_cpp_pool_answers_requests_at_once_each_in_full(gguf_backend):
    messages = [{"role": "user", "content": "Say hello to a customer calling about a loan."}]

    async def both():
        async def collect():
            return "".join([p async for p in gguf_backend.stream(GenerationRequest(messages, 12))])
        return await asyncio.gather(collect(), collect(), collect())

    texts = asyncio.run(both())
    assert texts[0] and texts[0] == texts[1] == texts[2]  # no context shared between two requests


def test_the_llama_cpp_repetition_penalty_counts_the_prompt(gguf_backend):
    # as transformers' does (the summarizer asks for it so the model does not copy the call): llama.cpp's own
    # penalty saw only generated tokens, and a model asked to repeat its prompt wrote the same at 1.0 and 2.0
    messages = [{"role": "user", "content": "Repeat after me: the payment is $150."}]

    async def both():
        return ["".join([p async for p in gguf_backend.stream(GenerationRequest(messages, 10, repetition_penalty=p))])
                for p in (1.0, 2.0)]

    plain, penalised = asyncio.run(both())
    assert "150" in plain and plain != penalised


def test_the_repetition_penalty_lowers_every_token_already_in_the_context():
    import numpy as np

    scores = np.array([2.0, -1.0, 3.0, 0.5])
    penalised = gguf_runtime.RepetitionPenalty(2.0)(np.array([0, 1, 1]), scores.copy())
    assert penalised.tolist() == [1.0, -2.0, 3.0, 0.5]
