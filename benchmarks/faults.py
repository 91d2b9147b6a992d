"""The fault suite (`make faults`): faults injected into `make up`'s topology while calls are in progress.

Each fault runs a few concurrent calls (benchmarks/loadgen.py, PII canaries seeded in every call), injects the
fault mid-call, lifts it, then publishes one small probe call every few seconds until one is answered (the
recovery time: from lifting the fault to that first suggestion), waits for every owed utterance, and counts:
utterances lost (no suggestion at all; must be 0), duplicated suggestions (a second suggestion for one
utterance; must be 0), suggestions without a verdict (must be 0), dead letters with their reasons. At the end
the seeded canaries are searched for in every topic past intake, the services' logs, their metrics, the spans
they exported and the compliance audit log: they must appear nowhere.

    python -m benchmarks.faults [--only NAME ...]   # Kafka, Neo4j and Triton up (scripts/run_faults.sh does it)
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from seatcopilot import codec
from seatcopilot.calls import call_ref
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.topics import ALL, CALL_EVENTS, PLATFORM_TOPICS
from seatcopilot.transport.kafka_security import client_options

from benchmarks import harness, loadgen
from benchmarks.table import Table

MODEL_REPOSITORY = harness.ROOT / "services" / "generation" / "model_repository"
PIPELINE = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console", "indicators")
MALFORMED = 10_000
CONTROL = "seeded: topic seatcopilot.call-events.v1 (before intake; the control)"
GATED_OPENING = "Hi, this is Sam from Harbor Lending, this call may be recorded. May I speak with Jordan?"
THIRD_PARTY = "I'm his wife, he's at work right now."
DEBT_MENTION = "He's behind on his loan payments and needs to call us back today."
GATED_DRAFT_SEQ = 90


@dataclass
class FaultReport:
    name: str
    result: loadgen.LoadResult
    recovery_s: float
    outage_s: float = 0.0  # from injecting the fault to lifting it (the hold, and a restarted service's start-up)
    note: str = ""
    extra_dead_letters: dict[str, int] = field(default_factory=dict)
    # The verdict on a draft that mentions the debt, in a call where a third party answered before the fault:
    # BLOCKED unless the fault made compliance forget who is on the line.
    gated_verdict: str = ""

    def failed(self) -> bool:
        r = self.result
        return (bool(r.lost() or r.duplicated() or r.without_verdict()) or self.recovery_s != self.recovery_s
                or self.gated_verdict != "BLOCKED")


def _script(*args: str) -> None:
    subprocess.run([str(harness.ROOT / "scripts" / args[0]), *args[1:]], check=True, timeout=400,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Suite:
    def __init__(self, bootstrap: str, topology: harness.Topology, call_s: float = 30.0, calls: int = 3) -> None:
        self.bootstrap, self.topology, self.call_s, self.calls = bootstrap, topology, call_s, calls
        self.templates = loadgen.bundled_calls()

    # ---- one fault ----------------------------------------------------------------------------------------
    def around(self, name: str, inject: Callable[[], None], lift: Callable[[], None], hold_s: float = 0.0,
               inject_after_s: float = 8.0, extra: Callable[[loadgen.Publisher, loadgen.LoadResult, str], str]
               | None = None) -> FaultReport:
        run_id = f"{name[:6]}{random.randrange(10**6):06d}".replace("-", "")
        planned = loadgen.plan(self.calls, self.call_s, run_id, stagger_s=3.0, with_canaries=True)
        result = loadgen.LoadResult()
        watcher = loadgen.Watcher(self.bootstrap, result, f"load-{run_id}-")
        publisher = loadgen.Publisher(self.bootstrap)
        sender = threading.Thread(target=loadgen.publish, args=(publisher, planned, result), daemon=True)
        gated = self._gated_call(run_id)
        note, gated_verdict = "", ""
        try:
            for event in gated:
                publisher.send(event)
            sender.start()
            time.sleep(inject_after_s)
            injected = time.time()
            inject()
            if extra is not None:
                note = extra(publisher, result, run_id)
            time.sleep(hold_s)
            lift()
            lifted = time.time()
            probes = self._probe(publisher, watcher, result, run_id)
            recovery = (min(s.at_s for k in probes if (s := result.first(k))) - lifted) if probes else float("nan")
            gated_verdict = self._gated_draft_verdict(publisher, watcher, result, gated[-1])
            sender.join(timeout=self.call_s + 120)
            watcher.wait(lambda: all(result.answered(k) for k in list(result.sent_at)), 180)
            for end in loadgen.endings(planned + [loadgen.Planned(0, e) for e in gated]
                                       + [loadgen.Planned(0, self._probe_event(run_id, i, 2))
                                          for i in range(len(probes))]):
                publisher.send(end)
            publisher.flush()
            time.sleep(3.0)  # a late duplicate is counted too
        finally:
            publisher.close()
            watcher.close()
        return FaultReport(name, result, recovery, lifted - injected, note, gated_verdict=gated_verdict)

    def _gated_call(self, run_id: str) -> list[ev.CallEvent]:
        """A collections call whose customer line says a third party answered (it gates the debt rules)."""
        template = next(t for t in self.templates if t[0].scenario == ev.SCENARIO_COLLECTIONS)
        utterance = next(e for e in template if e.type == ev.EVENT_TYPE_UTTERANCE)
        events = []
        for seq, (source, speaker, text) in enumerate([
                (template[0], template[0].speaker, template[0].text),
                (utterance, ev.SPEAKER_OPERATOR, GATED_OPENING), (utterance, ev.SPEAKER_CUSTOMER, THIRD_PARTY)],
                start=1):
            event = ev.CallEvent()
            event.CopyFrom(source)
            event.call_id, event.seq, event.speaker, event.text = f"load-{run_id}-gated", seq, speaker, text
            events.append(event)
        return events

    def _gated_draft_verdict(self, publisher: loadgen.Publisher, watcher: loadgen.Watcher,
                             result: loadgen.LoadResult, last: ev.CallEvent, timeout_s: float = 90.0) -> str:
        ref = call_ref(last)
        ref.seq = GATED_DRAFT_SEQ
        draft = gen.SuggestionDraft(call=ref, text=DEBT_MENTION)
        draft.deadline.FromNanoseconds(time.time_ns() + int(timeout_s * 1e9))
        publisher.send_draft(draft)
        key = (last.call_id, GATED_DRAFT_SEQ)
        watcher.wait(lambda: result.answered(key), timeout_s)
        seen = result.first(key)
        return seen.verdict.removeprefix("VERDICT_") if seen is not None else "none"

    def _probe_event(self, run_id: str, index: int, seq: int) -> ev.CallEvent:
        template = self.templates[0]
        source = template[0] if seq == 1 else next(e for e in template if loadgen.expects_suggestion(e))
        event = ev.CallEvent()
        event.CopyFrom(source)
        event.call_id, event.seq = f"load-{run_id}-probe{index:02d}", seq
        return event

    def _probe(self, publisher: loadgen.Publisher, watcher: loadgen.Watcher, result: loadgen.LoadResult,
               run_id: str, timeout_s: float = 240.0) -> list[tuple[str, int]]:
        """Small calls, one every 3 s, until one is answered: the pipeline serves again."""
        keys: list[tuple[str, int]] = []
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for seq in (1, 2):
                publisher.send(self._probe_event(run_id, len(keys), seq))
            publisher.flush()
            keys.append((f"load-{run_id}-probe{len(keys):02d}", 2))
            result.sent_at[keys[-1]] = time.time()
            if watcher.wait(lambda: any(result.answered(k) for k in keys), 3.0):
                return keys
        return keys

    # ---- the faults -----------------------------------------------------------------------------------------
    def kafka_restart(self) -> FaultReport:
        return self.around("kafka-broker-restart", lambda: _script("infra.sh", "stop", "kafka"),
                           lambda: _script("infra.sh", "start", "kafka"), hold_s=3.0)

    def sigkill(self, service: str) -> FaultReport:
        return self.around(f"sigkill-{service}", lambda: self.topology.kill(service, signal.SIGKILL),
                           self.topology.services_start)

    def neo4j_down(self) -> FaultReport:
        return self.around("neo4j-down", lambda: _script("infra.sh", "stop", "neo4j"),
                           lambda: _script("infra.sh", "start", "neo4j"), hold_s=10.0)

    def triton_down(self) -> FaultReport:
        return self.around("triton-down", lambda: _script("triton.sh", "stop", str(MODEL_REPOSITORY)),
                           lambda: _script("triton.sh", "start", str(MODEL_REPOSITORY)), hold_s=10.0)

    def compliance_down(self) -> FaultReport:
        return self.around("compliance-down", lambda: self.topology.kill("compliance", signal.SIGTERM),
                           self.topology.services_start, hold_s=10.0)

    def malformed(self, count: int = MALFORMED) -> FaultReport:
        def flood(publisher: loadgen.Publisher, result: loadgen.LoadResult, run_id: str) -> str:
            for index, payload in enumerate(malformed_payloads(count, self.templates[0][1])):
                publisher.send_raw(f"load-{run_id}-bad{index % 50:02d}".encode(), payload)
            publisher.flush()
            return f"{count} malformed events published"

        return self.around(f"{count}-malformed-events", lambda: None, lambda: None, extra=flood)

    def duplicated_and_reordered(self) -> FaultReport:
        def shuffled(publisher: loadgen.Publisher, result: loadgen.LoadResult, run_id: str) -> str:
            call = [e for e in self.templates[2] if e.type != ev.EVENT_TYPE_CALL_ENDED][:14]
            events = []
            for event in call:
                copy = ev.CallEvent()
                copy.CopyFrom(event)
                copy.call_id = f"load-{run_id}-dupes"
                events.append(copy)
            order = [e for pair in zip(events[1::2], events[0::2], strict=False) for e in pair]  # swapped pairs
            for event in order + order:  # every event twice; the second pass is a redelivery
                publisher.send(event)
                time.sleep(0.05)
            publisher.flush()
            for event in events:
                if loadgen.expects_suggestion(event):
                    result.sent_at[(event.call_id, event.seq)] = time.time()
            return f"{len(events)} events sent twice, adjacent pairs swapped"

        return self.around("duplicated-and-reordered-events", lambda: None, lambda: None, extra=shuffled)

    def all(self, only: list[str]) -> list[FaultReport]:
        faults: list[tuple[str, Callable[[], FaultReport]]] = [
            ("kafka", self.kafka_restart),
            *[(f"sigkill-{s}", lambda s=s: self.sigkill(s)) for s in PIPELINE],
            ("neo4j", self.neo4j_down), ("triton", self.triton_down), ("compliance", self.compliance_down),
            ("malformed", self.malformed), ("duplicates", self.duplicated_and_reordered),
        ]
        reports = []
        for name, fault in faults:
            if only and not any(o in name for o in only):
                continue
            started = time.monotonic()
            reports.append(fault())
            print(f"[faults] {name}: {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        return reports


def malformed_payloads(count: int, valid: ev.CallEvent, seed: int = 11) -> list[bytes]:
    """Bad input of several kinds: random bytes, truncated events, events that break the contract, JSON."""
    rng = random.Random(seed)
    good = codec.encode(valid)
    kinds: list[Callable[[int], bytes]] = [
        lambda i: rng.randbytes(rng.randrange(1, 200)),
        lambda i: _truncated(good, rng),
        lambda i: _broken(valid, call_id=""),
        lambda i: _broken(valid, seq=0),
        lambda i: _broken(valid, type=0),
        lambda i: b'{"call_id": "x", "seq": "not a number"}',
        lambda i: b"",
    ]
    return [kinds[i % len(kinds)](i) for i in range(count)]


def _truncated(good: bytes, rng: random.Random) -> bytes:
    """The event cut inside a field, so that it does not parse (a cut between fields would be a valid event)."""
    for _ in range(50):
        cut = good[: rng.randrange(1, len(good))]
        try:
            ev.CallEvent.FromString(cut)
        except Exception:  # DecodeError: what we want
            return cut
    return b"\x0a\x7f"  # field 1 promising 127 bytes that never come


def _broken(valid: ev.CallEvent, **fields: object) -> bytes:
    event = ev.CallEvent()
    event.CopyFrom(valid)
    for name, value in fields.items():
        setattr(event, name, value)
    return event.SerializeToString()


# ---- PII canaries ---------------------------------------------------------------------------------------------
def canary_strings() -> list[bytes]:
    return [c.encode() for c in loadgen.canaries("x")[1:]]  # the domain, the card (two forms), the SSN


def scan_for_canaries(bootstrap: str, collector: harness.SpanCollector) -> dict[str, int]:
    """Where a seeded canary appears past intake: topic, log, metrics, spans, audit."""
    needles = canary_strings()
    found: dict[str, int] = {}

    def look(place: str, blob: bytes) -> None:
        hits = sum(blob.count(n) for n in needles)
        if hits:
            found[place] = found.get(place, 0) + hits

    for topic, blob in _topics(bootstrap, downstream=True).items():
        look(f"topic {topic}", blob)
    # The control: the canaries are there before intake, so a zero above means redacted, not never sent.
    found[CONTROL] = sum(blob.count(n) for blob in _topics(bootstrap, downstream=False).values() for n in needles)
    for service, text in harness.Topology({}).logs().items():
        look(f"log {service}", text.encode())
    for service in PIPELINE:
        try:
            look(f"metrics {service}", urllib.request.urlopen(
                f"http://127.0.0.1:{harness.metrics_port(service)}/metrics", timeout=5).read())
        except OSError:
            found[f"metrics {service} (unreachable)"] = 0
    look("spans", collector.blob())
    audit = Path(os.environ.get("COMPLIANCE_AUDIT_DIR", harness.ROOT / ".run" / "audit"))
    for path in audit.rglob("*") if audit.exists() else []:
        if path.is_file():
            look("compliance audit log", path.read_bytes())
    return found


def leaks(found: dict[str, int]) -> dict[str, int]:
    return {place: n for place, n in found.items() if n and place != CONTROL}


def _topics(bootstrap: str, downstream: bool) -> dict[str, bytes]:
    """Every message of the topics past intake (downstream) or of the intake topic (the control)."""
    from kafka import KafkaConsumer, TopicPartition

    raw = {CALL_EVENTS.name, *(t.name for t in PLATFORM_TOPICS)}  # before intake: PII is expected there
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, **client_options())
    blobs: dict[str, bytes] = {}
    try:
        names = [t.name for t in ALL if t.name not in raw] if downstream else [CALL_EVENTS.name]
        if downstream:
            names += [t for t in consumer.topics() if t.startswith("seatcopilot") and "changelog" in t]
        for name in names:
            parts = [TopicPartition(name, p) for p in sorted(consumer.partitions_for_topic(name) or ())]
            if not parts:
                continue
            consumer.assign(parts)
            consumer.seek_to_beginning(*parts)
            ends = consumer.end_offsets(parts)
            chunks: list[bytes] = []
            deadline = time.monotonic() + 60
            while any(consumer.position(p) < ends[p] for p in parts) and time.monotonic() < deadline:
                for records in consumer.poll(timeout_ms=500).values():
                    chunks.extend((r.value or b"") + b"\n" + (r.key or b"") for r in records)
            blobs[name] = b"\n".join(chunks)
    finally:
        consumer.close()
    return blobs


# ---- the report ---------------------------------------------------------------------------------------------
def report(reports: list[FaultReport], canaries: dict[str, int]) -> list[Table]:
    table = Table("Faults injected mid-call on make up's topology (real Kafka, Neo4j, Triton)",
                  ["fault", "owed", "shown", "expired", "lost", "dup", "no verdict", "verdict after fault",
                   "outage s", "recovery s", "dead letters (stage/reason: count)", "result"])
    for r in reports:
        s = r.result.summary()
        letters = ", ".join(f"{k}: {v}" for k, v in s["dead_letters"].items()) or "none"
        table.rows.append([r.name, s["utterances_expected"], s["shown"], s["expired"], s["lost"], s["duplicated"],
                           s["without_verdict"], r.gated_verdict, r.outage_s, r.recovery_s,
                           letters + (f" ({r.note})" if r.note else ""),
                           "FAIL" if r.failed() else "ok"])
    table.note = ("owed = final customer utterances published (the calls' and the recovery probes'); lost = owed "
                  "with no suggestion at all (must be 0); dup = second suggestions for one utterance (must be 0); "
                  "no verdict = suggestions without a compliance verdict (must be 0); verdict after fault = "
                  "compliance's verdict, after the fault, on a draft that mentions the debt in a call where a third "
                  "party answered before it (must be BLOCKED: the call's state survived); expired = answered too late, "
                  "never shown (counted, not lost); outage = from injecting the fault to lifting it (the hold, or a "
                  "killed service's restart until it is SERVING); recovery = from lifting the fault to the first "
                  "answered probe (a new call's utterance).")
    leaks_table = Table("PII canaries seeded in the calls (topics past intake, logs, metrics, spans, audit log)",
                  ["where", "occurrences"], [[k, v] for k, v in sorted(canaries.items()) if v or k != CONTROL])
    if not leaks(canaries):
        leaks_table.rows.insert(0, ["anywhere past intake", 0])
    return [table, leaks_table]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", default=[], help="faults whose name contains any of these")
    parser.add_argument("--call-s", type=float, default=30.0, help="call time replayed per call")
    parser.add_argument("--calls", type=int, default=3, help="concurrent calls during each fault")
    parser.add_argument("--out", type=Path, default=harness.ROOT / "artifacts" / "faults")
    args = parser.parse_args()
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    loadgen.require_loopback(bootstrap)
    collector = harness.SpanCollector().start()
    topology = harness.Topology({"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{collector.port}",
                                 "OTEL_BSP_SCHEDULE_DELAY": "500", "CONSOLE_DEV_LOGIN": "false"})
    try:
        topology.start()
        reports = Suite(bootstrap, topology, args.call_s, args.calls).all(args.only)
        time.sleep(2.0)  # the last spans
        canaries = scan_for_canaries(bootstrap, collector)
    finally:
        topology.stop()
        collector.stop()
    tables = report(reports, canaries)
    text = f"# Seat Copilot fault suite — {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores\n\n"
    text += "\n".join(t.render() for t in tables)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "report.md").write_text(text)
    print(text)
    leaked = bool(leaks(canaries)) or not canaries.get(CONTROL)
    return 1 if leaked or any(r.failed() for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
