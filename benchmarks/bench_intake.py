"""Intake: redaction quality on the labelled PII set, and events/s per core through the intake service
(its own process, real Kafka, redaction on) from the call-events topic and from a platform topic."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
from kafka import KafkaConsumer, KafkaProducer
from seatcopilot import codec
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.paths import PROJECT_ROOT
from seatcopilot.topics import CALL_EVENTS, PLATFORM_AMAZON_CONNECT, TRANSCRIPT
from seatcopilot.transport.kafka_security import client_options

from benchmarks.pii_eval import LABELLED, evaluate, load
from benchmarks.table import Table, summary_ms
from seatcopilot_cli.topics import create_topics
from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage

NEEDS: tuple[str, ...] = ("kafka",)
ROOT = PROJECT_ROOT
EVENTS_PER_CALL = 20
PACED_RATE = 50  # events per second: a floor of calls, well under capacity, for latency without queueing
OPERATOR_LINES = ["Thanks, can you confirm that for me?", "Let me pull up your account.",
                  "What's the best number to reach you?", "And your date of birth?", "Got it, one moment please."]


def quality_tables() -> list[Table]:
    rows = load()
    result = evaluate(rows)
    by_kind = Table(f"Redaction on the labelled PII set ({len(rows)} utterances, {result.total.gold} labelled values)",
                    ["kind", "labelled", "recall", "kind exact", "found", "precision"])
    for kind, tally in sorted(result.by_kind.items()):
        by_kind.rows.append([kind, tally.gold, tally.recall, tally.kind_ok / tally.gold if tally.gold else float("nan"),
                             tally.found, tally.precision])
    total = result.total
    by_kind.rows.append(["all", total.gold, total.recall, total.kind_ok / total.gold, total.found, total.precision])
    by_kind.note = ("recall: every letter/digit of a labelled value masked (any kind); kind exact: masked as its "
                    "own kind; precision: findings that overlap a labelled value. Utterances are read alone, without "
                    f"the call context intake adds. Set: {LABELLED.relative_to(ROOT)} (scripts/build_pii_set.py).")
    by_group = Table("Redaction by source and form", ["source form", "labelled", "recall", "found", "precision"])
    for group, tally in sorted(result.by_group.items()):
        by_group.rows.append([group, tally.gold, tally.recall, tally.found, tally.precision])
    by_group.note = ("dstc11: people's written utterances (DSTC11, CDLA-Permissive-2.0), labelled by hand; generated: "
                     "templates with fictional values, spoken forms as ASR writes them. Both were looked at while the "
                     "detectors were written, so these are development-set figures.")
    return [by_kind, by_group]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_intake(bootstrap: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "SEATCOPILOT_TRANSPORT": "kafka", "KAFKA_BOOTSTRAP": bootstrap, "GRPC_PORT": str(port),
           "METRICS_PORT": "0", "INTAKE_HTTP_PORT": "0", "LOG_LEVEL": "WARNING", "OTEL_EXPORTER_OTLP_ENDPOINT": ""}
    process = subprocess.Popen([sys.executable, "-m", "services.intake"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    target = f"127.0.0.1:{port}"
    ready = subprocess.run([sys.executable, str(ROOT / "scripts" / "wait_services.py"), f"intake={target}",
                            "--timeout", "120"], capture_output=True)
    if ready.returncode != 0 or process.poll() is not None:
        process.kill()
        raise RuntimeError("intake did not start")
    return process, target


def _texts() -> list[str]:
    return [row["text"] for row in load() if row["pii"]]


def _contract_calls(calls: int, texts: list[str], rng: random.Random) -> list[list[ev.CallEvent]]:
    out = []
    for _ in range(calls):
        call_id = f"bench-{uuid.uuid4().hex[:12]}"
        events = [ev.CallEvent(call_id=call_id, seq=1, tenant="harbor", scenario=ev.SCENARIO_SERVICE,
                               type=ev.EVENT_TYPE_CALL_STARTED, speaker=ev.SPEAKER_OPERATOR, is_final=True)]
        for seq in range(2, EVENTS_PER_CALL):
            customer = seq % 2 == 1
            events.append(ev.CallEvent(call_id=call_id, seq=seq, tenant="harbor", scenario=ev.SCENARIO_SERVICE,
                                       type=ev.EVENT_TYPE_UTTERANCE, is_final=True,
                                       speaker=ev.SPEAKER_CUSTOMER if customer else ev.SPEAKER_OPERATOR,
                                       text=rng.choice(texts) if customer else rng.choice(OPERATOR_LINES)))
        events.append(ev.CallEvent(call_id=call_id, seq=EVENTS_PER_CALL, tenant="harbor",
                                   scenario=ev.SCENARIO_SERVICE, type=ev.EVENT_TYPE_CALL_ENDED,
                                   speaker=ev.SPEAKER_OPERATOR, is_final=True))
        out.append(events)
    return out


def _connect_calls(calls: int, texts: list[str], rng: random.Random) -> list[tuple[str, list[bytes]]]:
    """Contact Lens segment events, one final Transcript per SEGMENTS event."""
    out = []
    for _ in range(calls):
        contact = str(uuid.uuid4())
        common = {"Version": "1.0.0", "Channel": "VOICE", "AccountId": "123456789012", "ContactId": contact,
                  "InstanceId": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "LanguageCode": "en-US"}
        records = [{**common, "EventType": "STARTED"}]
        for index in range(EVENTS_PER_CALL - 2):
            role = "CUSTOMER" if index % 2 else "AGENT"
            text = rng.choice(texts) if role == "CUSTOMER" else rng.choice(OPERATOR_LINES)
            records.append({**common, "EventType": "SEGMENTS", "Segments": [{"Transcript": {
                "Id": str(uuid.uuid4()), "ParticipantId": role, "ParticipantRole": role, "Content": text,
                "BeginOffsetMillis": index * 4000, "EndOffsetMillis": index * 4000 + 3000, "Sentiment": "NEUTRAL"}}]})
        records.append({**common, "EventType": "COMPLETED"})
        out.append((contact, [json.dumps(r).encode() for r in records]))
    return out


def _drive(bootstrap: str, process: subprocess.Popen, send, expected: dict[str, int]) -> dict[str, float]:
    """Sends through `send(producer, sent)`, reads the transcript until every call is complete; returns figures.

    `sent[call_id]` collects each input's send time; the n-th transcript message of a call is the n-th input
    (nothing is merged or dropped in these calls), so latency is its append time minus that send time."""
    consumer = KafkaConsumer(TRANSCRIPT.name, bootstrap_servers=bootstrap, group_id=f"bench-{uuid.uuid4().hex[:8]}",
                             auto_offset_reset="latest", consumer_timeout_ms=200, **client_options())
    consumer.poll(timeout_ms=1000)  # join the group before sending
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=5, **client_options())
    cpu = psutil.Process(process.pid)
    cpu_before = sum(cpu.cpu_times()[:2])
    started = time.time()
    sent: dict[str, list[float]] = {key: [] for key in expected}
    send(producer, sent)
    producer.flush()
    remaining, latencies = dict(expected), []
    deadline = time.monotonic() + 600
    while remaining and time.monotonic() < deadline:
        for record in consumer:
            key = record.key.decode()
            if key in remaining:
                index = expected[key] - remaining[key]
                latencies.append(record.timestamp / 1000 - sent[key][index])
                remaining[key] -= 1
                if remaining[key] <= 0:
                    del remaining[key]
    wall = time.time() - started
    cpu_seconds = sum(cpu.cpu_times()[:2]) - cpu_before
    consumer.close()
    producer.close()
    events = sum(expected.values())
    return {"events": events, "wall": wall, "cpu": cpu_seconds, "lost": sum(remaining.values()),
            "latencies": latencies}


def throughput_table(bootstrap: str) -> Table:
    rng = random.Random(7)
    texts = _texts()
    events_total = int(os.environ.get("BENCH_INTAKE_EVENTS", "2000"))
    calls = max(1, events_total // EVENTS_PER_CALL)
    create_topics(bootstrap)
    process, _ = _start_intake(bootstrap)
    table = Table("Intake throughput on real Kafka (redaction on; intake its own process)",
                  ["source", "events", "wall s", "events/s", "intake CPU s", "events/s per core",
                   "p50 ms", "p95 ms", "lost"])
    try:
        warm = _contract_calls(1, texts, rng)
        _drive(bootstrap, process, _send_contract(warm), {warm[0][0].call_id: EVENTS_PER_CALL})
        contract = _contract_calls(calls, texts, rng)
        paced = _contract_calls(max(1, calls // 4), texts, rng)
        for name, send, expected, burst in (
            ("call-events (contract), burst", _send_contract(contract), {c[0].call_id: len(c) for c in contract},
             True),
            ("platform topic (Contact Lens), burst", *_connect(calls, texts, rng), True),
            (f"call-events, paced at {PACED_RATE} events/s", _send_contract(paced, PACED_RATE),
             {c[0].call_id: len(c) for c in paced}, False),
        ):
            figures = _drive(bootstrap, process, send, expected)
            p50, p95, _, _ = summary_ms([max(0.0, x) for x in figures["latencies"]])
            per_core = figures["events"] / max(figures["cpu"], 1e-9) if burst else "n/a"
            table.rows.append([name, figures["events"], figures["wall"], figures["events"] / figures["wall"],
                               figures["cpu"], per_core, p50, p95, figures["lost"]])
    finally:
        process.terminate()
        process.wait(timeout=60)
    table.note = (f"Bursts: {calls} calls x {EVENTS_PER_CALL} events sent at once, calls interleaved; customer lines "
                  "from the labelled PII set. events/s per core = events / intake process CPU seconds (user+system). "
                  "A paced run's CPU is mostly idle work (timers, health, Kafka heartbeats), so its per-core figure is "
                  "left out. Latency: send time to the transcript message's append time (a burst's includes queueing). "
                  "Each transcript publish waits for acks=all, one at a time, which bounds events/s below the CPU "
                  "figure. "
                  "Command: `make bench` (or `python -m benchmarks intake` with Kafka up and KAFKA_BOOTSTRAP set); "
                  "BENCH_INTAKE_EVENTS sets the burst size.")
    return table


def _send_contract(calls: list[list[ev.CallEvent]], rate: float = 0.0):
    """All at once (rate 0), or paced at `rate` events per second, calls interleaved like a floor of calls."""
    def send(producer: KafkaProducer, sent: dict[str, list[float]]) -> None:
        for round_ in range(max(len(c) for c in calls)):
            for events in calls:
                if round_ < len(events):
                    event = events[round_]
                    event.ts.GetCurrentTime()
                    sent.setdefault(event.call_id, []).append(time.time())
                    producer.send(CALL_EVENTS.name, key=event.call_id.encode(), value=codec.encode(event))
                    if rate:
                        time.sleep(1 / rate)
    return send


def _connect(calls: int, texts: list[str], rng: random.Random):
    generated = _connect_calls(calls, texts, rng)

    def send(producer: KafkaProducer, sent: dict[str, list[float]]) -> None:
        for round_ in range(EVENTS_PER_CALL):
            for contact, records in generated:
                sent[contact].append(time.time())
                producer.send(PLATFORM_AMAZON_CONNECT.name, key=contact.encode(), value=records[round_],
                              headers=[("seatcopilot-tenant", b"harbor")])
    return send, {contact: len(records) for contact, records in generated}


def in_process_table() -> Table:
    """The stage alone (no Kafka): what one core does with validation, assembly and redaction."""
    rng = random.Random(11)
    calls = _contract_calls(100, _texts(), rng)
    stage = IntakeStage(IntakeConfig(split_hold_s=0))
    events = [e for call in calls for e in call]
    started = time.process_time()
    for event in events:
        stage.accept(event)
    cpu = time.process_time() - started
    table = Table("Intake stage in process (no transport)", ["events", "CPU s", "events/s per core"])
    table.rows.append([len(events), cpu, len(events) / cpu])
    table.note = "IntakeStage.accept on the same kind of calls: validation, assembly, PII detection and masking."
    return table


def run(out: Path) -> list[Table]:
    bootstrap = os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    return [*quality_tables(), in_process_table(), throughput_table(bootstrap)]
