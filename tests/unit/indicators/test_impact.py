"""Validation by simulation: the impact report recovers an injected effect within its interval and
finds none where there is none, at the sample sizes docs/indicators.md states (160 operators, half
held out, 40 calls each before and during the experiment)."""

from pathlib import Path

import pytest

from seatcopilot_cli.main import main
from seatcopilot_models.impact.report import analyse
from seatcopilot_models.impact.simulation import Simulation, run
from services.indicators.definitions import BY_NAME

INJECTED = {"sales.contact_to_application": 0.08, "service.handle_time": -40.0,
            "compliance.violations_per_100_calls": 4.0}


def rows_by_name(rows):
    return {row.indicator.name: row for row in rows}


@pytest.fixture(scope="module")
def with_effect():
    experiment, increments = run(Simulation("validate-effect", effects=INJECTED))
    return rows_by_name(analyse(experiment, increments, cuped=True, resamples=1000))


@pytest.fixture(scope="module")
def without_effect():
    experiment, increments = run(Simulation("validate-null", seed=11))
    return rows_by_name(analyse(experiment, increments, cuped=True, resamples=1000))


@pytest.mark.parametrize("name", sorted(INJECTED))
def test_the_injected_effect_is_inside_the_interval_and_zero_is_not(with_effect, name):
    result = with_effect[name].overall
    assert result.low <= INJECTED[name] <= result.high
    assert result.excludes_zero


@pytest.mark.parametrize("name", sorted(INJECTED))
def test_no_effect_is_found_where_none_was_injected(without_effect, name):
    result = without_effect[name].overall
    assert result.low <= 0 <= result.high
    assert abs(result.treated - result.control) <= 3  # stratified: within one operator per tenure stratum


def test_a_compliance_regression_fails_the_guardrail_and_none_passes_it(with_effect, without_effect):
    assert with_effect["compliance.violations_per_100_calls"].guardrail == "fail"
    assert without_effect["compliance.violations_per_100_calls"].guardrail in ("ok", "watch")
    assert BY_NAME["compliance.violations_per_100_calls"].guardrail


def test_variance_reduction_narrows_the_interval():
    experiment, increments = run(Simulation("validate-cuped", effects={"service.handle_time": -40.0}, seed=3))
    plain = rows_by_name(analyse(experiment, increments, cuped=False, resamples=1000))["service.handle_time"]
    reduced = rows_by_name(analyse(experiment, increments, cuped=True, resamples=1000))["service.handle_time"]
    assert (reduced.overall.high - reduced.overall.low) < 0.7 * (plain.overall.high - plain.overall.low)
    assert set(reduced.by_band) == {"0-6m", "6-24m", "24m+"}


def test_the_report_command_writes_markdown_and_a_plot(tmp_path: Path, capsys):
    out = str(tmp_path / "exp")
    with pytest.raises(SystemExit) as simulated:
        main(["impact", "simulate", "--experiment", "cli-exp", "--operators", "40", "--calls", "10", "--out", out,
              "--effect", "sales.contact_to_application=0.1"])
    assert simulated.value.code == 0
    with pytest.raises(SystemExit) as reported:
        main(["impact", "report", "--experiment", "cli-exp", "--out", out, "--resamples", "200"])
    assert reported.value.code in (0, 1)  # 1 only when a guardrail fails
    report = (tmp_path / "exp" / "report.md").read_text()
    assert "sales.contact_to_application" in report and "tenure 0-6m" in report
    assert (tmp_path / "exp" / "effects.png").stat().st_size > 1000
    with pytest.raises(SystemExit) as wrong:
        main(["impact", "report", "--experiment", "other-exp", "--out", out])
    assert "cli-exp" in str(wrong.value.code)
