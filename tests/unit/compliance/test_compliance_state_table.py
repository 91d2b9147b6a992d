"""Compliance's call state outlives the process: written through to the transport's state table after every
transcript event and read back by an instance that has not seen the call (a restart, a rebalance, a
scale-out). Here the table is a dict shared by two engines; tests/integration/test_compliance_kafka.py does
the same on a real broker's changelog."""

from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.policy import load_policies

from services.compliance.logic import ComplianceEngine
from tests.helpers import make_event
from tests.helpers.compliance import draft, ids, say

CALL = "call-durable"


def statuses(engine, call_id, tenant="harbor"):
    state = engine.call_state(call_id, tenant)
    return {o.id: cp.ObligationStatus.Name(o.status).removeprefix("OBLIGATION_STATUS_") for o in state.obligations}


def restarted(table):
    return ComplianceEngine(load_policies(), table=table)  # a new process: nothing in memory


def test_a_third_party_on_the_line_is_still_in_force_after_a_restart():
    table: dict[str, bytes] = {}
    first = restarted(table)
    say(first, CALL, 1, "Hi, this call may be recorded. May I speak with Casey?", "COLLECTIONS")
    assert ids(say(first, CALL, 2, "This is his wife, he's at work.", "COLLECTIONS", speaker="CUSTOMER")) \
        == ["THIRD-PARTY-ON-LINE"]

    second = restarted(table)
    assert statuses(second, CALL) == statuses(first, CALL)
    assert statuses(second, CALL)["FDCPA-MINI-MIRANDA"] == "SUSPENDED"
    assert statuses(second, CALL)["RECORDING-NOTICE"] == "GIVEN"
    assert second.steer(draft("He is past due on his loan.", call_id=CALL, scenario="COLLECTIONS")
                        ).compliance.verdict == cp.VERDICT_BLOCKED
    # the restored state goes on: the customer's husband comes to the phone, the mini-Miranda is owed again
    say(second, CALL, 3, "Oh wait, he just got home, let me put him on.", "COLLECTIONS", speaker="CUSTOMER")
    assert statuses(second, CALL)["FDCPA-MINI-MIRANDA"] == "OWED"
    assert statuses(restarted(table), CALL)["FDCPA-MINI-MIRANDA"] == "OWED"


def test_turn_counts_a_transfer_and_the_calls_end_are_restored():
    table: dict[str, bytes] = {}
    first = restarted(table)
    say(first, CALL, 1, "Thanks for calling, how can I help?", "SALES")
    transfer = make_event(call_id=CALL, seq=2, type_="TRANSFER", speaker="OPERATOR", text="", scenario="SALES",
                          transfer_to_role="COLLECTIONS")
    first.check_event(transfer)
    state = restarted(table).call_state(CALL, "harbor")
    assert state.call.scenario == make_event(scenario="COLLECTIONS").scenario and state.operator_turns == 0
    first.check_event(make_event(call_id=CALL, seq=3, type_="CALL_ENDED", speaker="OPERATOR", text=""))
    late = restarted(table).steer(draft("Anything else I can help with?", call_id=CALL, scenario="COLLECTIONS"))
    assert late.compliance.verdict == cp.VERDICT_EXPIRED  # an ended call's late draft, even after a restart


def test_two_tenants_calls_with_one_id_are_kept_apart_in_the_table():
    table: dict[str, bytes] = {}
    engine = restarted(table)
    say(engine, CALL, 1, "This is his wife, he's at work.", "COLLECTIONS", speaker="CUSTOMER")
    say(engine, CALL, 1, "Hi, this call may be recorded.", "COLLECTIONS", tenant="lakeshore")
    again = restarted(table)
    assert again.call_state(CALL, "harbor").active_signals == ["THIRD-PARTY-ON-LINE"]
    assert list(again.call_state(CALL, "lakeshore").active_signals) == []


class CountingTable(dict):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def __setitem__(self, key: str, value: bytes) -> None:
        self.writes += 1
        super().__setitem__(key, value)


def test_a_line_that_changes_nothing_writes_no_changelog_record():
    table = CountingTable()
    engine = restarted(table)
    say(engine, CALL, 1, "Hi, this call may be recorded.", "COLLECTIONS")
    say(engine, CALL, 2, "This is his wife, he's at work.", "COLLECTIONS", speaker="CUSTOMER")
    written = table.writes
    say(engine, CALL, 3, "Okay.", "COLLECTIONS", speaker="CUSTOMER")  # nothing about the call changes
    assert written == 2 and table.writes == written
