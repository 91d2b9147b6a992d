"""What `make run` shows on this machine: the bundled calls replayed at conversational pace through the
embedded pipeline (as the demo does), and where each shown suggestion's wording came from — the answer
planner's, the local model's (it passed verification in time) or an approved script line chosen by retrieval
(the fallback, by reason). The README's "How it works" quotes this share."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from pathlib import Path

from seatcopilot import views
from seatcopilot.topics import SUGGESTIONS

from benchmarks.table import Table
from seatcopilot_cli.demo import load_calls, play_call
from seatcopilot_cli.embedded import EmbeddedPipeline

SPEED = float(os.environ.get("DEMO_BENCH_SPEED", "1.0"))  # 1.0 = the demo's own pace


async def shown_suggestions(speed: float) -> list[dict]:
    pipeline = EmbeddedPipeline()
    tap = pipeline.bus.tap(SUGGESTIONS.name)
    await pipeline.start()
    try:
        calls = load_calls()
        await asyncio.gather(*(play_call(pipeline, call, speed, 1, 1.5 * i) for i, call in enumerate(calls)))
        await pipeline.drain()
    finally:
        await pipeline.stop()
    shown = []
    while not tap.empty():
        view = views.view_of(SUGGESTIONS.name, tap.get_nowait().value)
        if view["compliance"]["verdict"] != "EXPIRED" and not view["partial"]:  # a draft's parts: its whole
            shown.append(view)
    return shown


def wording_source(view: dict) -> str:
    reason = view["fallback_reason"]
    if not reason:
        return "local model (passed verification in time)"
    if reason == "planned":
        return "answer planner (computed from the call's facts and the graph)"
    return f"approved script line chosen by retrieval ({reason})"


def run(out: Path) -> list[Table]:
    shown = asyncio.run(shown_suggestions(SPEED))
    counts = Counter(wording_source(v) for v in shown)
    total = max(1, len(shown))
    table = Table(f"make run on this machine — wording of the {len(shown)} suggestions shown "
                  f"(3 bundled calls, pace x{SPEED:g})", ["wording from", "suggestions", "share"])
    for source, count in counts.most_common():
        table.rows.append([source, count, f"{count / total:.0%}"])
    table.note = ("The planner's card is shown where it has a direct answer, next step or warning; elsewhere the "
                  "local model's wording is shown only when it passes the grounding checks before the generation "
                  "deadline, and otherwise the approved script line retrieval chose.")
    return [table]
