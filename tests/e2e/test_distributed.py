"""End to end on `make up`'s topology: every service its own process on real Kafka, Neo4j and Triton.

A call is published to the intake topic the way a platform would; the test reads what the console
would read (suggestions, alerts, summaries) from Kafka.
"""

import json
import os
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from prometheus_client.parser import text_string_to_metric_families
from seatcopilot import codec, views
from seatcopilot.topics import (
    ALERTS,
    CALL_EVENTS,
    CLASSIFIED,
    DRAFTS,
    GROUNDED,
    MANAGER_REPORTS,
    SUGGESTIONS,
    SUMMARIES,
    TRANSCRIPT,
)

from tests.conftest import ROOT, make_event, require_server

pytestmark = pytest.mark.e2e
CALL = f"call-e2e-{uuid.uuid4().hex[:6]}"
CANARY_EMAIL = "casey.canary@example.com"


def sample_call():
    lines = [
        ("CALL_STARTED", "OPERATOR", ""),
        ("UTTERANCE", "OPERATOR", "Hi, this is Dan with Harbor Lending, this call may be recorded. Is this Casey?"),
        ("UTTERANCE", "CUSTOMER", f"Yes this is Casey, my email is {CANARY_EMAIL}. I can't pay the full balance."),
        ("UTTERANCE", "OPERATOR", "If you don't pay we'll send someone to your work and you could be arrested."),
        ("UTTERANCE", "CUSTOMER", "Okay, can we set up a payment plan? I can pay $100 on Friday."),
        ("TRANSFER", "OPERATOR", ""),
        ("CALL_ENDED", "OPERATOR", ""),
    ]
    events = []
    for seq, (type_, speaker, text) in enumerate(lines, start=1):
        extra = {"transfer_to_role": "SUPERVISOR"} if type_ == "TRANSFER" else {}
        events.append(make_event(call_id=CALL, seq=seq, type_=type_, speaker=speaker, text=text,
                                 scenario="COLLECTIONS", **extra))
    return events


@pytest.fixture(scope="module")
def topology():
    servers = {"SEATCOPILOT_KAFKA": "Kafka", "SEATCOPILOT_NEO4J": "Neo4j", "SEATCOPILOT_TRITON": "Triton"}
    for name, what in servers.items():
        require_server(name, what)
    env = {**os.environ, "SUGGESTION_TTL_S": "300", "GENERATION_DEADLINE_S": "30"}
    cli = str(ROOT / ".venv" / "bin" / "seatcopilot")
    subprocess.run([cli, "topics", "create"], check=True, env=env, timeout=120)
    subprocess.run([cli, "kg", "load"], check=True, env=env, timeout=300)
    subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-start"], check=True, env=env, timeout=400)
    yield os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092")
    subprocess.run([str(ROOT / "scripts" / "up.sh"), "services-stop"], env=env, timeout=120)


@pytest.fixture(scope="module")
def outputs(topology):
    watched = [SUGGESTIONS.name, ALERTS.name, SUMMARIES.name, TRANSCRIPT.name, CLASSIFIED.name, GROUNDED.name,
               DRAFTS.name]
    consumer = KafkaConsumer(*watched, bootstrap_servers=topology, group_id=f"e2e-{uuid.uuid4().hex[:8]}",
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    producer = KafkaProducer(bootstrap_servers=topology, acks="all")
    seen: dict[str, list[bytes]] = {topic: [] for topic in watched}

    def publish(events):
        for event in events:
            producer.send(CALL_EVENTS.name, key=CALL.encode(), value=codec.encode(event)).get(timeout=30)
            time.sleep(0.2)

    def read_until(done, timeout=300):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done():
            for record in consumer:
                if record.key == CALL.encode():
                    seen[record.topic].append(record.value)

    def kinds(topic):
        return [views.view_of(topic, v) for v in seen[topic]]

    call = sample_call()
    # The conversation first; the operator transfers and hangs up only once the copilot has answered,
    # as on a real call (a suggestion for a call that has already ended is expired, never shown).
    publish(call[:5])
    read_until(lambda: len(kinds(SUGGESTIONS.name)) >= 2)
    publish(call[5:])
    read_until(lambda: {s["kind"] for s in kinds(SUMMARIES.name)} >= {"handover_summary", "wrapup_summary"})
    producer.close()
    consumer.close()
    return seen


def test_customer_utterances_get_steered_suggestions(outputs):
    suggestions = [views.view_of(SUGGESTIONS.name, v) for v in outputs[SUGGESTIONS.name]]
    assert sorted(s["seq"] for s in suggestions) == [3, 5]
    for suggestion in suggestions:
        assert suggestion["compliance"]["verdict"] in {"PASS", "REWRITTEN", "BLOCKED"}
        assert suggestion["backend"] in {"TRITON", "SCRIPTED"}
    # Collections call with no mini-Miranda yet: compliance puts the owed disclosure in front.
    assert any("FDCPA-MINI-MIRANDA" in s["compliance"]["rule_ids"] for s in suggestions)


def test_the_operator_threat_raises_alerts(outputs):
    alerts = [views.view_of(ALERTS.name, v) for v in outputs[ALERTS.name]]
    rules = {r for a in alerts for r in a["rule_ids"]}
    assert {"FDCPA-THREAT-ARREST", "FDCPA-MINI-MIRANDA"} <= rules
    assert all(a["severity"] in {"HIGH", "CRITICAL", "MEDIUM", "LOW"} for a in alerts)


def test_transfer_and_end_produce_summaries(outputs):
    summaries = {s["kind"]: s for s in (views.view_of(SUMMARIES.name, v) for v in outputs[SUMMARIES.name])}
    handover = summaries["handover_summary"]
    assert handover["target_role"] == "SUPERVISOR"
    assert "FDCPA-THREAT-ARREST" in handover["compliance_rule_ids"]
    assert any("$100" in c for c in handover["commitments"])
    assert summaries["wrapup_summary"]["disposition"] == "PROMISE_TO_PAY"


def test_no_pii_leaves_intake(outputs):
    for topic, payloads in outputs.items():
        for payload in payloads:
            assert CANARY_EMAIL.encode() not in payload, topic
    transcript = [codec.decode(v, type(make_event())) for v in outputs[TRANSCRIPT.name]]
    assert any("[EMAIL]" in e.text for e in transcript)


def test_services_export_metrics(outputs):
    intake_metrics = int(os.environ.get("SEATCOPILOT_METRICS_BASE", "9460")) + 1
    body = urllib.request.urlopen(f"http://127.0.0.1:{intake_metrics}/metrics", timeout=5).read().decode()
    samples = [s for family in text_string_to_metric_families(body) for s in family.samples
               if s.name == "seatcopilot_stage_messages_total"]
    assert any(s.labels["stage"] == "intake" and s.labels["outcome"] == "ok" and s.value >= 7 for s in samples)
    console = f"http://127.0.0.1:{os.environ.get('CONSOLE_PORT', '8080')}/api/calls"
    calls = json.loads(urllib.request.urlopen(console, timeout=5).read())
    assert any(c["call_id"] == CALL for c in calls["calls"])


def test_an_accepted_wrapup_reaches_the_managers_report(outputs, topology):
    """Console → wrap-up feedback topic → summarizer → the team's manager report, across processes."""
    from seatcopilot.summary.v1 import summary_pb2 as sm

    console = f"http://127.0.0.1:{os.environ.get('CONSOLE_PORT', '8080')}/api/wrapups/{CALL}/feedback"
    deadline, status = time.monotonic() + 60, 0
    while status != 202 and time.monotonic() < deadline:  # the console may still be reading the wrap-up
        request = urllib.request.Request(console, data=json.dumps({"action": "accept"}).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            status = urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as error:
            status = error.code
            time.sleep(1)
    assert status == 202
    consumer = KafkaConsumer(MANAGER_REPORTS.name, bootstrap_servers=topology, group_id=None,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    accepted, deadline = 0, time.monotonic() + 120
    while not accepted and time.monotonic() < deadline:
        for record in consumer:
            report = codec.decode(record.value, sm.ManagerReport)
            accepted = max([accepted, *(t.wrapups_accepted for t in report.teams if t.id == "team-test")])
    consumer.close()
    assert accepted >= 1
