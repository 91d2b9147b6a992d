"""The audit log: every decision recorded without its content, a hash chain that shows any edit,
removal or reordering, per-call queries, and the `seatcopilot compliance audit` commands."""

import asyncio
import io
import json
import os
import stat
import time
from contextlib import redirect_stdout

import pytest
from seatcopilot.audit_log import (
    AuditLog,
    anchor_key,
    anchor_once,
    chain_hash,
    from_message,
    key_id,
    keyring,
    load_or_create_key,
    records_for_call,
    verify,
)
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies

from seatcopilot_cli.main import parser
from services.compliance.logic import ComplianceEngine
from tests.helpers import make_event

SECRET_WORDS = "basically guaranteed approval"


@pytest.fixture
def logged(tmp_path, monkeypatch):
    """A short call through an engine writing its audit log to tmp_path (the key kept apart, where the
    settings say)."""
    monkeypatch.setenv("COMPLIANCE_AUDIT_KEY_FILE", str(tmp_path.parent / f"{tmp_path.name}-keys" / "audit.key"))
    key = load_or_create_key(tmp_path.parent / f"{tmp_path.name}-keys" / "audit.key")
    engine = ComplianceEngine(load_policies(), audit=AuditLog(tmp_path, key, "test"))
    engine.check_event(make_event(call_id="call-a1", seq=1, speaker="OPERATOR",
                                  text=f"This call may be recorded. It's {SECRET_WORDS}."))
    engine.check_event(make_event(call_id="call-a2", seq=1, speaker="OPERATOR", text="This call may be recorded."))
    draft = gen.SuggestionDraft(call=ev.CallRef(call_id="call-a1", seq=2, tenant="harbor", scenario=1),
                                text=f"Good news, it's {SECRET_WORDS}.")
    draft.deadline.FromNanoseconds(int((time.time() + 30) * 1e9))
    engine.steer(draft)
    engine.close()
    return tmp_path, key, engine.audit.path


def cli(*args):
    parsed, out = parser().parse_args(["compliance", "audit", *args]), io.StringIO()
    with redirect_stdout(out):
        code = parsed.func(parsed)
    return code, out.getvalue()


def test_every_decision_is_recorded_without_its_content(logged):
    _, _, path = logged
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(r["call_id"], r["kind"], r["decision"]) for r in records] == [
        ("call-a1", "operator", "ALERT"), ("call-a2", "operator", "CLEAR"), ("call-a1", "draft", "REWRITTEN")]
    assert records[0]["rule_ids"] == ["UDAAP-GUARANTEED-APPROVAL"]
    assert records[2]["policy"] == "harbor-default@2" and records[2]["ms"] > 0
    assert len(records[2]["judged"]) == 64 and records[2]["judged"] != records[2]["shown"]
    assert "guaranteed" not in path.read_text() and "recorded" not in path.read_text()


def test_the_untouched_log_verifies_and_a_call_can_be_queried(logged):
    directory, key, _ = logged
    [report] = verify(directory, key)
    assert not report.problem and report.records == 3
    assert [r["seq"] for r in records_for_call(directory, "call-a1")] == [1, 2]
    code, out = cli("verify", "--dir", str(directory))
    assert code == 0 and "3 records verified, no anchors checked, 0 broken" in out
    code, out = cli("show", "--dir", str(directory), "--call", "call-a1")
    assert code == 0 and [json.loads(line)["kind"] for line in out.splitlines()] == ["operator", "draft"]


def rewrite(path, change):
    lines = path.read_text().splitlines()
    path.write_text("\n".join(change(lines)) + "\n")


@pytest.mark.parametrize("tamper, where", [
    (lambda lines: [lines[0].replace('"ALERT"', '"CLEAR"'), *lines[1:]], "line 1: its content does not match"),
    (lambda lines: [lines[0], lines[2]], "line 2: record number 2 where 1 was expected"),
    (lambda lines: [lines[1], lines[0], lines[2]], "line 1: record number 1 where 0 was expected"),
    (lambda lines: [*lines[:2], lines[2][:40]], "line 3: not a JSON record"),
])
def test_tampering_is_detected_at_the_line(logged, tamper, where):
    directory, key, path = logged
    rewrite(path, tamper)
    [report] = verify(directory, key)
    assert report.problem.startswith(where)
    code, out = cli("verify", "--dir", str(directory))
    assert code == 1 and "TAMPERED" in out


def test_a_rebuilt_chain_without_the_key_is_detected(logged):
    """Someone who edits a record and recomputes every hash with a guessed key still fails."""
    directory, key, path = logged
    records = [json.loads(line) for line in path.read_text().splitlines()]
    records[1]["decision"] = "ALERT"
    previous = records[0]["hash"]
    for record in records[1:]:
        record["prev"] = previous
        record["hash"] = previous = chain_hash(b"not-the-key" * 4, record)
    path.write_text("\n".join(json.dumps(r, sort_keys=True) for r in records) + "\n")
    [report] = verify(directory, key)
    assert report.problem.startswith("line 2: its content does not match")


def test_the_key_is_created_once_and_private(tmp_path):
    first = load_or_create_key(tmp_path / "k" / "audit.key")
    assert load_or_create_key(tmp_path / "k" / "audit.key") == first and len(first) == 64
    assert stat.S_IMODE(os.stat(tmp_path / "k" / "audit.key").st_mode) == 0o600


def test_a_rotated_key_verifies_with_both_keys_and_not_with_the_new_one_alone(tmp_path):
    old, new = load_or_create_key(tmp_path / "keys" / "old.key"), load_or_create_key(tmp_path / "keys" / "new.key")
    for key, instance in ((old, "before"), (new, "after")):
        log = AuditLog(tmp_path / "log", key, instance)
        log.write({"call_id": "c1", "decision": "CLEAR"})
        log.close()
    assert [r.problem for r in verify(tmp_path / "log", keyring([old, new]))] == ["", ""]
    problems = sorted(r.problem for r in verify(tmp_path / "log", keyring([new])))
    assert problems[0] == "" and problems[1].startswith(f"line 1: signed with key {key_id(old)}")
    assert key_id(old) != key_id(new) and old.decode() not in (tmp_path / "log").joinpath(
        next((tmp_path / "log").iterdir()).name).read_text()


def anchored_log(tmp_path, lines=3):
    key = load_or_create_key(tmp_path / "keys" / "audit.key")
    log = AuditLog(tmp_path / "log", key, "anchored")
    for n in range(lines):
        log.write({"call_id": f"c{n}", "decision": "CLEAR"})
    anchor = log.anchor()
    log.close()
    return key, log.path, anchor


def test_a_segment_cut_after_its_anchor_is_reported_though_its_chain_still_holds(tmp_path):
    key, path, anchor = anchored_log(tmp_path)
    path.write_text("".join(path.read_text().splitlines(keepends=True)[:2]))  # the newest line removed
    assert verify(tmp_path / "log", key)[0].problem == ""  # the chain alone cannot tell
    [report] = verify(tmp_path / "log", key, {anchor.segment: anchor})
    assert report.problem.startswith("truncated: anchored with 3 records") and report.problem.endswith("2 remain")


def test_a_segment_rebuilt_with_the_key_or_deleted_is_reported_against_its_anchor(tmp_path):
    key, path, anchor = anchored_log(tmp_path)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    previous = "0" * 64
    for record in records:  # someone holding the key rewrites the first decision and rebuilds the chain
        record["decision"] = "ALERT" if record["n"] == 0 else record["decision"]
        record["prev"] = previous
        record["hash"] = previous = chain_hash(key, record)
    path.write_text("".join(json.dumps(r, sort_keys=True) + "\n" for r in records))
    assert verify(tmp_path / "log", key)[0].problem == ""
    assert verify(tmp_path / "log", key, {anchor.segment: anchor})[0].problem.startswith("rewritten: record 2")
    path.unlink()
    [report] = verify(tmp_path / "log", key, {anchor.segment: anchor})
    assert report.problem.startswith("missing: anchored with 3 records")


def test_the_head_is_anchored_only_when_it_moved_and_round_trips_the_contract(tmp_path):
    key = load_or_create_key(tmp_path / "keys" / "audit.key")
    log, published = AuditLog(tmp_path / "log", key, "t"), []

    async def sink(message):
        published.append(message)

    async def ticks():
        anchored = await anchor_once(log, sink)
        anchored = await anchor_once(log, sink, anchored)  # nothing new: nothing published
        log.write({"call_id": "c1", "decision": "CLEAR"})
        await anchor_once(log, sink, anchored)

    asyncio.run(ticks())
    log.close()
    assert [m.records for m in published] == [0, 1]
    anchor = from_message(published[-1])
    assert (anchor.segment, anchor.log, anchor.key_id) == (log.path.name, "compliance", key_id(key))
    assert anchor_key(published[-1]) == f"compliance/{log.path.name}"
    assert verify(tmp_path / "log", key, {anchor.segment: anchor})[0].problem == ""


def test_compliance_refuses_an_audit_key_kept_inside_the_audit_directory(tmp_path, monkeypatch):
    from seatcopilot.config import load

    from services.compliance.config import ComplianceConfig

    monkeypatch.setenv("COMPLIANCE_AUDIT_DIR", str(tmp_path / "audit"))
    monkeypatch.setenv("COMPLIANCE_AUDIT_KEY_FILE", str(tmp_path / "audit" / "audit.key"))
    with pytest.raises(Exception, match="inside the audit directory"):
        load(ComplianceConfig)
    monkeypatch.setenv("COMPLIANCE_AUDIT_KEY_FILE", str(tmp_path / "keys" / "audit.key"))
    assert load(ComplianceConfig).audit_key_file == tmp_path / "keys" / "audit.key"


def test_segments_written_before_records_named_their_key_still_verify(tmp_path):
    key = load_or_create_key(tmp_path / "keys" / "audit.key")
    previous, lines = "0" * 64, []
    for n in range(2):  # the format before key fingerprints: no "kid"
        record = {"n": n, "at": "2026-12-01T00:00:00+00:00", "call_id": f"c{n}", "decision": "CLEAR", "prev": previous}
        record["hash"] = previous = chain_hash(key, record)
        lines.append(json.dumps(record, sort_keys=True))
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "audit-old.jsonl").write_text("\n".join(lines) + "\n")
    other = load_or_create_key(tmp_path / "keys" / "other.key")
    assert [r.problem for r in verify(tmp_path / "log", keyring([other, key]))] == [""]
    [report] = verify(tmp_path / "log", keyring([other]))
    assert report.problem == "line 1: its content does not match its hash (edited)"
