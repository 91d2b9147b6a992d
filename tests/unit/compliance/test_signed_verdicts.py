"""Verdicts that cannot be forged: compliance signs each steered suggestion; the console shows only what
verifies. A PASS published on the suggestions topic by anything else never reaches the browser and is counted."""

import asyncio
import time

import pytest
from aiohttp.test_utils import TestClient, TestServer
from seatcopilot import codec
from seatcopilot.config import ConfigError
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DRAFTS, SUGGESTIONS
from seatcopilot.transport import InProcessTransport
from seatcopilot.verdicts import VerdictSigner, VerdictVerifier, keys_for, parse_keys

from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.logic import ComplianceEngine
from services.console import kafka_adapter as console_adapter
from services.console.auth import AccessAudit, Authenticator
from services.console.http_api import create_app
from services.console.logic import ConsoleHub
from tests.helpers import steered_suggestion
from tests.helpers.console import OPERATOR_A, PUBLIC_PEM, bearer

OLD, NEW = {"k1": b"old-verdict-key-0123456789"}, {"k2": b"new-verdict-key-0123456789"}


def draft(text="Our APR is 9.9%.", seq=3, call_id="call-a") -> gen.SuggestionDraft:
    message = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, tenant="harbor", operator_id="op-a",
                                                  team_id="team-a", scenario=1),
                                  text=text)
    message.deadline.FromNanoseconds(time.time_ns() + 60 * 10**9)
    return message


def steered(verdict=cp.VERDICT_PASS, text="Our APR is 9.9%.") -> cp.SteeredSuggestion:
    return steered_suggestion(draft(text), text=text, compliance=cp.ComplianceVerdict(verdict=verdict))


def test_a_signature_covers_what_the_operator_acts_on_and_keys_rotate():
    signer, verifier = VerdictSigner(OLD), VerdictVerifier(OLD)
    signed = signer.sign(steered(cp.VERDICT_BLOCKED, ""))
    assert verifier.verifies(signed)
    for tamper in (lambda s: setattr(s.compliance, "verdict", cp.VERDICT_PASS),
                   lambda s: setattr(s, "text", "Sign today, no questions."),
                   lambda s: s.compliance.rule_ids.append("X"),
                   lambda s: setattr(s.call, "tenant", "other-bank"),
                   lambda s: setattr(s.call, "seq", 4),
                   lambda s: s.draft.deadline.FromSeconds(4_000_000_000)):
        forged = cp.SteeredSuggestion()
        forged.CopyFrom(signed)
        tamper(forged)
        assert not verifier.verifies(forged)
    assert not VerdictVerifier(NEW).verifies(signed)  # a key the console does not hold
    assert VerdictVerifier({**NEW, **OLD}).verifies(signed)  # rotation: the old key still verifies meanwhile
    assert VerdictSigner({**NEW, **OLD}).sign(steered()).key_id == "k2"  # the first key signs


def test_keys_are_required_on_a_broker_and_made_for_the_embedded_demo():
    class BrokerTransport:
        pass

    with pytest.raises(ConfigError):
        keys_for(BrokerTransport(), {})
    assert keys_for(InProcessTransport(), {})  # one process: a random key its stages share
    assert keys_for(BrokerTransport(), {"VERDICT_KEYS": "a:0123456789abcdef0123"}) == {"a": b"0123456789abcdef0123"}
    with pytest.raises(ConfigError):
        parse_keys("a:short")


def test_a_forged_pass_on_the_suggestions_topic_never_reaches_the_browser():
    async def scenario():
        bus, hub = InProcessTransport(), ConsoleHub()
        compliance_adapter.attach(StageIO("compliance", bus), ComplianceEngine(load_policies()))
        console_adapter.attach(StageIO("console", bus), hub)
        before = console_adapter.FORGED._value.get()
        await bus.start()
        forged = steered(cp.VERDICT_PASS, "Forged: sign today and skip the disclosures.")
        await bus.publish(SUGGESTIONS.name, "call-a", codec.encode(forged))  # unsigned
        forged.call.seq = 2  # the seq of the real suggestion: it must not be taken for a duplicate of this
        await bus.publish(SUGGESTIONS.name, "call-a", codec.encode(forged))
        await bus.join()
        await bus.publish(DRAFTS.name, "call-a", codec.encode(draft("Happy to help with that.", seq=2)))
        VerdictSigner({"k9": b"attacker-key-0123456789"}).sign(forged)
        await bus.publish(SUGGESTIONS.name, "call-a", codec.encode(forged))  # signed with a key we do not hold
        await bus.join()
        auth = Authenticator(public_key=PUBLIC_PEM, issuer="https://idp.example", audience="seatcopilot-console")

        async def no_feedback(identity, call, body):
            return None

        async with TestClient(TestServer(create_app(hub, auth, AccessAudit(None), no_feedback))) as client:
            detail = await (await client.get("/api/calls/call-a", headers=bearer(OPERATOR_A))).text()
            await client.post("/api/session", headers=bearer(OPERATOR_A))
            stream = await client.get("/api/events")
            body = b""
            while b"Happy to help" not in body:
                body += await stream.content.readany()
            stream.close()
        await bus.stop()
        return detail, body.decode(), console_adapter.FORGED._value.get() - before

    detail, streamed, counted = asyncio.run(scenario())
    assert "Happy to help with that." in detail  # compliance's own verdict is shown
    assert "Forged" not in detail and "Forged" not in streamed
    assert counted == 3
