"""Fail closed: compliance and the console on the in-process bus, drafts put on the drafts topic as
generation does. Nothing reaches the console without a verdict in time: compliance down, slow,
absent, or a verdict that arrives stale all mean nothing shown (counted, not lost)."""

import asyncio
import time

import numpy as np
from prometheus_client import REGISTRY
from seatcopilot import codec
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DEAD_LETTER, DRAFTS, SUGGESTIONS
from seatcopilot.transport import InProcessTransport

from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.logic import ComplianceEngine
from services.console import kafka_adapter as console_adapter
from services.console.logic import ConsoleHub
from tests.helpers import steered_suggestion


def drafts(call_id, count=3, ttl=30.0):
    items = []
    for seq in range(1, count + 1):
        item = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, tenant="harbor", scenario=1),
                                   text="Our APRs range from 8.99% to 29.99% based on a credit review.")
        item.deadline.FromNanoseconds(int((time.time() + ttl) * 1e9))
        items.append(item)
    return items


def not_shown(reason):
    return REGISTRY.get_sample_value("seatcopilot_console_suggestions_not_shown_total", {"reason": reason}) or 0.0


def run(engine, items, publish_to=DRAFTS.name):
    """Returns the console's views and the dead letters after the bus has handled every draft."""
    async def scenario():
        bus, hub = InProcessTransport(), ConsoleHub()
        letters = bus.tap(DEAD_LETTER.name)
        if engine is not None:
            compliance_adapter.attach(StageIO("compliance", bus), engine)
        console_adapter.attach(StageIO("console", bus), hub)
        await bus.start()
        for item in items:
            await bus.publish(publish_to, item.call.call_id,
                              codec.encode(item))
        await bus.join()
        await bus.stop()
        dead = [codec.decode(letters.get_nowait().value, deadletter_pb2.DeadLetter) for _ in range(letters.qsize())]
        return [view for _, view in hub.since(0)], dead

    return asyncio.run(scenario())


def test_with_compliance_up_suggestions_are_shown_with_their_verdict():
    shown, dead = run(ComplianceEngine(load_policies()), drafts("call-f1"))
    assert [v["seq"] for v in shown] == [1, 2, 3] and dead == []
    assert {v["compliance"]["verdict"] for v in shown} == {"REWRITTEN"}  # the recording notice was owed


def test_compliance_down_means_nothing_shown_and_every_draft_dead_lettered():
    class Broken(ComplianceEngine):
        def steer(self, draft, now=None):
            raise RuntimeError("policy store unreachable")

    shown, dead = run(Broken(load_policies()), drafts("call-f2"))
    assert shown == []
    assert [(d.stage, d.reason, d.source_topic) for d in dead] == [("compliance", "processing_error", DRAFTS.name)] * 3


def test_compliance_absent_means_nothing_shown():
    shown, _ = run(None, drafts("call-f3"))
    assert shown == []  # the console never reads drafts


def test_compliance_too_slow_means_expired_and_nothing_shown():
    def slow_embed(texts):
        time.sleep(0.3)
        return np.full((len(texts), 4), 0.5, dtype=np.float32)

    engine = ComplianceEngine(load_policies(), slow_embed)
    before = not_shown("expired")
    shown, dead = run(engine, drafts("call-f4", count=2, ttl=0.25))
    assert shown == [] and dead == []
    assert not_shown("expired") - before == 2


def test_a_verdict_that_arrives_stale_or_without_a_verdict_is_not_shown():
    stale = steered_suggestion(drafts("call-f5", count=1, ttl=-1)[0], text="Our APRs range ...")
    stale.compliance.verdict = cp.VERDICT_PASS
    unjudged = steered_suggestion(drafts("call-f5b", count=1)[0], text="Our APRs range ...")
    fresh = steered_suggestion(drafts("call-f5c", count=1)[0], text="Our APRs range ...")
    fresh.compliance.verdict = cp.VERDICT_PASS
    from seatcopilot.transport import InProcessTransport
    from seatcopilot.verdicts import VerdictSigner, keys_for

    signer = VerdictSigner(keys_for(InProcessTransport()))  # as compliance signs them in this process
    before = (not_shown("expired"), not_shown("no_verdict"))
    shown, _ = run(None, [signer.sign(s) for s in (stale, unjudged, fresh)], publish_to=SUGGESTIONS.name)
    assert [v["call_id"] for v in shown] == ["call-f5c"]
    assert (not_shown("expired") - before[0], not_shown("no_verdict") - before[1]) == (1, 1)
