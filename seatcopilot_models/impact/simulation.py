"""A simulator of operators and calls with a known injected effect, for validating the impact report.

Operators differ in skill (their own rates, which persist from the pre-period into the experiment);
calls become the same events the pipeline carries (transcript lifecycle and dispositions, alerts,
steered suggestions, feedback) and go through the indicators engine, so the report is validated on
the code path the services run. Effects are additive on the treated arm in the experiment period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
from google.protobuf.message import Message
from seatcopilot.calls import call_ref
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.experiments import ARM_OFF, Design, Experiment, Operator

from services.indicators.logic import Increment, IndicatorEngine

# What an effect may be injected on (in the indicator's unit): the per-operator parameter it shifts, and
# the factor from the indicator's unit to the parameter's.
EFFECTS = {
    "sales.contact_to_application": ("p_apply", 1.0),
    "service.handle_time": ("handle_s", 1.0),
    "collections.promise_to_pay_rate": ("p_promise", 1.0),
    "compliance.violations_per_100_calls": ("violation_rate", 0.01),
}
TEAMS = (("team-sales-a", ev.SCENARIO_SALES), ("team-sales-b", ev.SCENARIO_SALES),
         ("team-service", ev.SCENARIO_SERVICE), ("team-collections", ev.SCENARIO_COLLECTIONS))
OBLIGATION = "RECORDING-NOTICE"
START = datetime(2026, 10, 1, tzinfo=UTC).timestamp()
DAY = 86_400.0


@dataclass
class Simulation:
    experiment_id: str
    operators: int = 160
    calls_per_period: int = 40
    effects: dict[str, float] = field(default_factory=dict)
    seed: int = 7
    holdout_share: float = 0.5
    period_days: int = 14

    def __post_init__(self) -> None:
        unknown = set(self.effects) - set(EFFECTS)
        if unknown:
            raise ValueError(f"effects can be injected on {sorted(EFFECTS)}, not {sorted(unknown)}")


def _skills(rng: np.random.Generator) -> dict[str, float]:
    return {"p_apply": float(rng.uniform(0.2, 0.45)), "handle_s": float(rng.normal(420, 60)),
            "p_promise": float(rng.uniform(0.3, 0.6)), "violation_rate": float(rng.uniform(0.02, 0.12)),
            "p_accept": float(rng.uniform(0.3, 0.6))}


class _Caller:
    """Plays one operator's calls into the engine."""

    def __init__(self, engine: IndicatorEngine, rng: np.random.Generator, experiment_id: str) -> None:
        self.engine = engine
        self.rng = rng
        self.experiment_id = experiment_id
        self.increments: list[Increment] = []
        self.calls = 0

    def _keep(self, increment: Increment | None) -> None:
        if increment is not None and increment.counters:
            self.increments.append(increment)

    def _event(self, operator: Operator, scenario: ev.Scenario, arm: str, at: float, kind: ev.EventType, text: str = ""
               ) -> ev.CallEvent:
        event = ev.CallEvent(call_id=f"sim-{self.calls}", tenant="sim", scenario=scenario, type=kind, text=text,
                             operator_id=operator.operator_id, team_id=operator.team_id,
                             experiment_id=self.experiment_id, arm=arm)
        event.ts.FromNanoseconds(int(at * 1e9))
        self._keep(self.engine.observe_event(event))
        return event

    def call(self, operator: Operator, scenario: ev.Scenario, arm: str, at: float, skill: dict[str, float]) -> None:
        self.calls += 1
        rng = self.rng
        call_started = self._event(operator, scenario, arm, at, ev.EVENT_TYPE_CALL_STARTED)
        if arm != ARM_OFF:
            self._suggestions(call_started, at, skill["p_accept"])
        for _ in range(rng.poisson(max(skill["violation_rate"], 0.0))):
            self._alert(call_started, "UDAAP-FALSE-URGENCY", at + 30)
        if rng.random() < 0.05:
            self._alert(call_started, OBLIGATION, at + 60)
        handle = max(30.0, rng.normal(skill["handle_s"], 90))
        transferred = scenario == ev.SCENARIO_SERVICE and rng.random() < 0.12
        if transferred:
            self._event(operator, scenario, arm, at + handle / 2, ev.EVENT_TYPE_TRANSFER)
        ended = at + handle
        self._event(operator, scenario, arm, ended, ev.EVENT_TYPE_CALL_ENDED)
        self._event(operator, scenario, arm, ended + rng.uniform(20, 90), ev.EVENT_TYPE_DISPOSITION,
                    self._disposition(scenario, skill))
        if scenario == ev.SCENARIO_COLLECTIONS:
            outcome = "PROMISE_KEPT" if rng.random() < 0.7 else "PROMISE_BROKEN"
            self._event(operator, scenario, arm, ended + 3 * DAY, ev.EVENT_TYPE_DISPOSITION, outcome)

    def _disposition(self, scenario: ev.Scenario, skill: dict[str, float]) -> str:
        rng = self.rng
        if scenario == ev.SCENARIO_SALES:
            if rng.random() >= skill["p_apply"]:
                return "NO_SALE"
            code = "LOAN_BOOKED" if rng.random() < 0.6 else "APPLICATION_SUBMITTED"
            return f"{code} {int(rng.uniform(2, 30)) * 1000}"
        if scenario == ev.SCENARIO_SERVICE:
            return "RESOLVED" if rng.random() < 0.75 else "UNRESOLVED"
        if rng.random() < 0.2:
            return "WRONG_PARTY"
        return "PROMISE_TO_PAY" if rng.random() < skill["p_promise"] else "NO_PROMISE"

    def _alert(self, call: ev.CallEvent, rule_id: str, at: float) -> None:
        ref = call_ref(call)
        ref.seq = 1
        alert = cp.Alert(call=ref, rule_ids=[rule_id])
        self._keep(self.engine.observe_alert(alert, at))

    def _suggestions(self, call: ev.CallEvent, at: float, p_accept: float) -> None:
        for seq in range(1, 1 + int(self.rng.integers(2, 5))):
            steered = cp.SteeredSuggestion(call=call_ref(call),
                                           compliance=cp.ComplianceVerdict(verdict=cp.VERDICT_PASS))
            steered.call.seq = seq
            _stamp(steered.compliance.decided_at, at + 20 * seq)
            self._keep(self.engine.observe_suggestion(steered))
            draw = self.rng.random()
            action = (fb.ACTION_ACCEPTED if draw < p_accept else
                      fb.ACTION_EDITED if draw < p_accept + 0.15 else fb.ACTION_DISMISSED)
            feedback = fb.Feedback(call=steered.call, action=action)  # as the console sends it: the call's tenant
            _stamp(feedback.ts, at + 20 * seq + self.rng.gamma(2.0, 2.0))
            self._keep(self.engine.observe_feedback(feedback))


def _stamp(field_: Message, at: float) -> None:
    field_.FromNanoseconds(int(at * 1e9))


def roster(simulation: Simulation, rng: np.random.Generator) -> list[Operator]:
    return [Operator(f"op-{i:04d}", TEAMS[i % len(TEAMS)][0], float(rng.choice([3, 12, 36]) + rng.uniform(0, 2)))
            for i in range(simulation.operators)]


def run(simulation: Simulation) -> tuple[Experiment, list[Increment]]:
    """The experiment (assignment) and every indicator increment of the pre-period and the experiment."""
    rng = np.random.default_rng(simulation.seed)
    starts = START + simulation.period_days * DAY
    design = Design(simulation.experiment_id, holdout_share=simulation.holdout_share,
                    starts_at=datetime.fromtimestamp(starts, UTC).isoformat())
    operators = roster(simulation, rng)
    experiment = Experiment.create(design, operators)
    caller = _Caller(IndicatorEngine({OBLIGATION}), rng, simulation.experiment_id)
    scenarios = dict(TEAMS)
    for operator in operators:
        skill = _skills(rng)
        treated_skill = dict(skill)
        for indicator, (name, factor) in EFFECTS.items():
            treated_skill[name] += factor * simulation.effects.get(indicator, 0.0)
        arm = experiment.arm(operator.operator_id)
        for period_start, exposed in ((START, False), (starts, True)):
            for at in np.sort(rng.uniform(0, simulation.period_days * DAY, simulation.calls_per_period)):
                current = treated_skill if exposed and arm != ARM_OFF else skill
                # before the experiment nobody had the copilot, and no arm was recorded
                caller.call(operator, scenarios[operator.team_id], arm if exposed else ARM_OFF,
                            period_start + float(at), current)
    return experiment, caller.increments
