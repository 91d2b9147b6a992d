"""The summarizer under test: a servicing call as (event, intent) pairs, a summarizer on the in-process
transport, and a model backend that answers with fixed text."""

from __future__ import annotations

import asyncio

from seatcopilot.config import load
from seatcopilot.model_backends import GenerationRequest
from seatcopilot.transport import InProcessTransport

from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from tests.helpers import make_event

# A servicing call: disclosures given, a disputed charge, then hardship and a promise to pay before the transfer.
CALL = [
    ("CALL_STARTED", "OPERATOR", "", ""),
    ("UTTERANCE", "OPERATOR", "Thank you for calling Harbor Lending, this call may be recorded. How can I help?", ""),
    ("UTTERANCE", "CUSTOMER", "There's a charge on my card I don't recognize, for like $89.99.", "transaction_dispute"),
    ("UTTERANCE", "OPERATOR", "First I need to verify your identity. Can I get your date of birth?", ""),
    ("UTTERANCE", "CUSTOMER", "Sure, it's March 14th, 1988.", "identity_verification"),
    ("UTTERANCE", "OPERATOR", "Thanks. I've opened a dispute, and you'll get a new card by mail.", ""),
    ("UTTERANCE", "CUSTOMER", "Thanks. I lost my job though, and I'm really worried about next month.", "hardship"),
    ("UTTERANCE", "CUSTOMER", "I can pay $150 on December 5th, and more once I find work.", "promise_to_pay"),
    ("TRANSFER", "OPERATOR", "", ""),
]


def events(call_id="call-sum-1", role="COLLECTIONS", lines=CALL, scenario="SERVICE"):
    out = []
    for seq, (type_, speaker, text, intent) in enumerate(lines, start=1):
        extra = {"transfer_to_role": role} if type_ == "TRANSFER" else {}
        event = make_event(call_id=call_id, seq=seq, type_=type_, speaker=speaker, text=text, scenario=scenario,
                           **extra)
        event.ts.FromSeconds(1_795_000_000 + 10 * seq)
        out.append((event, intent))
    return out


def summarizer(backend=None, **settings):
    config = load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none", **settings})
    built = summarizer_main.build(config, InProcessTransport().table("call-state"))
    built.backend = backend
    return built


def run(summarizer_, pairs):
    async def play():
        outputs = []
        for event, intent in pairs:
            summary = await summarizer_.on_event(event, intent)
            if summary is not None:
                outputs.append(summary)
        return outputs
    return asyncio.run(play())


class ScriptedModel:
    """A model backend that answers with fixed text (the summarizer's verification is under test here,
    not a model server: tests/integration runs the real Triton)."""

    name = "scripted-test"

    def __init__(self, text="", error=None, delay=0.0):
        self.text, self.error, self.delay, self.requests = text, error, delay, []

    async def stream(self, request: GenerationRequest):
        self.requests.append(request)
        await asyncio.sleep(self.delay)
        if self.error:
            raise self.error
        for word in self.text.split(" "):
            yield word + " "

    async def healthy(self):
        return True

    async def close(self):
        return None
