"""The summarizer's narrative from the model served by a real Triton server (python backend on the CPU)
started by `make test`: the request reaches the model (repetition penalty included) and only sentences
that hold up against the call are shown."""

import asyncio
import os

import pytest
from seatcopilot.config import load
from seatcopilot.model_backends import GenerationRequest, TritonBackend, complete
from seatcopilot.transport import InProcessTransport

from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from services.summarizer.verify import evidence_from_state, problem, split_sentences
from tests.helpers import make_event, require_server

pytestmark = pytest.mark.triton
LINES = [
    ("UTTERANCE", "OPERATOR", "Thanks for calling Harbor Lending, this call may be recorded."),
    ("UTTERANCE", "CUSTOMER", "I lost my job, so I can pay $150 on December 5th."),
    ("TRANSFER", "OPERATOR", ""),
]


@pytest.fixture(scope="module")
def url():
    require_server("SEATCOPILOT_TRITON", "Triton")
    return os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001")


def test_the_repetition_penalty_reaches_the_model(url):
    messages = [{"role": "user", "content": "Repeat after me: the payment is $150."}]

    async def both():
        backend = TritonBackend(url, "seatcopilot_llm")
        try:
            return [await complete(backend, GenerationRequest(messages, 10, repetition_penalty=p), 120)
                    for p in (1.0, 2.0)]
        finally:
            await backend.close()

    plain, penalised = asyncio.run(both())
    assert "150" in plain and plain != penalised  # the penalty changes what the model writes


def test_a_handover_narrative_from_triton_holds_up_against_the_call(url):
    config = load(SummarizerConfig, {"SUMMARIZER_BACKEND": "triton", "TRITON_GRPC_URL": url,
                                     "SUMMARIZER_MAX_TOKENS": "16", "SUMMARIZER_MODEL_DEADLINE_S": "240"})
    summarizer = summarizer_main.build(config, InProcessTransport().table("call-state"))

    async def play():
        try:
            results = []
            for seq, (type_, speaker, text) in enumerate(LINES, start=1):
                extra = {"transfer_to_role": "COLLECTIONS"} if type_ == "TRANSFER" else {}
                results.append(await summarizer.on_event(make_event(call_id="c-triton", seq=seq, type_=type_,
                                                                    speaker=speaker, text=text, **extra)))
            return results[-1]
        finally:
            await summarizer.backend.close()

    handover = asyncio.run(play())
    assert handover.generated_by == "model:triton" or handover.fallback_reason == "model_unverified"
    evidence = evidence_from_state(summarizer.state("harbor", "c-triton"), summarizer.lexicon)
    assert all(not problem(s, evidence, summarizer.lexicon) for s in split_sentences(handover.narrative))
    assert [p.amount for p in handover.promises] == ["$150"]
