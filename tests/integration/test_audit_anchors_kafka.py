"""The audit's heads anchored outside the log, on a real Kafka 4 broker: compliance's segment head goes to
the compacted audit-anchors topic, `seatcopilot compliance audit verify --anchors-from` reads it back, and a
segment cut after its anchor (its chain still whole) is reported TAMPERED."""

import asyncio
import io
import uuid
from contextlib import redirect_stdout

import pytest
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from seatcopilot.audit_log import AuditLog, anchor_once, anchor_sink, load_or_create_key, verify
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import AUDIT_ANCHORS
from seatcopilot.transport.kafka import KafkaTransport

from seatcopilot_cli.compliance import read_anchors
from seatcopilot_cli.main import parser

pytestmark = pytest.mark.kafka


def test_the_anchors_topic_is_compacted(bootstrap):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, AUDIT_ANCHORS.name)])
    finally:
        admin.close()
    [topic] = [entry for by_name in described.values() for name, entry in by_name.items()
               if name == AUDIT_ANCHORS.name]
    policy = topic["cleanup.policy"]
    assert (policy.get("value") if isinstance(policy, dict) else policy) == "compact", topic


def test_a_segment_cut_after_its_anchor_on_kafka_is_reported(bootstrap, tmp_path):
    key_file = tmp_path / "keys" / "audit.key"
    log = AuditLog(tmp_path / "audit", load_or_create_key(key_file), f"anchor-{uuid.uuid4().hex[:8]}")

    async def write_and_anchor():
        bus = KafkaTransport(f"test-anchors-{uuid.uuid4().hex[:8]}", bootstrap)
        await bus.start()
        try:
            sink = anchor_sink(StageIO("compliance", bus))
            anchored = await anchor_once(log, sink)
            for n in range(3):
                log.write({"call_id": f"call-{n}", "decision": "CLEAR"})
            await anchor_once(log, sink, anchored)  # the newest anchor: 3 records
        finally:
            await bus.stop()

    asyncio.run(write_and_anchor())
    log.close()
    anchors = read_anchors(bootstrap, "compliance")
    assert anchors[log.path.name].records == 3 and anchors[log.path.name].head == log.anchor().head

    lines = log.path.read_text().splitlines(keepends=True)
    log.path.write_text("".join(lines[:2]))  # the newest decision removed: the chain alone still holds
    assert [r.problem for r in verify(tmp_path / "audit", load_or_create_key(key_file))] == [""]

    parsed, out = parser().parse_args(["compliance", "audit", "verify", "--dir", str(tmp_path / "audit"),
                                       "--key-file", str(key_file), "--anchors-from", bootstrap]), io.StringIO()
    with redirect_stdout(out):
        code = parsed.func(parsed)
    assert code == 1, out.getvalue()
    assert f"TAMPERED {log.path}: truncated: anchored with 3 records" in out.getvalue()
