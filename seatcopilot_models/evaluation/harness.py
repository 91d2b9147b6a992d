"""Runs suites against one model version and writes its report."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from seatcopilot_models.evaluation.generate import Generator
from seatcopilot_models.evaluation.report import write_report
from seatcopilot_models.evaluation.suites import RUNNERS, SUITES, task_score


def evaluate(name: str, model_dir: Path, data_dir: Path, suite: str, out: Path, *, limit: int = 0,
             judge: str = "local", judge_items: int = 0, safety_items: int = 0, replay_items: int = 0) -> dict:
    if suite not in SUITES:
        raise ValueError(f"unknown suite {suite!r}: one of {', '.join(SUITES)}")
    started = time.perf_counter()
    generator = Generator(model_dir)
    ctx: dict[str, Any] = {"data_dir": data_dir, "limit": limit, "judge": judge, "judge_items": judge_items,
           "safety_items": safety_items, "replay_items": replay_items, "samples": [], "review": []}
    results: dict = {level: RUNNERS[level](generator, ctx) for level in SUITES[suite]}
    results["task_score"] = task_score(results)
    report = {"model": name, "model_dir": str(model_dir), "data_version": data_dir.name, "suites": list(SUITES[suite]),
              "results": results, "seconds": time.perf_counter() - started}
    write_report(out / name, report, ctx["samples"], ctx["review"])
    return report
