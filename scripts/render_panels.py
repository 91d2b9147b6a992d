"""Renders dashboard panels from a live `make up` system: replays the bundled calls into the intake
topic, scrapes every service's /metrics each second, and draws what the Grafana overview shows
(messages per second by stage; end-to-end suggestion latency) to docs/images/.

    make up && .venv/bin/python scripts/render_panels.py && make down
"""

from __future__ import annotations

import argparse
import itertools
import os
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from kafka import KafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from seatcopilot import codec
from seatcopilot.config import local_metrics_base
from seatcopilot.topics import CALL_EVENTS
from seatcopilot.transport.kafka_security import client_options

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console")


def scrape(port: int) -> list:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=3).read().decode()
    return [s for family in text_string_to_metric_families(body) for s in family.samples]


def publish_call(producer: KafkaProducer, path: Path, speed: float) -> None:
    """One bundled call at conversational pace (its own gaps, divided by speed, at most 4 s)."""
    suffix, previous = uuid.uuid4().hex[:6], None
    for line in path.read_text().splitlines():
        event = codec.event_from_json_line(line)
        if previous is not None:
            gap = (event.ts.ToNanoseconds() - previous.ts.ToNanoseconds()) / 1e9
            time.sleep(min(max(gap / speed, 0.2), 4.0))
        previous = codec.event_from_json_line(line)
        event.call_id = f"{event.call_id}-{suffix}"
        producer.send(CALL_EVENTS.name, key=event.call_id.encode(), value=codec.encode(event))


def publish_calls(bootstrap: str, speed: float = 2.0) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", **client_options())
    calls = [threading.Thread(target=publish_call, args=(producer, path, speed))
             for path in sorted((ROOT / "data" / "calls").glob("*.jsonl"))]
    for call in calls:
        call.start()
    for call in calls:
        call.join()
    producer.flush()
    producer.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=150)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    args = parser.parse_args()
    base = local_metrics_base()
    ports = {name: base + i for i, name in enumerate(SERVICES, start=1)}
    publisher = threading.Thread(target=publish_calls, args=(os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),))
    publisher.start()
    series: dict[str, list[tuple[float, float]]] = {name: [] for name in SERVICES if name != "console"}
    latency_buckets: list = []
    started = time.time()
    while time.time() - started < args.seconds:
        now = time.time() - started
        for name in series:
            total = sum(s.value for s in scrape(ports[name]) if s.name == "seatcopilot_stage_messages_total")
            series[name].append((now, total))
        latency_buckets = [s for s in scrape(ports["console"])
                           if s.name == "seatcopilot_suggestion_latency_seconds_bucket"]
        time.sleep(1)
    publisher.join()

    args.out.mkdir(parents=True, exist_ok=True)
    plt.style.use("dark_background")
    figure, axis = plt.subplots(figsize=(9, 3.6))
    for name, points in series.items():
        rates = [(t2, (v2 - v1) / (t2 - t1)) for (t1, v1), (t2, v2) in itertools.pairwise(points)]
        smooth = []
        for index, (moment, _) in enumerate(rates):
            window = [rate for _, rate in rates[max(0, index - 5):index + 1]]
            smooth.append((moment, sum(window) / len(window)))
        axis.plot([t for t, _ in smooth], [r for _, r in smooth], label=name)
    axis.set_title("Messages consumed per second, by stage (make up, bundled calls)")
    axis.set_xlabel("seconds")
    axis.legend(loc="upper right", fontsize=8, ncols=3)
    figure.tight_layout()
    figure.savefig(args.out / "panel-stage-throughput.png", dpi=100)

    figure, axis = plt.subplots(figsize=(9, 3.2))
    buckets = sorted((float(s.labels["le"]), s.value) for s in latency_buckets)
    total = buckets[-1][1] if buckets else 0
    edges = [le for le, _ in buckets if le != float("inf")]
    counts = [c - p for (_, c), (_, p) in zip(buckets, [(0, 0), *buckets[:-1]], strict=False)][: len(edges)]
    axis.bar([str(e) for e in edges], counts, color="#73bf69")
    axis.set_title(f"End-to-end suggestion latency (intake → console), {int(total)} suggestions: count per bucket (s)")
    figure.tight_layout()
    figure.savefig(args.out / "panel-e2e-latency.png", dpi=100)
    print(f"wrote {args.out}/panel-stage-throughput.png and panel-e2e-latency.png ({int(total)} suggestions)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
