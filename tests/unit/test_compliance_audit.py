"""The audit log: every decision recorded without its content, a hash chain that shows any edit,
removal or reordering, per-call queries, and the `seatcopilot compliance audit` commands."""

import io
import json
import os
import stat
import time
from contextlib import redirect_stdout

import pytest
from seatcopilot.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies

from seatcopilot_cli.main import parser
from services.compliance.audit import AuditLog, chain_hash, load_or_create_key, records_for_call, verify
from services.compliance.logic import ComplianceEngine
from tests.conftest import make_event

SECRET_WORDS = "basically guaranteed approval"


@pytest.fixture
def logged(tmp_path):
    """A short call through an engine writing its audit log to tmp_path."""
    key = load_or_create_key(tmp_path / "audit.key")
    engine = ComplianceEngine(load_policies(), audit=AuditLog(tmp_path, key, "test"))
    engine.check_event(make_event(call_id="call-a1", seq=1, speaker="OPERATOR",
                                  text=f"This call may be recorded. It's {SECRET_WORDS}."))
    engine.check_event(make_event(call_id="call-a2", seq=1, speaker="OPERATOR", text="This call may be recorded."))
    draft = gen.SuggestionDraft(call_id="call-a1", seq=2, tenant="harbor", scenario=1,
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
    assert code == 0 and "3 records verified, 0 broken" in out
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
