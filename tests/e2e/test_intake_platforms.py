"""Every platform adapter's fixture replayed through `make up`'s topology (each adapter's webhook, a
platform topic, the gRPC stream) to the classification topic, with PII canaries that must appear
nowhere downstream of intake: not in any topic, service log line, metric label or span."""

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest
from kafka import KafkaConsumer, KafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from seatcopilot import codec
from seatcopilot.config import local_grpc_base, local_metrics_base
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.intake.v1 import intake_pb2_grpc
from seatcopilot.topics import (
    ALERTS,
    CLASSIFIED,
    DEAD_LETTER,
    DRAFTS,
    GROUNDED,
    SUGGESTIONS,
    SUMMARIES,
    TRANSCRIPT,
)

from seatcopilot_cli.intake import deliveries, headers_for, post
from services.intake.adapters import build_adapters
from services.intake.config import DEFAULT_TENANTS_FILE
from services.intake.tenants import load_tenants
from tests.helpers import ROOT
from tests.helpers.platforms import PLATFORMS, fresh_fixture, leaked

pytestmark = pytest.mark.e2e
DOWNSTREAM = [TRANSCRIPT, CLASSIFIED, GROUNDED, DRAFTS, SUGGESTIONS, ALERTS, SUMMARIES, DEAD_LETTER]
GRPC_BASE = local_grpc_base()
METRICS_BASE = local_metrics_base()
WEBHOOKS = f"http://127.0.0.1:{os.environ.get('INTAKE_HTTP_PORT', GRPC_BASE + 40)}/v1/webhooks"
SERVICES = ("intake", "classifier", "retrieval", "generation", "compliance", "summarizer", "console")


def send_webhooks(platform, lines):
    auth = load_tenants(DEFAULT_TENANTS_FILE).get("harbor").auth
    url = f"{WEBHOOKS}/{platform}/harbor?scenario=SERVICE"
    statuses = []
    for delivery in deliveries(platform, lines):
        statuses.append(post(url, delivery, headers_for(platform, delivery, auth, url))[0])
        time.sleep(0.05)
    return statuses


def send_topic(producer, platform, lines, call_id):
    topic = {a.platform: a.topic for a in build_adapters(300).values()}[platform]
    for line in lines:
        value, content_type = line.encode(), b"application/json"
        if platform == "twilio":
            value, content_type = urlencode(json.loads(line)).encode(), b"application/x-www-form-urlencoded"
        producer.send(topic.name, key=call_id.encode(), value=value,
                      headers=[("seatcopilot-tenant", b"harbor"), ("content-type", content_type)]).get(timeout=30)


def stream_grpc(lines, call_id, service_channel):
    events = []
    for line in lines:
        for data in (json.loads(line) if line.startswith("[") else [json.loads(line)]):
            events.append(codec.from_dict({**data, "tenant": "harbor"}, ev.CallEvent))
    with service_channel(1) as channel:  # intake: first in scripts/up.sh's SERVICES
        return intake_pb2_grpc.IntakeServiceStub(channel).StreamCallEvents(iter(events), timeout=60)


@pytest.fixture(scope="module")
def replayed(topology, span_collector, service_channel):
    calls = {}
    statuses = {}
    for platform in PLATFORMS:
        lines, call_id = fresh_fixture(platform)
        statuses[platform] = send_webhooks(platform, lines)
        calls[f"http:{platform}"] = call_id
    producer = KafkaProducer(bootstrap_servers=topology, acks="all")
    lines, call_id = fresh_fixture("amazon_connect")  # every platform topic: tests/integration/test_intake_kafka.py
    send_topic(producer, "amazon_connect", lines, call_id)
    calls["kafka:amazon_connect"] = call_id
    producer.close()
    lines, call_id = fresh_fixture("generic")
    stream = stream_grpc(lines, call_id, service_channel)
    calls["grpc:generic"] = call_id
    bad = send_bad_input()

    wanted = set(calls.values())
    seen = read_until(topology, wanted)
    time.sleep(2.0)  # spans are exported in batches every 0.5 s
    return {"calls": calls, "statuses": statuses, "stream": stream, "bad": bad, "seen": seen}


def send_bad_input():
    canary_body = b"my card is 4111 1111 1111 1111"
    generic = f"{WEBHOOKS}/generic/harbor"
    request = urllib.request.Request(generic, data=b"\xff\xfe" + canary_body, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        urllib.request.urlopen(request, timeout=10)
        unsigned = 200
    except urllib.error.HTTPError as error:
        unsigned = error.code
    return unsigned


def read_until(bootstrap, wanted, timeout=300):
    consumer = KafkaConsumer(*[t.name for t in DOWNSTREAM], bootstrap_servers=bootstrap,
                             group_id=f"e2e-intake-{uuid.uuid4().hex[:8]}", auto_offset_reset="earliest",
                             consumer_timeout_ms=1000)
    seen = {t.name: [] for t in DOWNSTREAM}
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for record in consumer:
                if record.topic == DEAD_LETTER.name or (record.key or b"").decode() in wanted:
                    seen[record.topic].append(record)
            if wanted <= classified_ends(seen) and wanted <= wrapped_up(seen):
                break
    finally:
        consumer.close()
    return seen


def classified_ends(seen):
    ended = set()
    for record in seen[CLASSIFIED.name]:
        event = codec.decode(record.value, cl.ClassifiedEvent).event
        if event.type == ev.EVENT_TYPE_CALL_ENDED:
            ended.add(event.call_id)
    return ended


def wrapped_up(seen):
    return {record.key.decode() for record in seen[SUMMARIES.name]}


def test_every_adapters_fixture_reaches_the_classification_topic(replayed):
    assert all(status == 200 for statuses in replayed["statuses"].values() for status in statuses), \
        replayed["statuses"]
    assert replayed["stream"].received > 0 and not replayed["stream"].rejected
    ended = classified_ends(replayed["seen"])
    for path, call_id in replayed["calls"].items():
        assert call_id in ended, path
        events = [codec.decode(r.value, cl.ClassifiedEvent).event for r in replayed["seen"][CLASSIFIED.name]
                  if r.key.decode() == call_id]
        assert events[0].type == ev.EVENT_TYPE_CALL_STARTED, path
        assert [e.seq for e in events] == sorted(e.seq for e in events), path
        assert any("[" in e.text for e in events), path  # something was redacted on every path


def test_no_canary_in_any_downstream_topic(replayed):
    for topic, records in replayed["seen"].items():
        assert leaked(b"".join(r.value for r in records)) == [], topic
    letters = [codec.decode(r.value, deadletter_pb2.DeadLetter) for r in replayed["seen"][DEAD_LETTER.name]]
    assert leaked(b"".join(d.payload + d.detail.encode() for d in letters)) == []
    assert replayed["bad"] == 401
    assert not any(b"4111 1111 1111 1111" in d.payload for d in letters)


def test_no_canary_in_any_service_log(replayed):
    logs = sorted((ROOT / ".run" / "services").glob("*.log"))
    assert {p.stem for p in logs} >= set(SERVICES)
    for path in logs:
        assert leaked(Path(path).read_bytes()) == [], path.name


def scrape(port, attempts=3):
    """A service's /metrics (retried: an endpoint on a loaded machine may drop a connection)."""
    for attempt in range(attempts):
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read()
        except (ConnectionError, urllib.error.URLError):
            if attempt == attempts - 1:
                raise
            time.sleep(1)
    return b""


def test_no_canary_in_any_metric_label(replayed):
    for index, service in enumerate(SERVICES, start=1):
        body = scrape(METRICS_BASE + index)
        assert leaked(body) == [], service
        labels = " ".join(value for family in text_string_to_metric_families(body.decode())
                          for sample in family.samples for value in sample.labels.values())
        assert leaked(labels.encode()) == [], service
    intake = scrape(METRICS_BASE + 1).decode()
    assert "seatcopilot_intake_redactions_total" in intake


def test_no_canary_in_any_span(replayed, span_collector):
    spans = span_collector.blob()
    assert b"seatcopilot-intake" in spans and b"intake webhook" in spans  # spans did arrive
    assert b"seatcopilot-classifier" in spans
    assert leaked(spans) == []
