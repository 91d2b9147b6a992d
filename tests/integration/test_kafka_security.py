"""Stages on a real Kafka 4 broker that takes SCRAM-SHA-512 over TLS only and enforces ACLs (scripts/infra.sh's
kafka-secure, on its own ports and state next to the suite's plaintext broker).

Generation, compliance and the console each log in as their own user with only the ACLs seatcopilot.kafka_acls
grants their role; a draft goes through compliance and the console shows the steered suggestion. A client with a
wrong password or none is refused at once, and a stage cannot write a topic its role does not own."""

import asyncio
import logging
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaClient
from aiokafka.errors import KafkaConnectionError
from seatcopilot import kafka_acls
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DRAFTS, SUGGESTIONS
from seatcopilot.transport.kafka import KafkaTransport
from seatcopilot.transport.kafka_security import KafkaSecurity, client_options, kafka_security

from seatcopilot_cli.topics import create_topics
from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.logic import ComplianceEngine
from services.compliance.main import STATE_TABLE
from services.console import kafka_adapter as console_adapter
from services.console.logic import ConsoleHub
from tests.helpers import ROOT, require_server
from tests.helpers.kafka import wait_for

pytestmark = pytest.mark.kafka

PORT = int(os.environ.get("KAFKA_SECURE_PORT", "19192"))
CONTROLLER_PORT = int(os.environ.get("KAFKA_SECURE_CONTROLLER_PORT", "19193"))
ROLES = ("generation", "compliance", "console")


class SecureBroker:
    def __init__(self, state: Path) -> None:
        self.state = state
        self.bootstrap = f"127.0.0.1:{PORT}"

    def security(self, user: str, **overrides: str) -> KafkaSecurity:
        environ = {"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": user,
                   "KAFKA_SASL_PASSWORD_FILE": str(self.state / "users" / f"{user}.password"),
                   "KAFKA_SSL_CAFILE": str(self.state / "tls" / "ca.crt"), **overrides}
        return kafka_security(environ)


def infra(action: str, state: Path) -> None:
    env = {**os.environ, "KAFKA_SECURE_PORT": str(PORT), "KAFKA_SECURE_CONTROLLER_PORT": str(CONTROLLER_PORT),
           "KAFKA_SECURE_DIR": str(state), "KAFKA_SECURE_USERS": " ".join(ROLES)}
    env.pop("KAFKA_SASL_PASSWORD", None)
    subprocess.run([str(ROOT / "scripts" / "infra.sh"), action, "kafka-secure"], env=env, check=True, timeout=240)


@pytest.fixture(scope="module")
def broker():
    require_server("SEATCOPILOT_KAFKA", "Kafka")
    state = ROOT / ".run" / "kafka-secure-test"
    infra("clean", state)
    try:
        infra("start", state)
        secure = SecureBroker(state)
        admin_security = secure.security("admin")
        create_topics(secure.bootstrap, security=admin_security)
        from kafka.admin import KafkaAdminClient

        admin = KafkaAdminClient(bootstrap_servers=secure.bootstrap, **client_options(admin_security))
        try:
            for role in ROLES:
                kafka_acls.apply(admin, role, f"User:{role}")
        finally:
            admin.close()
        yield secure
    finally:
        infra("clean", state)


def stage(broker: SecureBroker, role: str) -> KafkaTransport:
    return KafkaTransport(kafka_acls.group_of(role), broker.bootstrap, security=broker.security(role))


def test_a_draft_goes_through_compliance_to_the_console_with_each_stage_as_its_own_user(broker):
    call = f"call-sasl-{uuid.uuid4().hex[:8]}"

    async def scenario():
        hub = ConsoleHub()
        console, generation, compliance = stage(broker, "console"), stage(broker, "generation"), stage(
            broker, "compliance")
        console_adapter.attach(StageIO("console", console), hub)
        engine = ComplianceEngine(load_policies(), table=compliance.table(STATE_TABLE))  # a changelog, by prefix
        compliance_adapter.attach(StageIO("compliance", compliance), engine)
        started = []
        try:
            for bus in (console, compliance, generation):
                await asyncio.wait_for(bus.start(), 60)
                started.append(bus)
            draft = gen.SuggestionDraft(call=ev.CallRef(call_id=call, seq=1, tenant="harbor", scenario=1),
                                        text="Our APRs range from 8.99% to 29.99% based on a credit review.")
            draft.deadline.FromNanoseconds(int((time.time() + 120) * 1e9))
            await StageIO("generation", generation).publish(DRAFTS, call, draft)
            await wait_for(lambda: any(v["call_id"] == call for _, v in hub.since(0)))
        finally:
            for bus in reversed(started):
                await bus.stop()
        return [v for _, v in hub.since(0) if v["call_id"] == call]

    shown = asyncio.run(scenario())
    assert [(v["seq"], v["compliance"]["verdict"]) for v in shown] == [(1, "REWRITTEN")]


@pytest.mark.parametrize("overrides", [{"KAFKA_SASL_PASSWORD_FILE": "", "KAFKA_SASL_PASSWORD": "not-the-password"},
                                       {"KAFKA_SECURITY_PROTOCOL": "PLAINTEXT"}], ids=["wrong-password", "plaintext"])
def test_a_client_without_the_right_credentials_is_refused_at_once(broker, overrides, caplog):
    async def connect() -> None:
        client = AIOKafkaClient(bootstrap_servers=broker.bootstrap, request_timeout_ms=3000,
                                **client_options(broker.security("compliance", **overrides)))
        try:
            await asyncio.wait_for(client.bootstrap(), 10)
        finally:
            await client.close()

    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        asyncio.run(connect())
    assert time.monotonic() - started < 10  # refused, not timed out
    if "KAFKA_SASL_PASSWORD" in overrides:
        assert "SaslAuthenticationFailed" in caplog.text


def test_a_stage_cannot_write_a_topic_its_role_does_not_own(broker):
    """Generation may write drafts, never suggestions: only compliance publishes what the console shows."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import TopicAuthorizationFailedError

    async def forge() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap, request_timeout_ms=5000,
                                    **client_options(broker.security("generation")))
        await producer.start()
        try:
            await asyncio.wait_for(producer.send_and_wait(SUGGESTIONS.name, b"forged", key=b"call-x"), 15)
        finally:
            await producer.stop()

    with pytest.raises(TopicAuthorizationFailedError):
        asyncio.run(forge())
