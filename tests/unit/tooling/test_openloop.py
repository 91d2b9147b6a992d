"""The open-loop load generator's schedule and the knee of a rate sweep (no servers)."""

import itertools
from collections import defaultdict

import pytest

from benchmarks import loadgen, openloop
from benchmarks.openloop import RateFigures


def _owed(planned):
    return [p for p in planned if loadgen.expects_suggestion(p.event)]


def test_owed_utterances_leave_at_exactly_the_rate():
    planned = openloop.plan_at_rate(50, 4.0, 40, "r1")
    owed = _owed(planned)
    assert len(owed) == 200
    gaps = [b.at_s - a.at_s for a, b in itertools.pairwise(owed)]
    assert gaps == pytest.approx([1 / 50] * len(gaps))
    assert [p.at_s for p in planned] == sorted(p.at_s for p in planned)


def test_each_call_keeps_its_template_order_and_speaks_every_n_over_rate_seconds():
    planned = openloop.plan_at_rate(20, 10.0, 10, "r2")
    by_call = defaultdict(list)
    for item in planned:
        by_call[item.event.call_id].append(item)
    assert all(call.startswith("load-r2-") for call in by_call)
    for items in by_call.values():
        seqs = [p.event.seq for p in items]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
        assert items[0].event.type == loadgen.ev.EVENT_TYPE_CALL_STARTED  # a call starts at its beginning
        owed_times = [p.at_s for p in items if loadgen.expects_suggestion(p.event)]
        assert all(b - a == pytest.approx(10 / 20) for a, b in itertools.pairwise(owed_times))


def test_a_spent_call_is_replaced_by_a_fresh_one():
    templates = loadgen.bundled_calls()
    per_call = min(len(_owed([loadgen.Planned(0, e) for e in t])) for t in templates)
    planned = openloop.plan_at_rate(10, (per_call + 2) * 2 / 10, 2, "r3", templates=templates)
    calls = {p.event.call_id for p in planned}
    assert any(call.endswith("g1") for call in calls) and len(calls) > 2
    assert len(_owed(planned)) == (per_call + 2) * 2


def test_more_calls_at_a_higher_rate():
    assert openloop.calls_for(25) == 100 and openloop.calls_for(400) == 1600
    with pytest.raises(ValueError):
        openloop.plan_at_rate(0, 1.0, 1, "bad")


def _row(rate, p99_ms, lost=0, expired=0):
    return RateFigures(rate, 100, 100 - lost, lost, expired, p99_ms / 2, p99_ms, p99_ms, rate, rate)


def test_the_knee_is_the_last_rate_before_the_first_failure():
    rows = [_row(25, 40), _row(50, 60), _row(100, 99.9), _row(200, 180), _row(400, 95)]
    assert openloop.knee(rows) == 100
    assert openloop.knee(list(reversed(rows))) == 100  # order of the rows does not matter
    assert openloop.knee([_row(25, 40), _row(50, 20, lost=1)]) == 25  # an unanswered utterance fails a rate
    assert openloop.knee([_row(25, 40, expired=2)]) is None
    assert openloop.knee([_row(25, 100.0)]) is None  # strictly under the limit


def test_figures_of_a_result():
    result = loadgen.LoadResult()
    result.sent_at = {("c", 1): 10.0, ("c", 2): 10.5, ("c", 3): 11.0}
    result.send_window_s = 1.0
    result.suggestions[("c", 1)].append(loadgen.Seen(10.05, "PASS", "SCRIPTED"))
    result.suggestions[("c", 2)].append(loadgen.Seen(10.6, "PASS", "SCRIPTED"))
    row = openloop.figures(3.0, result)
    assert (row.owed, row.shown, row.lost) == (3, 2, 1) and not row.within()
    assert row.p99_ms == pytest.approx(100, abs=1) and row.offered_per_s == 3.0
    assert row.achieved_per_s == pytest.approx(2 / 0.6)


def test_the_bench_names_the_knee_and_how_far_the_target_is():
    from benchmarks import bench_load

    stages = {stage: {"wait_p50_ms": 1.0, "busy_p50_ms": 2.0, "wait_p99_ms": 30.0, "busy_p99_ms": 40.0}
              for stage, _ in bench_load.harness.UTTERANCE_PATH}
    cpu = {"classifier": 0.5, "kafka": 0.25}  # CPU seconds over the rate's run
    rates = [{**_row(rate, p99).__dict__, "calls": openloop.calls_for(rate), "stages": stages, "cpu_s": cpu}
             for rate, p99 in ((25, 30), (50, 70), (100, 150))]
    main, per_stage, per_stage_tail, per_process = bench_load._rate_tables(rates)
    text = main.render()
    assert "Knee" in text and "50/s" in text and "not reached (25% of it)" in text
    assert len(main.rows) == 3 and [r[-1] for r in main.rows] == ["yes", "yes", "no"]
    assert per_stage.rows[0][1:] == ["1/2"] * len(bench_load.harness.UTTERANCE_PATH)
    assert per_stage_tail.rows[0][1:] == ["30/40"] * len(bench_load.harness.UTTERANCE_PATH)
    owed = main.rows[0][2]
    assert per_process.columns == ["offered /s", "classifier", "kafka", "all"]
    assert per_process.rows[0][1:] == [f"{500 / owed:.1f}", f"{250 / owed:.1f}", f"{750 / owed:.1f}"]


def test_process_cpu_counts_the_work_done_between_two_readings():
    from benchmarks import harness

    class NoServices:
        def pid(self, service: str) -> None:
            return None

    cpu = harness.ProcessCpu(NoServices())  # type: ignore[arg-type]
    assert "load generator" in cpu.processes and not set(harness.SERVICES) & set(cpu.processes)
    before = cpu.read()
    sum(i * i for i in range(2_000_000))
    spent = harness.ProcessCpu.spent(before, cpu.read())
    assert spent["load generator"] > 0
    assert harness.ProcessCpu.spent({"gone": 3.0}, {}) == {"gone": 0.0}
