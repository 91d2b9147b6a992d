"""The compliance engine under test: drafts with a deadline, operator or customer speech, the rules that fired."""

from __future__ import annotations

import time

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen

from tests.helpers import make_event

SCENARIO = {"SALES": 1, "SERVICE": 2, "COLLECTIONS": 3}


def draft(text, call_id="call-c1", scenario="SALES", ttl=30.0, tenant="harbor", seq=5):
    item = gen.SuggestionDraft(call=ev.CallRef(call_id=call_id, seq=seq, scenario=SCENARIO[scenario], tenant=tenant),
                               text=text)
    item.deadline.FromNanoseconds(int((time.time() + ttl) * 1e9))
    return item


def say(engine, call_id, seq, text, scenario="SALES", speaker="OPERATOR", tenant="harbor"):
    return engine.check_event(make_event(call_id=call_id, seq=seq, speaker=speaker, text=text, scenario=scenario,
                                         tenant=tenant))


def ids(alerts):
    return [rule for alert in alerts for rule in alert.rule_ids]
