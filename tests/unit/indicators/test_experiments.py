"""Experiment assignment: stratified, stable, frozen; intake records it on every event."""

from collections import Counter

import pytest
from seatcopilot.experiments import (
    ARM_OFF,
    UNASSIGNED,
    AssignmentChangeRefused,
    Design,
    Experiment,
    Operator,
    load_experiment,
    save,
    tenure_band,
)

from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from tests.helpers import make_event


def roster(n=120):
    return [Operator(f"op-{i}", f"team-{i % 3}", [2, 10, 40][(i // 3) % 3]) for i in range(n)]


def test_every_team_and_tenure_stratum_splits_in_the_design_proportions():
    design = Design("exp-1", ("on", "variant-b"), holdout_share=0.5)
    experiment = Experiment.create(design, roster())
    strata = Counter()
    for operator in roster():
        strata[(operator.team_id, tenure_band(operator.tenure_months), experiment.arm(operator.operator_id))] += 1
    for team in ("team-0", "team-1", "team-2"):
        for band in ("0-6m", "6-24m", "24m+"):
            assert abs(strata[(team, band, ARM_OFF)] - 6.5) <= 1.5  # 13 or 14 per stratum: half held out
            assert abs(strata[(team, band, "on")] - strata[(team, band, "variant-b")]) <= 1


def test_assignment_is_stable_and_new_operators_move_no_one():
    design = Design("exp-2", holdout_share=0.3)
    first, again = Experiment.create(design, roster()), Experiment.create(design, list(reversed(roster())))
    assert first.arms == again.arms
    before = dict(first.arms)
    added = first.add_operators(roster(130))
    assert len(added) == 10 and {k: first.arms[k] for k in before} == before
    assert first.arm("op-unknown") == UNASSIGNED
    assert Experiment.create(Design("exp-3", holdout_share=0.3), roster()).arms != first.arms


def test_changing_an_assignment_mid_experiment_is_refused(tmp_path):
    design = Design("exp-4")
    experiment = Experiment.create(design, roster(10))
    arm = experiment.arm("op-1")
    with pytest.raises(AssignmentChangeRefused):
        experiment.set_arm("op-1", "on" if arm == ARM_OFF else ARM_OFF)
    path = tmp_path / "experiment.json"
    save(experiment, path)
    assert load_experiment(path).arms == experiment.arms
    moved = load_experiment(path)
    moved.arms["op-1"] = "on" if arm == ARM_OFF else ARM_OFF
    with pytest.raises(AssignmentChangeRefused):
        save(moved, path)
    with pytest.raises(AssignmentChangeRefused):
        save(Experiment.create(Design("exp-4", holdout_share=0.2), roster(10)), path)
    with pytest.raises(ValueError):
        Design("exp-5", holdout_share=1.0)


def test_intake_stamps_the_experiment_and_arm_on_every_event(tmp_path):
    path = tmp_path / "experiment.json"
    experiment = Experiment.create(Design("exp-6"), [Operator("op-test", "team-test", 12)])
    save(experiment, path)
    intake = IntakeStage(IntakeConfig(experiment_path=path))
    events = intake.accept(make_event(seq=1, type_="CALL_STARTED", speaker="OPERATOR", text="")).ready
    events += intake.accept(make_event(seq=2, text="hi")).ready
    assert [(e.experiment_id, e.arm) for e in events] == [("exp-6", experiment.arm("op-test"))] * 2
    plain = IntakeStage(IntakeConfig()).accept(make_event(call_id="other", seq=1)).ready
    assert plain[0].experiment_id == "" and plain[0].arm == ""
