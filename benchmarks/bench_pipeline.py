"""The embedded pipeline's per-stage cost on the bundled calls, without the model (scripted
generation), so the figures are those of the non-generative path."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path

from prometheus_client import REGISTRY
from seatcopilot.paths import data_path

from benchmarks.table import Table
from seatcopilot_cli.replay import replay

NEEDS: tuple[str, ...] = ()
CALLS = data_path("calls")
STAGES = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer")


def _stage_totals() -> dict[str, tuple[float, float]]:
    totals = {}
    for stage in STAGES:
        count = REGISTRY.get_sample_value("seatcopilot_stage_processing_seconds_count", {"stage": stage}) or 0.0
        total = REGISTRY.get_sample_value("seatcopilot_stage_processing_seconds_sum", {"stage": stage}) or 0.0
        totals[stage] = (count, total)
    return totals


def run(out: Path) -> list[Table]:
    files = sorted(CALLS.glob("*.jsonl"))
    events = sum(1 for f in files for line in f.read_text().splitlines() if line.strip())
    asyncio.run(replay(files[0], True, io.StringIO(), io.StringIO(), {"GENERATION_BACKEND": "scripted"}))  # warm-up
    before = _stage_totals()
    started = time.perf_counter()
    for path in files:
        asyncio.run(replay(path, True, io.StringIO(), io.StringIO(), {"GENERATION_BACKEND": "scripted"}))
    wall = time.perf_counter() - started
    after = _stage_totals()
    table = Table("Embedded pipeline, non-generative path (scripted generation), bundled calls",
                  ["stage", "messages", "mean ms per message"])
    for stage in STAGES:
        count = after[stage][0] - before[stage][0]
        total = after[stage][1] - before[stage][1]
        table.rows.append([stage, int(count), (total / count * 1000) if count else float("nan")])
    table.note = (f"{events} call events in {wall:.2f} s wall including pipeline start-up per file "
                  f"({events / wall:.1f} events/s). Command: `make bench` (or `python -m benchmarks pipeline`).")
    return [table]
