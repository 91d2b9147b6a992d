"""End to end on `make up`'s topology: every service its own process on real Kafka, Neo4j and Triton.

A call is published to the intake topic the way a platform would; the test reads what the console
would read (suggestions, alerts, summaries) from Kafka. The topology fixture lives in conftest.py,
its helpers in tests/helpers/e2e.py.
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
from seatcopilot.config import local_grpc_base
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
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

from services.console.auth import Identity
from tests.helpers import ROOT, make_event
from tests.helpers.e2e import console_token, service_target

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
    read_until(lambda: len([s for s in kinds(SUGGESTIONS.name) if not s["partial"]]) >= 2)
    publish(call[5:])
    read_until(lambda: {s["kind"] for s in kinds(SUMMARIES.name)} >= {"handover_summary", "wrapup_summary"})
    producer.close()
    consumer.close()
    return seen


def test_customer_utterances_get_steered_suggestions(outputs):
    shown = [views.view_of(SUGGESTIONS.name, v) for v in outputs[SUGGESTIONS.name]]
    suggestions = [s for s in shown if not s["partial"]]  # the whole drafts; a model's may come in parts first
    assert sorted(s["seq"] for s in suggestions) == [3, 5]
    assert all(s["part"] < whole["part"] for s in shown for whole in suggestions if s["partial"] and
               s["seq"] == whole["seq"])
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
    console_metrics = int(os.environ.get("SEATCOPILOT_METRICS_BASE", "9460")) + 7
    body = urllib.request.urlopen(f"http://127.0.0.1:{console_metrics}/metrics", timeout=5).read().decode()
    latency = [s for family in text_string_to_metric_families(body) for s in family.samples
               if s.name == "seatcopilot_suggestion_latency_seconds_count"]
    assert latency and latency[0].value >= 2  # end to end, intake to console, for both suggestions
    console = f"http://127.0.0.1:{os.environ.get('CONSOLE_PORT', '8080')}/api/calls"
    token = console_token(Identity("e2e-admin", "harbor", "admin"))
    request = urllib.request.Request(console, headers={"Authorization": f"Bearer {token}"})
    calls = json.loads(urllib.request.urlopen(request, timeout=5).read())
    assert any(c["call_id"] == CALL for c in calls["calls"])


def test_indicators_count_the_call_in_prometheus_and_over_grpc(outputs, service_channel):
    from seatcopilot.contracts.indicators.v1 import indicators_pb2, indicators_pb2_grpc

    index = 8  # the indicators' place in scripts/up.sh's SERVICES
    metrics = int(os.environ.get("SEATCOPILOT_METRICS_BASE", "9460")) + index
    deadline, calls, values = time.monotonic() + 90, [], {}

    def counted():  # the call ended and the operator's threat (an alert, on its own topic) reached the window
        violations = values.get("compliance.violations_per_100_calls")
        return calls and violations is not None and violations.value > 0

    while time.monotonic() < deadline and not counted():
        body = urllib.request.urlopen(f"http://127.0.0.1:{metrics}/metrics", timeout=5).read().decode()
        families = list(text_string_to_metric_families(body))
        calls = [s for f in families for s in f.samples if s.name == "seatcopilot_indicator_events_total"
                 and s.labels["counter"] == "collections_calls" and s.labels["team"] == "team-test"]
        with service_channel(index) as channel:
            reply = indicators_pb2_grpc.IndicatorsServiceStub(channel).GetIndicators(
                indicators_pb2.GetIndicatorsRequest(team_id="team-test"), timeout=5)
        values = {v.name: v for s in reply.snapshots for v in s.values}
        time.sleep(1)
    assert calls and calls[0].value >= 1
    violations = values["compliance.violations_per_100_calls"]
    assert violations.defined and violations.value > 0  # the arrest threat
    failed = [s for f in families for s in f.samples if s.name == "seatcopilot_dead_letters_total"
              and s.labels["stage"] == "indicators"]
    assert not failed or all(s.value == 0 for s in failed)


def test_retrieval_grounds_on_the_neo4j_graph_with_provenance(outputs):
    grounded = [codec.decode(v, rt.GroundedEvent) for v in outputs[GROUNDED.name]]
    assert sorted(g.classified.event.seq for g in grounded) == [3, 5]
    answered = [g for g in grounded if not g.degraded]
    assert answered, [g.degraded_reason for g in grounded]
    for item in (i for g in answered for i in g.items):
        assert item.source and item.version and item.effective_date
        assert item.node_ids[0] == "Scenario:COLLECTIONS" and item.node_ids[-1] == f"Item:{item.id}"
    plan = next(g for g in answered if g.classified.event.seq == 5)
    assert {"policy.payment-arrangement", "script.collections.payment-arrangement",
            "script.collections.ptp-confirm"} & {i.id for i in plan.items}


def test_compliance_decisions_are_audited_and_the_chain_holds(outputs, topology):
    cli = str(ROOT / ".venv" / "bin" / "seatcopilot")
    env = {**os.environ, "COMPLIANCE_AUDIT_DIR": os.environ.get("COMPLIANCE_AUDIT_DIR", str(ROOT / ".run" / "audit")),
           "COMPLIANCE_AUDIT_KEY_FILE": os.environ.get("COMPLIANCE_AUDIT_KEY_FILE",
                                                       str(ROOT / ".run" / "keys" / "audit.key"))}
    shown = subprocess.run([cli, "compliance", "audit", "show", "--call", CALL], capture_output=True, text=True,
                           env=env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    records = [json.loads(line) for line in shown.stdout.splitlines()]
    assert {r["seq"] for r in records if r["kind"] == "draft"} >= {3, 5}
    assert any("FDCPA-THREAT-ARREST" in r["rule_ids"] for r in records if r["kind"] == "operator")
    assert CANARY_EMAIL not in shown.stdout and "arrested" not in shown.stdout
    verified = subprocess.run([cli, "compliance", "audit", "verify"], capture_output=True, text=True, env=env,
                              timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    anchored = verify_against_anchors(cli, env, topology)
    assert anchored.returncode == 0 and ", checked against 0 anchors" not in anchored.stdout, anchored.stdout
    run = ROOT / ".run"
    console = verify_against_anchors(cli, env, topology, "--log", "console-access", "--dir",
                                     os.environ.get("CONSOLE_AUDIT_DIR", str(run / "console-audit")), "--key-file",
                                     os.environ.get("CONSOLE_AUDIT_KEY_FILE", str(run / "keys" / "console-audit.key")))
    assert console.returncode == 0 and ", checked against 0 anchors" not in console.stdout, console.stdout


def verify_against_anchors(cli, env, bootstrap, *args):
    """`audit verify --anchors-from`, retried until the service's first anchor is there (every 10 s)."""
    deadline = time.monotonic() + 60
    while True:
        result = subprocess.run([cli, "compliance", "audit", "verify", "--anchors-from", bootstrap, *args],
                                capture_output=True, text=True, env=env, timeout=120)
        if ", checked against 0 anchors" not in result.stdout or time.monotonic() > deadline:
            return result
        time.sleep(2)


def test_an_accepted_wrapup_reaches_the_managers_report(outputs, topology):
    """The operator accepts the wrap-up in the console → feedback topic → summarizer → the team's manager
    report, with the operator's disposition, across processes."""
    from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

    wrapup = next(s for s in (views.view_of(SUMMARIES.name, v) for v in outputs[SUMMARIES.name])
                  if s["kind"] == "wrapup_summary")
    operator = Identity("e2e-operator", "harbor", "operator", "team-test", "op-test")
    token = console_token(operator)
    url = f"http://127.0.0.1:{os.environ.get('CONSOLE_PORT', '8080')}/api/calls/{CALL}/feedback"
    body = json.dumps({"seq": wrapup["seq"], "action": "accepted", "subject": "wrapup",
                       "disposition": wrapup["disposition"]}).encode()
    deadline, status = time.monotonic() + 60, 0
    while status != 201 and time.monotonic() < deadline:  # the console may still be reading the call
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
        try:
            status = urllib.request.urlopen(request, timeout=5).status
        except urllib.error.HTTPError as error:
            status = error.code
            time.sleep(1)
    assert status == 201
    consumer = KafkaConsumer(MANAGER_REPORTS.name, bootstrap_servers=topology, group_id=None,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    accepted, promises, deadline = 0, 0, time.monotonic() + 120
    while not accepted and time.monotonic() < deadline:
        for record in consumer:
            for team in codec.decode(record.value, sm.ManagerReport).teams:
                if team.id == "team-test" and team.wrapups_accepted:
                    accepted, promises = team.wrapups_accepted, team.promises_to_pay
    consumer.close()
    assert accepted >= 1 and promises >= 1


def test_every_service_takes_grpc_over_mutual_tls_only(topology, service_channel):
    """The topology runs as a cluster with grpcTls does: a client with the CA's certificate is answered, a
    plaintext client is not, and probes get health alone on the plaintext health port."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    base = local_grpc_base()
    for index in range(1, 9):
        with service_channel(index) as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, index
        with grpc.insecure_channel(service_target(index)) as plain, pytest.raises(grpc.RpcError) as refused:
            health_pb2_grpc.HealthStub(plain).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE, index
        with grpc.insecure_channel(f"127.0.0.1:{base + 20 + index}") as probe:
            reply = health_pb2_grpc.HealthStub(probe).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert reply.status == health_pb2.HealthCheckResponse.SERVING, index
