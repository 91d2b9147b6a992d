"""Experiment assignment: copilot on, off (the holdout) or a variant, per operator.

Stratified by team and tenure band, deterministic (a hash of the experiment id and the operator id
orders each stratum) and frozen once made: the assignment is written to a file, operators who join
later are added (and logged) without moving anyone, and changing an operator's arm is refused —
start a new experiment instead. Intake stamps the arm on every call event, so exposure is known
downstream; generation drafts nothing for the holdout.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ARM_ON = "on"
ARM_OFF = "off"
UNASSIGNED = "unassigned"
TENURE_BANDS = ((0, 6, "0-6m"), (6, 24, "6-24m"), (24, 10_000, "24m+"))


class AssignmentChangeRefused(ValueError):
    """An operator's arm cannot change within an experiment."""


def tenure_band(months: float) -> str:
    return next(name for low, high, name in TENURE_BANDS if low <= months < high)


@dataclass(frozen=True)
class Operator:
    operator_id: str
    team_id: str
    tenure_months: float


@dataclass(frozen=True)
class Design:
    experiment_id: str
    # Arms that get the copilot; "on" alone, or variants beside it.
    treatment_arms: tuple[str, ...] = (ARM_ON,)
    # The share of operators kept without the copilot (arm "off").
    holdout_share: float = 0.5
    # Calls before this instant are the pre-period (variance reduction); from it, the experiment.
    starts_at: str = ""

    def __post_init__(self) -> None:
        if not self.experiment_id:
            raise ValueError("experiment_id is required")
        if not 0 < self.holdout_share < 1:
            raise ValueError("holdout_share must be between 0 and 1")
        if not self.treatment_arms or ARM_OFF in self.treatment_arms:
            raise ValueError(f"treatment arms must be named and must not be {ARM_OFF!r}")


def _unit(*parts: str) -> float:
    """A stable number in [0, 1) from the parts."""
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _arm_at(design: Design, position: float) -> str:
    if position < design.holdout_share:
        return ARM_OFF
    share = (1 - design.holdout_share) / len(design.treatment_arms)
    index = min(int((position - design.holdout_share) / share), len(design.treatment_arms) - 1)
    return design.treatment_arms[index]


def stratified_assignment(design: Design, roster: list[Operator]) -> dict[str, str]:
    """Within each (team, tenure band) stratum, operators in hash order take evenly spaced positions
    on [0, 1) from a random start, so every stratum splits in the design's proportions."""
    strata: dict[tuple[str, str], list[Operator]] = defaultdict(list)
    for operator in roster:
        strata[(operator.team_id, tenure_band(operator.tenure_months))].append(operator)
    arms = {}
    for (team, band), members in strata.items():
        members.sort(key=lambda o: _unit(design.experiment_id, o.operator_id))
        start = _unit(design.experiment_id, team, band)
        for index, operator in enumerate(members):
            arms[operator.operator_id] = _arm_at(design, (start + index / len(members)) % 1.0)
    return arms


@dataclass
class Experiment:
    design: Design
    operators: dict[str, Operator] = field(default_factory=dict)
    arms: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, design: Design, roster: list[Operator]) -> Experiment:
        experiment = cls(design, {o.operator_id: o for o in roster}, stratified_assignment(design, roster))
        experiment.log.append(f"{_now()} created with {len(roster)} operators")
        return experiment

    def arm(self, operator_id: str) -> str:
        return self.arms.get(operator_id, UNASSIGNED)

    def add_operators(self, roster: list[Operator]) -> list[str]:
        """Operators not yet in the experiment join it (by hash: the strata already placed stay put)."""
        added = []
        for operator in roster:
            if operator.operator_id in self.arms:
                continue
            self.operators[operator.operator_id] = operator
            self.arms[operator.operator_id] = _arm_at(self.design, _unit(self.design.experiment_id,
                                                                         operator.operator_id))
            added.append(operator.operator_id)
        if added:
            self.log.append(f"{_now()} added {len(added)} operators")
        return added

    def set_arm(self, operator_id: str, arm: str) -> None:
        current = self.arms.get(operator_id)
        if current is not None and current != arm:
            raise AssignmentChangeRefused(
                f"operator already in arm {current!r} of {self.design.experiment_id}: start a new experiment "
                "to change assignments")
        self.arms[operator_id] = arm

    def to_json(self) -> str:
        return json.dumps({"design": {**asdict(self.design), "treatment_arms": list(self.design.treatment_arms)},
                           "operators": [asdict(o) for o in self.operators.values()],
                           "arms": self.arms, "log": self.log}, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Experiment:
        data = json.loads(text)
        design = Design(**{**data["design"], "treatment_arms": tuple(data["design"]["treatment_arms"])})
        return cls(design, {o["operator_id"]: Operator(**o) for o in data["operators"]}, dict(data["arms"]),
                   list(data["log"]))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def save(experiment: Experiment, path: Path) -> None:
    """Writes a new experiment; an existing file with different arms is refused (never overwritten)."""
    if path.exists():
        existing = Experiment.from_json(path.read_text())
        if existing.design != experiment.design:
            raise AssignmentChangeRefused(f"{path} holds another design of {existing.design.experiment_id}: "
                                          "use a new experiment id")
        for operator_id, arm in existing.arms.items():
            if experiment.arms.get(operator_id, arm) != arm:
                raise AssignmentChangeRefused(f"an assignment in {existing.design.experiment_id} would change: "
                                              "use a new experiment id")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(experiment.to_json() + "\n")


def load_experiment(path: Path) -> Experiment:
    return Experiment.from_json(path.read_text())
