"""The impact report's calibration on simulated experiments: how often its 95% interval covers the
injected effect (and zero where none was injected), and how wide it is with and without the pre-period
adjustment, at the sample sizes docs/indicators.md states. Also the indicators engine's throughput."""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.table import Table
from seatcopilot_models.impact.report import analyse
from seatcopilot_models.impact.simulation import Simulation
from seatcopilot_models.impact.simulation import run as simulate

NEEDS: tuple[str, ...] = ()
INJECTED = {"sales.contact_to_application": 0.08, "service.handle_time": -40.0}
RUNS = int(os.environ.get("BENCH_IMPACT_RUNS", "20"))


def _intervals(effects: dict[str, float], seed: int, cuped: bool) -> dict[str, tuple[float, float]]:
    experiment, increments = simulate(Simulation(f"bench-{seed}", effects=effects, seed=seed))
    rows = analyse(experiment, increments, cuped=cuped, resamples=500)
    return {r.indicator.name: (r.overall.low, r.overall.high) for r in rows if r.indicator.name in INJECTED}


def run(out: Path) -> list[Table]:
    table = Table(f"Impact report calibration over {RUNS} simulated experiments per row (160 operators, "
                  "40 + 40 calls each, 95% bootstrap intervals)",
                  ["indicator", "injected", "adjustment", "covers the truth", "mean width"])
    for effects in (INJECTED, {}):
        for cuped in (True, False):
            covered = dict.fromkeys(INJECTED, 0)
            widths = dict.fromkeys(INJECTED, 0.0)
            for seed in range(RUNS):
                for name, (low, high) in _intervals(effects, 1000 + seed, cuped).items():
                    covered[name] += low <= effects.get(name, 0.0) <= high
                    widths[name] += (high - low) / RUNS
            for name in INJECTED:
                table.rows.append([name, effects.get(name, 0.0), "CUPED" if cuped else "none",
                                   f"{covered[name]}/{RUNS}", widths[name]])
    started = time.perf_counter()
    _, increments = simulate(Simulation("bench-throughput"))
    wall = time.perf_counter() - started
    table.note = (f"Simulating and counting 12,800 calls through the indicators engine: {wall:.2f} s "
                  f"({len(increments)} increments). Command: `python -m benchmarks impact` "
                  "(BENCH_IMPACT_RUNS sets the experiments per row).")
    return [table]
