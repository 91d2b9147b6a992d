"""The summarizer without a model: what keeping call state costs per event (decode, apply, encode,
table write), what a handover and a wrap-up cost to compose, how big a call's state gets (each
write is one changelog record), and the evaluation figures of the call-state narrative."""

from __future__ import annotations

import asyncio
import io
import time
from contextlib import redirect_stdout
from pathlib import Path

from seatcopilot.config import load
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.paths import PUBLIC_DATA_DIR, data_path
from seatcopilot.transport import InProcessTransport

from benchmarks.table import Table, summary_ms
from seatcopilot_models import summaries
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig

NEEDS: tuple[str, ...] = ()
CALLS = data_path("calls")
ROUNDS = 40


def _calls() -> list[list[ev.CallEvent]]:
    from seatcopilot import codec

    return [[codec.event_from_json_line(line) for line in path.read_text().splitlines() if line.strip()]
            for path in sorted(CALLS.glob("*.jsonl"))]


async def _measure() -> tuple[list[float], list[float], list[float], list[int]]:
    table = InProcessTransport().table("call-state")
    summarizer = summarizer_main.build(load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none"}), table)
    per_event, handovers, wrapups, state_bytes = [], [], [], []
    for round_no in range(ROUNDS):
        for call in _calls():
            for original in call:
                event = ev.CallEvent()
                event.CopyFrom(original)
                event.call_id = f"{original.call_id}-{round_no}"
                started = time.perf_counter()
                summary = await summarizer.on_event(event, "hardship")
                elapsed = time.perf_counter() - started
                if event.type == ev.EVENT_TYPE_TRANSFER:
                    handovers.append(elapsed)
                elif event.type == ev.EVENT_TYPE_CALL_ENDED:
                    wrapups.append(elapsed)
                else:
                    per_event.append(elapsed)
                if summary is None and event.type == ev.EVENT_TYPE_UTTERANCE:
                    state_bytes.append(len(table.get(event.call_id) or b""))
    return per_event, handovers, wrapups, state_bytes


def _evaluation_rows(out: Path) -> list[list[object]]:
    data = PUBLIC_DATA_DIR
    target = out / "summaries"
    with redirect_stdout(io.StringIO()):
        summaries.run_prepare(data, target)
    rows = []
    for name, limit in (("own_calls", 0), ("abcd_sample", 0), ("sgd_banks", 60)):
        path = target / f"{name}.jsonl"
        if not path.is_file() or not path.read_text().strip():
            rows.append([name, 0, "n/a", "n/a", "n/a", "n/a"])
            continue
        results, _ = asyncio.run(summaries.evaluate(path, "none", limit, True, None))
        total = summaries.mean(results)
        rows.append([name, len(results), total.rouge1, total.rouge2, total.rougeL, total.faithfulness])
    return rows


def run(out: Path) -> list[Table]:
    per_event, handovers, wrapups, state_bytes = asyncio.run(_measure())
    cost = Table("Summarizer without a model: call state and summaries (in-process table)",
                 ["operation", "count", "p50 ms", "p95 ms", "p99 ms", "mean ms"])
    for name, values in (("apply an event", per_event), ("handover (TRANSFER)", handovers),
                         ("wrap-up (CALL_ENDED)", wrapups)):
        cost.rows.append([name, len(values), *summary_ms(values)])
    cost.note = (f"{ROUNDS} rounds of the bundled calls. Call state after each utterance: mean "
                 f"{sum(state_bytes) / len(state_bytes):.0f} bytes, max {max(state_bytes)} bytes (one changelog "
                 f"record per event on Kafka). Command: `make bench` (or `python -m benchmarks summaries`).")
    evaluation = Table("Summary evaluation, call-state narrative (no model), classifier intents",
                       ["data", "dialogues", "ROUGE-1", "ROUGE-2", "ROUGE-L", "faithfulness"])
    evaluation.rows = _evaluation_rows(out)
    evaluation.note = ("References: own_calls and abcd_sample written for this project (data/summaries/"
                       "references.yaml); sgd_banks built from the dialogues' service calls (first 60 of 249). "
                       "Command: `seatcopilot summaries prepare` then `seatcopilot summaries evaluate --jsonl FILE`.")
    return [cost, evaluation]
