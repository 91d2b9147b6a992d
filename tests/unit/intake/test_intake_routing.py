"""Who is on a platform call and when it moves: Amazon Connect contact and agent events, Genesys Cloud
conversation notifications, Twilio TaskRouter reservations and conference holds, mapped through the
tenant's operator directory (data/intake/tenants.yaml) to operator_id/team_id, HOLD, RESUME and TRANSFER."""

import json
from urllib.parse import urlencode

import pytest
from seatcopilot.config import ConfigError
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from seatcopilot_cli.intake import FIXTURES
from services.intake.adapters import Source, build_adapters
from services.intake.tenants import load_tenants, parse_tenants
from tests.helpers import ROOT

TENANTS = load_tenants(ROOT / "data" / "intake" / "tenants.yaml", {})
SOURCE = Source(TENANTS.get("harbor"), ev.SCENARIO_SERVICE)


def routing_lines(platform):
    path = FIXTURES / platform / "routing" / "transfer_call.jsonl"
    return [line for line in path.read_text().splitlines() if line.strip()]


def run(platform, source=SOURCE):
    adapter = build_adapters(300)[platform]
    events, rejected, duplicates = [], [], 0
    for line in routing_lines(platform):
        if platform == "twilio":
            payload = adapter.parse(urlencode(json.loads(line)).encode(), "application/x-www-form-urlencoded")
        else:
            payload = adapter.parse(line.encode(), "application/json")
        mapped = adapter.map(payload, source)
        events += mapped.events
        rejected += mapped.rejected
        duplicates += mapped.duplicates
    return events, rejected, duplicates


def moves(events):
    """Each event's type and the operator it carries; a transfer also its receiving role."""
    return [(ev.EventType.Name(e.type)[11:], e.operator_id, e.team_id,
             ev.Role.Name(e.transfer_to_role)[5:] if e.type == ev.EVENT_TYPE_TRANSFER else "") for e in events]


@pytest.mark.parametrize("platform", ["amazon_connect", "genesys_cloud", "twilio"])
def test_a_transferred_call_names_its_operators_and_moves(platform):
    events, rejected, _ = run(platform)
    assert not rejected
    kinds = [m[0] for m in moves(events)]
    assert kinds[0] == "CALL_STARTED" and kinds[-1] == "CALL_ENDED"
    assert [k for k in kinds if k in ("HOLD", "RESUME", "TRANSFER")] == ["HOLD", "RESUME", "TRANSFER"]
    assert len({e.call_id for e in events}) == 1  # Connect's transfer contact is the same call
    transfer = kinds.index("TRANSFER")
    before, at, after = moves(events)[:transfer], moves(events)[transfer], moves(events)[transfer + 1:]
    # Genesys may start transcribing before the agent's notification: only the start may name nobody
    assert all(m[1:3] == ("op-ada", "team-service-east") for m in before[1:])
    assert before[0][1] in ("op-ada", "")
    assert at == ("TRANSFER", "op-bo", "team-collections-east", "COLLECTIONS")
    assert all(m[1:3] == ("op-bo", "team-collections-east") for m in after)
    seqs = [e.seq for e in events]
    assert sorted(seqs) == list(range(seqs[0], seqs[0] + len(seqs)))  # gap-free: intake never waits


def test_connect_replaced_contacts_end_nothing_and_the_second_start_is_a_duplicate():
    events, _, duplicates = run("amazon_connect")
    assert [e.type for e in events].count(ev.EVENT_TYPE_CALL_ENDED) == 1
    assert duplicates == 2  # the transfer contact's Contact Lens STARTED; its COMPLETED after DISCONNECTED


def test_twilio_inserted_events_fall_between_the_transcriptions_numbers():
    events, _, duplicates = run("twilio")
    assert [(ev.EventType.Name(e.type)[11:], e.seq) for e in events] == [
        ("CALL_STARTED", 1), ("UTTERANCE", 2), ("HOLD", 3), ("RESUME", 4), ("UTTERANCE", 5), ("TRANSFER", 6),
        ("UTTERANCE", 7), ("CALL_ENDED", 8)]
    assert duplicates == 1  # the retried reservation.accepted callback


@pytest.mark.parametrize("platform", ["amazon_connect", "genesys_cloud", "twilio"])
def test_an_agent_missing_from_the_directory_is_refused_and_not_seated(platform):
    bare = Source(parse_tenants({"tenants": {"harbor": {}}}, {}).get("harbor"), ev.SCENARIO_SERVICE)
    events, rejected, _ = run(platform, bare)
    assert rejected and {r.reason for r in rejected} == {"unknown_operator"}
    assert all(not e.operator_id for e in events)
    assert ev.EVENT_TYPE_TRANSFER not in [e.type for e in events]


def test_the_directory_is_checked_at_start():
    bad = {"tenants": {"harbor": {"operators": [
        {"operator_id": "op-1", "team_id": "t", "role": "PILOT", "platform_ids": {"twilio": "WK1"}},
        {"operator_id": "op-2", "team_id": "t", "role": "SALES", "platform_ids": {"avaya": "x"}},
        {"operator_id": "op-3", "team_id": "t", "role": "SALES", "platform_ids": {"twilio": "WK3"}},
        {"operator_id": "op-4", "team_id": "t", "role": "SALES", "platform_ids": {"twilio": "WK3"}},
        {"team_id": "t", "role": "SALES"}]}}}
    with pytest.raises(ConfigError) as error:
        parse_tenants(bad, {})
    message = str(error.value)
    for expected in ("role must be one of", "unknown platform 'avaya'", "WK3 is listed twice", "needs operator_id"):
        assert expected in message


def test_a_connect_call_transferred_between_two_agents_moves_from_one_screen_to_the_other():
    """The embedded pipeline end to end: Connect's records on its platform topic, the console attached."""
    import asyncio

    from seatcopilot.topics import PLATFORM_AMAZON_CONNECT

    from seatcopilot_cli.embedded import EmbeddedPipeline
    from services.console import kafka_adapter as console_adapter
    from services.console.auth import Identity, may_see_view
    from services.console.logic import ConsoleHub

    async def scenario():
        pipeline, hub = EmbeddedPipeline({"GENERATION_BACKEND": "scripted"}), ConsoleHub()
        pipeline.attach("console", console_adapter, hub)
        await pipeline.start()
        try:
            for line in routing_lines("amazon_connect"):
                key = json.loads(line).get("ContactId") or json.loads(line).get("detail", {}).get("contactId", "")
                await pipeline.bus.publish(PLATFORM_AMAZON_CONNECT.name, key, line.encode(),
                                           {"seatcopilot-tenant": b"harbor"})
                await pipeline.drain()
        finally:
            await pipeline.stop()
        return hub

    hub = asyncio.run(scenario())
    views = [view for _, view in hub.since(0)]
    ada = Identity("ada", "harbor", "operator", operator_id="op-ada")
    bo = Identity("bo", "harbor", "operator", operator_id="op-bo")
    [handover] = [v for v in views if v["kind"] == "handover_summary"]
    suggestions = [v for v in views if v["kind"] == "suggestion"]
    before = [s for s in suggestions if s["seq"] < handover["seq"]]
    after = [s for s in suggestions if s["seq"] > handover["seq"]]
    assert before and after
    assert all(may_see_view(ada, s) and not may_see_view(bo, s) for s in before)  # the first agent's screen
    assert all(may_see_view(bo, s) and not may_see_view(ada, s) for s in after)  # then the second's
    assert may_see_view(bo, handover) and handover["operator_id"] == "op-bo"
    assert handover["target_role"] == "COLLECTIONS"
    assert handover["team_id"] == "team-collections-east"
    call_id = handover["call_id"]
    assert call_id == "c3d4e5f6-7890-4abc-9def-EXAMPLE33333"  # the first contact's id carries the whole call
    assert hub.visible(ada, call_id) and hub.visible(bo, call_id)
    assert not hub.visible(Identity("cy", "harbor", "operator", operator_id="op-cy"), call_id)
    assert [v["kind"] for v in views if v["kind"] == "wrapup_summary"] == ["wrapup_summary"]
