"""Indicators from the event streams: each event becomes counter increments attributed to the call's
tenant, team, operator and experiment arm; windows sum them; indicators are ratios of the sums.

The engine keeps only what attribution needs (a bounded memory of calls and shown suggestions);
the sums live in a window store — in memory in the embedded mode, a windowed Faust table on Kafka.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Protocol

from google.protobuf import timestamp_pb2
from seatcopilot.calls import call_key, call_ref, ref_identity, ref_key
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.indicators.v1 import indicators_pb2 as ind
from seatcopilot.dispositions import APPLIED, LOAN_BOOKED, NO_RIGHT_PARTY, PROMISE_TO_PAY, RESOLVED
from seatcopilot.experiments import UNASSIGNED
from seatcopilot.verdicts import SHOWN_VERDICTS

from services.indicators.definitions import HIGHER, INDICATORS, LOWER

AMOUNT = re.compile(r"\d+(?:\.\d+)?")
PROMISE_OUTCOMES = {"PROMISE_KEPT": True, "PROMISE_BROKEN": False}
SCENARIO_COUNTER = {ev.SCENARIO_SALES: "sales_calls", ev.SCENARIO_SERVICE: "service_calls",
                    ev.SCENARIO_COLLECTIONS: "collections_calls"}


def seconds(ts: timestamp_pb2.Timestamp) -> float:
    return ts.ToNanoseconds() / 1e9


@dataclass(frozen=True)
class Attribution:
    tenant: str
    team_id: str
    operator_id: str
    experiment_id: str
    arm: str

    @classmethod
    def of(cls, call: ev.CallRef) -> Attribution:
        return cls(call.tenant, call.team_id, call.operator_id, call.experiment_id, call.arm or UNASSIGNED)


@dataclass
class Increment:
    """Counter increments from one event, attributed to one operator at one instant (event time)."""

    ts: float
    who: Attribution
    counters: dict[str, float]

    def to_json(self) -> dict:
        return {"ts": self.ts, **self.who.__dict__, "counters": self.counters}

    @classmethod
    def from_json(cls, data: dict) -> Increment:
        who = Attribution(data["tenant"], data["team_id"], data["operator_id"], data["experiment_id"], data["arm"])
        return cls(float(data["ts"]), who, {k: float(v) for k, v in data["counters"].items()})


@dataclass
class CallContext:
    who: Attribution
    scenario: ev.Scenario
    started: float | None = None
    ended: float | None = None
    transferred: bool = False
    dispositioned: bool = False
    promised: bool = False
    late_disclosure: bool = False
    # The call's latest event time: alerts carry none, so they are placed at it.
    last_at: float = 0.0


@dataclass
class ShownSuggestion:
    who: Attribution
    decided_at: float
    acted: bool = False


class IndicatorEngine:
    """Turns events into increments. One instance per consumer; not thread-safe."""

    def __init__(self, obligation_ids: set[str], max_calls: int = 50_000) -> None:
        self.obligation_ids = obligation_ids
        self.max_calls = max_calls
        self._calls: OrderedDict[str, CallContext] = OrderedDict()
        self._shown: OrderedDict[tuple[str, str, int], ShownSuggestion] = OrderedDict()

    def _remember(self, memory: OrderedDict, key: object, value: object) -> None:
        memory[key] = value
        if len(memory) > self.max_calls:
            memory.popitem(last=False)

    def _context(self, event: ev.CallEvent) -> CallContext:
        key = call_key(event.tenant, event.call_id)  # tenants choose call ids: two may share one
        context = self._calls.get(key)
        if context is None:
            who = Attribution.of(call_ref(event))
            context = CallContext(who, event.scenario)
            self._remember(self._calls, key, context)
        return context

    def observe_event(self, event: ev.CallEvent) -> Increment | None:
        context = self._context(event)
        at = seconds(event.ts)
        context.last_at = max(context.last_at, at)
        if event.type == ev.EVENT_TYPE_CALL_STARTED:
            context.started = at
        elif event.type == ev.EVENT_TYPE_TRANSFER:
            context.transferred = True
        elif event.type == ev.EVENT_TYPE_CALL_ENDED and context.ended is None:
            context.ended = at
            return Increment(at, context.who, self._ended(context, at))
        elif event.type == ev.EVENT_TYPE_DISPOSITION:
            counters = self._disposition(context, event.text.strip(), at)
            return Increment(at, context.who, counters) if counters else None
        return None

    def _ended(self, context: CallContext, at: float) -> dict[str, float]:
        counters = {"calls": 1.0}
        if context.scenario in SCENARIO_COUNTER:
            counters[SCENARIO_COUNTER[context.scenario]] = 1.0
        if context.scenario == ev.SCENARIO_SERVICE:
            counters["service_handle_seconds"] = max(0.0, at - (context.started or at))
            if context.transferred:
                counters["service_transfers"] = 1.0
        return counters

    def _disposition(self, context: CallContext, text: str, at: float) -> dict[str, float]:
        code, _, rest = text.partition(" ")
        if code in PROMISE_OUTCOMES:  # the outcome arrives later, often days after the call
            if not context.promised:
                return {}
            context.promised = False
            return {"promises_resolved": 1.0, "promises_kept": 1.0 if PROMISE_OUTCOMES[code] else 0.0}
        if context.dispositioned:
            return {}
        context.dispositioned = True
        counters: dict[str, float] = {}
        if context.scenario == ev.SCENARIO_SALES and code in APPLIED:
            counters["applications"] = 1.0
            amount = AMOUNT.search(rest)
            if amount:
                counters["application_amount"] = float(amount.group())
            if code == LOAN_BOOKED:
                counters["loans_booked"] = 1.0
        elif context.scenario == ev.SCENARIO_SERVICE:
            counters["service_dispositioned"] = 1.0
            if context.ended is not None:
                counters["service_acw_seconds"] = max(0.0, at - context.ended)
            if code == RESOLVED and not context.transferred:
                counters["service_resolved_first_contact"] = 1.0
        elif context.scenario == ev.SCENARIO_COLLECTIONS and code not in NO_RIGHT_PARTY:
            counters["right_party_contacts"] = 1.0
            if code == PROMISE_TO_PAY:
                context.promised = True
                counters["promises"] = 1.0
        return counters

    def observe_alert(self, alert: cp.Alert, received_at: float) -> Increment | None:
        """Placed at the call's latest event time (the wall clock `received_at` for an unknown call)."""
        context = self._calls.get(ref_key(alert.call))
        at = context.last_at if context and context.last_at else received_at
        who = context.who if context else Attribution.of(alert.call)
        late = [r for r in alert.rule_ids if r in self.obligation_ids]
        violations = len(alert.rule_ids) - len(late)
        counters = {"violations": float(violations)} if violations else {}
        if late and context is not None and not context.late_disclosure:
            context.late_disclosure = True
            counters["calls_disclosure_late"] = 1.0
        return Increment(at, who, counters) if counters else None

    def observe_suggestion(self, steered: cp.SteeredSuggestion) -> Increment | None:
        call = steered.call
        # A draft shown in parts counts once, when its first card is shown (the time to act runs from then),
        # whatever its whole draft's verdict.
        if steered.compliance.verdict not in SHOWN_VERDICTS or (steered.draft.part > 1
                                                                and ref_identity(call) in self._shown):
            return None
        context = self._calls.get(ref_key(call))
        who = context.who if context else Attribution.of(call)
        decided = seconds(steered.compliance.decided_at)
        self._remember(self._shown, ref_identity(call), ShownSuggestion(who, decided))
        # windows run on the call's event time (a replayed call's suggestions are decided now)
        at = context.last_at if context and context.last_at else decided
        return Increment(at, who, {"suggestions_shown": 1.0})

    def observe_feedback(self, feedback: fb.Feedback) -> Increment:
        if feedback.action == fb.ACTION_UNSPECIFIED:
            raise ValueError("feedback needs an action (ACCEPTED, EDITED or DISMISSED)")
        shown = self._shown.get(ref_identity(feedback.call))
        if shown is None:
            raise LookupError("feedback on a suggestion that was not shown (or is no longer remembered)")
        if shown.acted:
            raise ValueError("feedback on this suggestion was already counted")
        shown.acted = True
        at = seconds(feedback.ts)
        name = fb.Action.Name(feedback.action).removeprefix("ACTION_").lower()
        counters = {f"suggestions_{name}": 1.0}
        if feedback.action in (fb.ACTION_ACCEPTED, fb.ACTION_EDITED):
            counters["suggestions_acted_timed"] = 1.0
            counters["accept_seconds"] = max(0.0, at - shown.decided_at)
        return Increment(at, shown.who, counters)


GroupKey = tuple[str, str, str, str]
"""(tenant, team_id, experiment_id, arm): the grain of a snapshot."""


def group_of(who: Attribution) -> GroupKey:
    return (who.tenant, who.team_id, who.experiment_id, who.arm)


class WindowStore(Protocol):
    """Sums of counters per group over tumbling windows of event time."""

    window_s: float

    def add(self, increment: Increment) -> None: ...

    def current(self) -> tuple[float, dict[GroupKey, dict[str, float]]]:
        """The start of the current window and its sums per group."""


@dataclass
class MemoryWindows:
    """Tumbling windows in memory (the embedded mode): keeps the last `keep` windows."""

    window_s: float = 3600.0
    keep: int = 24
    _windows: dict[float, dict[GroupKey, dict[str, float]]] = field(default_factory=dict)
    _latest: float = 0.0

    def add(self, increment: Increment) -> None:
        start = increment.ts - increment.ts % self.window_s
        sums = self._windows.setdefault(start, {}).setdefault(group_of(increment.who), {})
        for name, value in increment.counters.items():
            sums[name] = sums.get(name, 0.0) + value
        self._latest = max(self._latest, start)
        for old in [s for s in self._windows if s <= self._latest - self.keep * self.window_s]:
            del self._windows[old]

    def current(self) -> tuple[float, dict[GroupKey, dict[str, float]]]:
        return self._latest, self._windows.get(self._latest, {})


DIRECTIONS = {HIGHER: ind.DIRECTION_HIGHER_IS_BETTER, LOWER: ind.DIRECTION_LOWER_IS_BETTER}


def indicator_values(counters: dict[str, float]) -> list[ind.IndicatorValue]:
    values = []
    for indicator in INDICATORS:
        value = indicator.value(counters)
        values.append(ind.IndicatorValue(
            name=indicator.name, scenario=indicator.scenario, unit=indicator.unit,
            direction=DIRECTIONS[indicator.direction],
            value=value or 0.0, numerator=counters.get(indicator.numerator, 0.0),
            denominator=counters.get(indicator.denominator, 0.0), defined=value is not None,
        ))
    return values


def snapshots(store: WindowStore, tenant: str = "", team_id: str = "") -> list[ind.IndicatorSnapshot]:
    """The current window's indicators per (tenant, team, experiment, arm), optionally filtered."""
    start, groups = store.current()
    found = []
    for (group_tenant, team, experiment, arm), counters in sorted(groups.items()):
        if (tenant and tenant != group_tenant) or (team_id and team_id != team):
            continue
        snapshot = ind.IndicatorSnapshot(tenant=group_tenant, team_id=team, experiment_id=experiment, arm=arm,
                                         values=indicator_values(counters))
        snapshot.window_start.FromNanoseconds(int(start * 1e9))
        snapshot.window_end.FromNanoseconds(int((start + store.window_s) * 1e9))
        found.append(snapshot)
    return found
