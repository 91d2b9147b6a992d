"""A call's compliance state: which obligations are given, still owed or overdue, and which signals
(things the customer said that change the rules) are active.

A segment is the part of a call one role handles; a TRANSFER starts a new one under the receiving
role's scenario, with its obligations owed afresh. Signals outlive a transfer: a customer who asked
us to stop calling asked the company, not one operator.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.policy import CallingHours, Obligation, Policy

NOT_TRIGGERED, OWED, GIVEN, OVERDUE, SUSPENDED = "NOT_TRIGGERED", "OWED", "GIVEN", "OVERDUE", "SUSPENDED"
BY_TURNS, SAID_BEFORE = "turns", "said_before"


@dataclass
class ObligationState:
    obligation: Obligation
    status: str
    owed_since_turn: int = 0
    given_seq: int = 0
    overdue_seq: int = 0
    given_late: bool = False

    @property
    def outstanding(self) -> bool:
        return self.status in (OWED, OVERDUE)


@dataclass(frozen=True)
class Overdue:
    state: ObligationState
    reason: str  # BY_TURNS or SAID_BEFORE


@dataclass
class CallCompliance:
    call_id: str
    tenant: str
    scenario: str
    policy: Policy | None
    signals: set[str] = field(default_factory=set)
    operator_turns: int = 0
    obligations: dict[str, ObligationState] = field(default_factory=dict)
    ended: bool = False
    policy_missing_alerted: bool = False
    # The operator's previous turn, so a disclosure split over two turns is recognised. Memory only: the
    # state table keeps no text, and after a restart a split disclosure is read turn by turn.
    previous_operator_text: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if self.policy is None:
            return
        for obligation in self.policy.obligations:
            if self.scenario in obligation.scenarios:
                self.obligations[obligation.id] = ObligationState(obligation, OWED)
        for obligation in self.policy.triggered_obligations:
            if self.scenario in obligation.scenarios:
                triggered = obligation.triggered_by in self.signals
                self.obligations[obligation.id] = ObligationState(obligation, OWED if triggered else NOT_TRIGGERED)

    def next_segment(self, scenario: str) -> CallCompliance:
        return CallCompliance(self.call_id, self.tenant, scenario, self.policy, set(self.signals))

    def suspended(self, obligation: Obligation) -> bool:
        return any(signal in self.signals for signal in obligation.suspended_by)

    def status(self, state: ObligationState) -> str:
        return SUSPENDED if state.outstanding and self.suspended(state.obligation) else state.status

    def owed(self) -> list[ObligationState]:
        """Outstanding obligations that may be given now."""
        return [s for s in self.obligations.values() if s.outstanding and not self.suspended(s.obligation)]

    def raise_signal(self, signal_id: str) -> None:
        self.signals.add(signal_id)
        for state in self.obligations.values():
            if state.status == NOT_TRIGGERED and state.obligation.triggered_by == signal_id:
                state.status, state.owed_since_turn = OWED, self.operator_turns

    def operator_said(self, text: str, seq: int, recognised: AbstractSet[str] = frozenset(),
                      says_before: AbstractSet[str] = frozenset()) -> list[Overdue]:
        """Counts the turn; marks what the text gives (by the pack's phrases, or `recognised` by the
        learned detector in other words); returns what became overdue with it. `says_before`: the
        obligations whose awaited content (a payment figure) the detector heard in other words."""
        self.operator_turns += 1
        overdue = []
        for state in self.obligations.values():
            obligation = state.obligation
            if not state.outstanding:
                continue
            if self.suspended(obligation):
                state.owed_since_turn = self.operator_turns  # the clock starts again once it may be given
            elif obligation.satisfied(text) or obligation.id in recognised:
                state.given_late = state.status == OVERDUE
                state.status, state.given_seq = GIVEN, seq
            elif state.status == OWED and (reason := self._late(state, text, obligation.id in says_before)):
                state.status, state.overdue_seq = OVERDUE, seq
                overdue.append(Overdue(state, reason))
        return overdue

    def _late(self, state: ObligationState, text: str, heard_before: bool = False) -> str:
        obligation = state.obligation
        if heard_before or obligation.said_before(text):
            return SAID_BEFORE
        due = obligation.due_within_operator_turns
        if due and self.operator_turns - state.owed_since_turn >= due:
            return BY_TURNS
        return ""


RECORD_STATUS = {NOT_TRIGGERED: cp.OBLIGATION_STATUS_NOT_TRIGGERED, OWED: cp.OBLIGATION_STATUS_OWED,
                 GIVEN: cp.OBLIGATION_STATUS_GIVEN, OVERDUE: cp.OBLIGATION_STATUS_OVERDUE}
STATUS_OF_RECORD = {number: name for name, number in RECORD_STATUS.items()}


def to_record(state: CallCompliance) -> cp.CallComplianceState:
    """The state as it is kept in the state table: each obligation's own status (SUSPENDED is not stored,
    it follows from the signals), the counters and the active signals."""
    return cp.CallComplianceState(
        call=ev.CallRef(call_id=state.call_id, tenant=state.tenant,
                        scenario=ev.Scenario.Value(f"SCENARIO_{state.scenario}")),
        policy_version=state.policy.label if state.policy else "", operator_turns=state.operator_turns,
        active_signals=sorted(state.signals), ended=state.ended,
        obligations=[cp.ObligationState(id=s.obligation.id, status=RECORD_STATUS[s.status],
                                        owed_since_turn=s.owed_since_turn, given_seq=s.given_seq,
                                        overdue_seq=s.overdue_seq, given_late=s.given_late)
                     for s in state.obligations.values()])


def from_record(record: cp.CallComplianceState, policy: Policy) -> CallCompliance:
    """A state read back from the table (after a restart or a rebalance), under the tenant's current pack:
    an obligation the pack no longer has is dropped, a new one starts as the pack says."""
    scenario = ev.Scenario.Name(record.call.scenario).removeprefix("SCENARIO_")
    state = CallCompliance(record.call.call_id, record.call.tenant, scenario, policy, set(record.active_signals),
                           operator_turns=record.operator_turns, ended=record.ended)
    for kept in record.obligations:
        current = state.obligations.get(kept.id)
        if current is not None and kept.status in STATUS_OF_RECORD:
            current.status = STATUS_OF_RECORD[kept.status]
            current.owed_since_turn, current.given_seq = kept.owed_since_turn, kept.given_seq
            current.overdue_seq, current.given_late = kept.overdue_seq, kept.given_late
    return state


def outside_calling_hours(hours: CallingHours, moment: datetime) -> list[str]:
    """The time zones (of those the customer may be in) where moment is outside the window."""
    late = []
    for zone in hours.timezones:
        local = moment.astimezone(ZoneInfo(zone)).time()
        if not hours.earliest <= local < hours.latest:
            late.append(zone)
    return late
