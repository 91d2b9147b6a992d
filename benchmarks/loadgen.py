"""Load generator: N concurrent calls at the bundled calls' own pacing, published to the intake topic of a
`make up` system, with a watcher that matches every final customer utterance to its steered suggestion.

Each simulated call replays one bundled call (data/calls, round robin) under its own call_id: the events keep
their order and the gaps between their timestamps (utterance lengths and pauses), the calls start at random
offsets within a stagger window, and each is cut after `max_call_s` of call time (bounded in count and
time). Optionally one customer utterance per call carries PII canaries, which must never leave intake.
Loopback only: it refuses a Kafka that is not on this machine.

    python -m benchmarks.loadgen --calls 10 --max-call-s 30      # needs `make up` (KAFKA_BOOTSTRAP)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from seatcopilot import codec, views
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.paths import data_path
from seatcopilot.topics import CALL_EVENTS, DEAD_LETTER, DRAFTS, SUGGESTIONS
from seatcopilot.transport.kafka_security import client_options

from benchmarks.table import percentile

CALLS = data_path("calls")
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
SHOWN = {"PASS", "REWRITTEN", "BLOCKED"}
# Seeded PII: none of these strings may appear anywhere past intake (topics, logs, metrics, spans).
CANARY_EMAIL_DOMAIN = "canary-mail.example.com"
CANARY_CARD = "4929 3811 7702 5583"
CANARY_SSN = "536-22-8190"


def canaries(call_id: str) -> list[str]:
    digits = CANARY_CARD.replace(" ", "")
    return [f"{call_id}.owner@{CANARY_EMAIL_DOMAIN}", CANARY_EMAIL_DOMAIN, CANARY_CARD, digits, CANARY_SSN]


def canary_sentence(call_id: str) -> str:
    return (f" My email is {call_id}.owner@{CANARY_EMAIL_DOMAIN}, card {CANARY_CARD}, "
            f"social {CANARY_SSN}.")


@dataclass(frozen=True)
class Planned:
    at_s: float  # offset from the start of the run
    event: ev.CallEvent

    @property
    def key(self) -> tuple[str, int]:
        return (self.event.call_id, self.event.seq)


def expects_suggestion(event: ev.CallEvent) -> bool:
    """A final customer utterance with words: the pipeline owes it a steered suggestion."""
    return (event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == ev.SPEAKER_CUSTOMER and event.is_final
            and bool(event.text.strip()))


def bundled_calls(directory: Path = CALLS) -> list[list[ev.CallEvent]]:
    return [[codec.event_from_json_line(line) for line in path.read_text().splitlines() if line.strip()]
            for path in sorted(directory.glob("*.jsonl"))]


def _offsets(events: list[ev.CallEvent]) -> list[float]:
    times = [datetime.fromisoformat(e.ts.ToJsonString().replace("Z", "+00:00")).timestamp() for e in events]
    return [t - times[0] for t in times]


def plan(n_calls: int, max_call_s: float, run_id: str, stagger_s: float = 10.0, pace: float = 1.0,
         seed: int = 7, with_canaries: bool = False,
         templates: list[list[ev.CallEvent]] | None = None) -> list[Planned]:
    """The whole run's events in sending order. `pace` > 1 plays calls faster than they were spoken."""
    templates = templates or bundled_calls()
    rng = random.Random(seed)
    planned: list[Planned] = []
    for index in range(n_calls):
        template = templates[index % len(templates)]
        call_id = f"load-{run_id}-{index:04d}"
        start = rng.uniform(0, stagger_s) if n_calls > 1 else 0.0
        seeded = not with_canaries
        for event, offset in zip(template, _offsets(template), strict=True):
            if offset / pace > max_call_s:
                break
            copy = ev.CallEvent()
            copy.CopyFrom(event)
            copy.call_id = call_id
            if not seeded and expects_suggestion(copy):
                copy.text += canary_sentence(call_id)
                seeded = True
            planned.append(Planned(start + offset / pace, copy))
    planned.sort(key=lambda p: p.at_s)
    return planned


def endings(planned: list[Planned]) -> list[ev.CallEvent]:
    """A CALL_ENDED for every call cut short, numbered right after its last event (no gap for intake to wait on)."""
    last: dict[str, ev.CallEvent] = {}
    for item in planned:
        if item.key[0] not in last or item.event.seq > last[item.key[0]].seq:
            last[item.key[0]] = item.event
    ends = []
    for event in last.values():
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            continue
        end = ev.CallEvent()
        end.CopyFrom(event)
        end.seq, end.type, end.text, end.speaker = event.seq + 1, ev.EVENT_TYPE_CALL_ENDED, "", ev.SPEAKER_OPERATOR
        ends.append(end)
    return ends


def require_loopback(bootstrap: str) -> None:
    for server in bootstrap.split(","):
        host = server.rsplit(":", 1)[0].strip()
        if host not in LOOPBACK:
            raise SystemExit(f"the load generator publishes to this machine only, not to {server!r}")


@dataclass
class Seen:
    at_s: float  # the record's timestamp (the producer's clock: this machine)
    verdict: str
    backend: str
    part: int = 1  # a draft sent sentence by sentence: its parts come first (partial), the whole last
    partial: bool = False


@dataclass
class LoadResult:
    sent_at: dict[tuple[str, int], float] = field(default_factory=dict)  # expected key → publish time
    utterances_sent: int = 0
    events_sent: int = 0
    send_window_s: float = 0.0
    suggestions: dict[tuple[str, int], list[Seen]] = field(default_factory=lambda: defaultdict(list))
    dead_letters: Counter = field(default_factory=Counter)  # (stage, reason) → count

    def first(self, key: tuple[str, int]) -> Seen | None:
        seen = self.suggestions.get(key)
        return min(seen, key=lambda s: s.at_s) if seen else None

    def latencies(self) -> list[float]:
        """Seconds from publishing a final customer utterance to its first shown suggestion (a draft's first
        sentence, when it went out sentence by sentence)."""
        found = [(self.first(k), t) for k, t in self.sent_at.items()]
        return [s.at_s - t for s, t in found if s is not None and s.verdict in SHOWN]

    def count(self, verdicts: set[str]) -> int:
        return sum(1 for k in self.sent_at if (s := self.first(k)) is not None and s.verdict in verdicts)

    def answered(self, key: tuple[str, int]) -> bool:
        """Whether the utterance has its whole suggestion (parts of a draft alone do not answer it)."""
        return any(not s.partial for s in self.suggestions.get(key, []))

    def lost(self) -> list[tuple[str, int]]:
        return sorted(k for k in self.sent_at if not self.answered(k))

    def duplicated(self) -> int:
        """Suggestions seen a second time: a draft's later parts are not duplicates, the same part twice is."""
        return sum(len(v) - len({s.part for s in v}) for v in self.suggestions.values())

    def without_verdict(self) -> int:
        return sum(1 for v in self.suggestions.values() for s in v if s.verdict in {"", "VERDICT_UNSPECIFIED",
                                                                                     "UNSPECIFIED"})

    def scripted(self) -> int:
        return sum(1 for k in self.sent_at if (s := self.first(k)) is not None and s.verdict in SHOWN
                   and s.backend == "SCRIPTED")

    def answered_window_s(self) -> float:
        ends = [s.at_s for v in self.suggestions.values() for s in v]
        return (max(ends) - min(self.sent_at.values())) if ends and self.sent_at else float("nan")

    def summary(self) -> dict[str, object]:
        lat = sorted(self.latencies())
        return {"utterances_expected": len(self.sent_at), "events_sent": self.events_sent,
                "shown": len(lat), "expired": self.count({"EXPIRED"}), "lost": len(self.lost()),
                "duplicated": self.duplicated(), "without_verdict": self.without_verdict(),
                "scripted": self.scripted(), "p50_ms": percentile(lat, 50) * 1000,
                "p95_ms": percentile(lat, 95) * 1000, "p99_ms": percentile(lat, 99) * 1000,
                "utterances_per_s": self.utterances_sent / self.send_window_s if self.send_window_s else 0.0,
                "dead_letters": {f"{s}/{r}": n for (s, r), n in sorted(self.dead_letters.items())}}


class Watcher:
    """Reads the suggestions and dead-letter topics from their current end, in a thread."""

    def __init__(self, bootstrap: str, result: LoadResult, call_prefix: str) -> None:
        from kafka import KafkaConsumer, TopicPartition

        self.result, self.prefix = result, call_prefix.encode()
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                       consumer_timeout_ms=200, **client_options())
        parts = [TopicPartition(t, p) for t in (SUGGESTIONS.name, DEAD_LETTER.name)
                 for p in sorted(self._consumer.partitions_for_topic(t) or {0})]
        self._consumer.assign(parts)
        self._consumer.seek_to_end(*parts)
        for part in parts:  # resolve the end offsets now, before anything is published
            self._consumer.position(part)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                batches = self._consumer.poll(timeout_ms=200)
            except Exception:  # the broker restarting under a fault: keep polling until it is back
                time.sleep(0.5)
                continue
            with self._lock:
                for records in batches.values():
                    for record in records:
                        self._take(record)

    def _take(self, record) -> None:
        if record.topic == SUGGESTIONS.name:
            if not (record.key or b"").startswith(self.prefix):
                return
            view = views.view_of(SUGGESTIONS.name, record.value)
            seen = Seen(record.timestamp / 1000, view["compliance"]["verdict"], view["backend"], view["part"],
                        view["partial"])
            self.result.suggestions[(view["call_id"], int(view["seq"]))].append(seen)
        else:
            letter = codec.decode(record.value, deadletter_pb2.DeadLetter)
            self.result.dead_letters[(letter.stage, letter.reason)] += 1

    def wait(self, done, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self._lock:
                if done():
                    return True
            time.sleep(0.25)
        with self._lock:
            return done()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._consumer.close()


class Publisher:
    def __init__(self, bootstrap: str) -> None:
        from kafka import KafkaProducer

        require_loopback(bootstrap)
        self._producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=2, retries=20,
                                       max_in_flight_requests_per_connection=1, request_timeout_ms=30_000,
                                       **client_options())

    def send(self, event: ev.CallEvent) -> None:
        self._producer.send(CALL_EVENTS.name, key=event.call_id.encode(), value=codec.encode(event))

    def send_draft(self, draft: gen.SuggestionDraft) -> None:
        """A draft as generation would publish it (the fault suite's check that verdicts survive a fault)."""
        self._producer.send(DRAFTS.name, key=draft.call.call_id.encode(), value=codec.encode(draft))

    def send_raw(self, key: bytes, value: bytes) -> None:
        self._producer.send(CALL_EVENTS.name, key=key, value=value)

    def flush(self) -> None:
        self._producer.flush(timeout=60)

    def close(self) -> None:
        self._producer.close(timeout=30)


def publish(publisher: Publisher, planned: Iterable[Planned], result: LoadResult,
            stop: threading.Event | None = None) -> None:
    """Sends each event at its planned offset from now; records when each owed utterance was published."""
    started = time.time()
    for item in planned:
        if stop is not None and stop.is_set():
            break
        delay = started + item.at_s - time.time()
        if delay > 0:
            time.sleep(delay)
        publisher.send(item.event)
        result.events_sent += 1
        if item.event.type == ev.EVENT_TYPE_UTTERANCE and item.event.is_final:
            result.utterances_sent += 1
        if expects_suggestion(item.event):
            result.sent_at[item.key] = time.time()
    publisher.flush()
    result.send_window_s = max(1e-9, time.time() - started)


def run_load(bootstrap: str, n_calls: int, max_call_s: float, drain_s: float, run_id: str | None = None,
             stagger_s: float = 10.0, with_canaries: bool = False, end_calls: bool = True) -> LoadResult:
    """One bounded run: publish, wait until every owed utterance has a suggestion (or drain_s passed), end the
    calls."""
    require_loopback(bootstrap)
    run_id = run_id or f"{int(time.time()) % 100000:05d}{random.randrange(100):02d}"
    planned = plan(n_calls, max_call_s, run_id, stagger_s=stagger_s, with_canaries=with_canaries)
    return drive(bootstrap, planned, run_id, drain_s, end_calls)


def drive(bootstrap: str, planned: list[Planned], run_id: str, drain_s: float, end_calls: bool = True) -> LoadResult:
    """Publishes a planned load on schedule, waits until every owed utterance has a suggestion (or drain_s
    passed), then ends the calls; the closed-loop and the open-loop runs share it."""
    result = LoadResult()
    watcher = Watcher(bootstrap, result, f"load-{run_id}-")
    publisher = Publisher(bootstrap)
    try:
        publish(publisher, planned, result)
        watcher.wait(lambda: all(result.answered(k) for k in result.sent_at), drain_s)
        if end_calls:
            for end in endings(planned):
                publisher.send(end)
            publisher.flush()
        time.sleep(1.0)  # late duplicates, if any, are counted too
    finally:
        publisher.close()
        watcher.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=10)
    parser.add_argument("--max-call-s", type=float, default=30.0, help="call time replayed per call")
    parser.add_argument("--stagger-s", type=float, default=10.0, help="calls start at random within this window")
    parser.add_argument("--drain-s", type=float, default=60.0, help="longest wait for the last suggestions")
    parser.add_argument("--canaries", action="store_true", help="seed PII canaries in one utterance per call")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    args = parser.parse_args()
    result = run_load(args.bootstrap, args.calls, args.max_call_s, args.drain_s, stagger_s=args.stagger_s,
                      with_canaries=args.canaries)
    print(json.dumps(result.summary(), indent=2))


if __name__ == "__main__":
    main()
