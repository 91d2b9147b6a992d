"""Open-loop load: final customer utterances at a fixed rate, whatever the system answers.

The closed replay (loadgen.plan) offers what its calls happen to say; here the offered rate is the knob.
Slot k of a run (at k / rate seconds) belongs to call k mod n_calls, which then sends its next events up to
and including its next owed utterance (a final customer utterance with words): every call keeps its own
order, and with many calls each one speaks only every n_calls / rate seconds, as people do. A call whose
bundled template is spent is replaced by a fresh call (a new call_id) in the same slot.

    python -m benchmarks.openloop --rates 25,50,100 --seconds 20      # needs `make up` (KAFKA_BOOTSTRAP)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from benchmarks import loadgen
from benchmarks.loadgen import LoadResult, Planned
from benchmarks.table import percentile

P99_LIMIT_MS = 100.0


def calls_for(rate: float, utterance_gap_s: float = 4.0) -> int:
    """Enough concurrent calls that each says one owed utterance every `utterance_gap_s` at this rate."""
    return max(1, round(rate * utterance_gap_s))


@dataclass
class _Cursor:
    """Where one slot's current call stands in its template."""

    index: int
    generation: int = 0
    position: int = 0


def _lead_up(template: list[ev.CallEvent], start: int) -> tuple[list[ev.CallEvent], int]:
    """The events from `start` up to and including the next owed utterance, and the position after it;
    ([], start) when the template has no owed utterance left."""
    for position in range(start, len(template)):
        if loadgen.expects_suggestion(template[position]):
            return template[start:position + 1], position + 1
    return [], start


def plan_at_rate(rate: float, duration_s: float, n_calls: int, run_id: str,
                 templates: list[list[ev.CallEvent]] | None = None) -> list[Planned]:
    """The run's events in sending order: floor(rate × duration_s) owed utterances at exactly 1/rate apart."""
    if rate <= 0 or n_calls < 1:
        raise ValueError("rate must be positive and n_calls at least 1")
    templates = templates or loadgen.bundled_calls()
    if not any(_lead_up(t, 0)[0] for t in templates):
        raise ValueError("no template has a final customer utterance")
    cursors = [_Cursor(index) for index in range(n_calls)]
    planned: list[Planned] = []
    for slot in range(int(rate * duration_s)):
        cursor = cursors[slot % n_calls]
        at_s = slot / rate
        for _ in range(len(templates) + 1):
            template = templates[(cursor.index + cursor.generation) % len(templates)]
            events, after = _lead_up(template, cursor.position)
            if events:
                break
            cursor.generation, cursor.position = cursor.generation + 1, 0  # spent: a fresh call takes the slot
        call_id = f"load-{run_id}-{cursor.index:04d}g{cursor.generation}"
        for event in events:
            copy = ev.CallEvent()
            copy.CopyFrom(event)
            copy.call_id = call_id
            planned.append(Planned(at_s, copy))
        cursor.position = after
    return planned


@dataclass(frozen=True)
class RateFigures:
    rate: float
    owed: int
    shown: int
    lost: int
    expired: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    offered_per_s: float  # what the publisher managed to send (owed utterances / send window)
    achieved_per_s: float  # shown suggestions / (last suggestion − first publish)

    def within(self, limit_ms: float = P99_LIMIT_MS) -> bool:
        """Every owed utterance shown, and the p99 under the limit (a lost one is an infinite latency)."""
        return self.owed > 0 and self.lost == 0 and self.expired == 0 and self.p99_ms < limit_ms


def figures(rate: float, result: LoadResult) -> RateFigures:
    lat = sorted(result.latencies())
    window = result.answered_window_s()
    return RateFigures(
        rate=rate, owed=len(result.sent_at), shown=len(lat), lost=len(result.lost()),
        expired=result.count({"EXPIRED"}), p50_ms=percentile(lat, 50) * 1000, p95_ms=percentile(lat, 95) * 1000,
        p99_ms=percentile(lat, 99) * 1000,
        offered_per_s=len(result.sent_at) / result.send_window_s if result.send_window_s else 0.0,
        achieved_per_s=len(lat) / window if lat and window == window and window > 0 else 0.0)


def knee(rows: Sequence[RateFigures], limit_ms: float = P99_LIMIT_MS) -> float | None:
    """The highest rate of the unbroken run of passing rates from the lowest up (a rate past the first
    failure that passes by luck is not the knee); None when the lowest rate already fails."""
    found = None
    for row in sorted(rows, key=lambda r: r.rate):
        if not row.within(limit_ms):
            break
        found = row.rate
    return found


def run_at_rate(bootstrap: str, rate: float, duration_s: float, drain_s: float, n_calls: int | None = None,
                run_id: str | None = None) -> LoadResult:
    """One open-loop run: publish on schedule, wait for the suggestions (or drain_s), end the calls."""
    loadgen.require_loopback(bootstrap)
    run_id = run_id or f"r{int(time.time()) % 100000:05d}{random.randrange(100):02d}"
    planned = plan_at_rate(rate, duration_s, n_calls or calls_for(rate), run_id)
    return loadgen.drive(bootstrap, planned, run_id, drain_s)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", default="25,50,100,200,400", help="owed utterances per second, comma-separated")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each rate is offered")
    parser.add_argument("--drain-s", type=float, default=30.0)
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args()
    rows = [figures(rate, run_at_rate(args.bootstrap, rate, args.seconds, args.drain_s))
            for rate in (float(r) for r in args.rates.split(",") if r.strip())]
    print(json.dumps({"rates": [row.__dict__ for row in rows], "knee_per_s": knee(rows)}, indent=2))


if __name__ == "__main__":
    main()
