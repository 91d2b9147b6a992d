"""The compliance audit log: append-only, tamper-evident, content-free.

Every decision (a draft's verdict, the check of an utterance, a lifecycle event) is one JSON line:
call id, seq, kind, decision, rule ids, policy version, timing, and keyed hashes (HMAC-SHA256) of
the text judged and the text shown, never the text itself. Each line carries the hash of the line
before it and its own hash, an HMAC over its content with the audit key, so changing, removing,
inserting or reordering a line breaks the chain at that line, and nobody without the key can
rebuild the chain after an edit. Each process writes its own segment file (several replicas never
share a chain); `verify` checks every segment of a directory, `records_for_call` reads one call's
records back. What a chain alone cannot show is the loss of its newest lines or of a whole
segment: anchor the heads `verify` prints somewhere else to detect that.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENESIS = "0" * 64
FSYNC_EVERY = 100
SEGMENT_GLOB = "audit-*.jsonl"


def read_key(path: Path) -> bytes:
    key = path.read_text().strip()
    if len(key) < 32:
        raise ValueError(f"audit key {path} is too short")
    return key.encode()


def load_or_create_key(path: Path) -> bytes:
    """The audit key: created (readable by this user only) the first time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return read_key(path)
    key = secrets.token_hex(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key + "\n")
    return key.encode()


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(key: bytes, record: dict[str, Any]) -> str:
    """The hash of a record (which includes its predecessor's hash), without its own `hash` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hmac.new(key, b"chain\0" + _canonical(body), hashlib.sha256).hexdigest()


def content_hash(key: bytes, text: str) -> str:
    """A keyed hash of a text: proves which text was judged without keeping it, and resists guessing."""
    return hmac.new(key, b"content\0" + text.encode(), hashlib.sha256).hexdigest()


class AuditLog:
    def __init__(self, directory: Path, key: bytes, instance: str = "") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        instance = "".join(c if c.isalnum() or c in "-_" else "_" for c in (instance or socket.gethostname()))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = directory / f"audit-{stamp}-{instance}-{os.getpid()}.jsonl"
        self.key = key
        self._file = self.path.open("a", encoding="utf-8")
        self._previous = GENESIS
        self._count = 0

    def hash_text(self, text: str) -> str:
        return content_hash(self.key, text)

    def append(self, *, call_id: str, seq: int, kind: str, decision: str, rule_ids: list[str], policy: str,
               elapsed_ms: float, tenant: str = "", judged: str | None = None, shown: str | None = None) -> dict:
        record: dict[str, Any] = {
            "n": self._count, "at": datetime.now(UTC).isoformat(timespec="microseconds"),
            "call_id": call_id, "seq": seq, "tenant": tenant, "kind": kind, "decision": decision,
            "rule_ids": rule_ids, "policy": policy, "ms": round(elapsed_ms, 3),
            "judged": self.hash_text(judged) if judged is not None else "",
            "shown": self.hash_text(shown) if shown is not None else "",
            "prev": self._previous,
        }
        record["hash"] = chain_hash(self.key, record)
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        self._previous, self._count = record["hash"], self._count + 1
        if self._count % FSYNC_EVERY == 0:
            os.fsync(self._file.fileno())
        return record

    def close(self) -> None:
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


@dataclass(frozen=True)
class SegmentReport:
    path: Path
    records: int
    head: str
    problem: str = ""  # "line N: what is wrong"; empty when the chain holds


def verify_segment(path: Path, key: bytes) -> SegmentReport:
    previous, count = GENESIS, 0
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                return SegmentReport(path, count, previous, f"line {number}: not a JSON record (truncated or edited)")
            problem = _record_problem(record, count, previous, key)
            if problem:
                return SegmentReport(path, count, previous, f"line {number}: {problem}")
            previous, count = record["hash"], count + 1
    return SegmentReport(path, count, previous)


def _record_problem(record: Any, index: int, previous: str, key: bytes) -> str:
    if not isinstance(record, dict) or "hash" not in record:
        return "not an audit record"
    if record.get("n") != index:
        return f"record number {record.get('n')} where {index} was expected (a record was removed or inserted)"
    if record.get("prev") != previous:
        return "does not follow the record before it (removed, inserted or reordered)"
    if not hmac.compare_digest(str(record["hash"]), chain_hash(key, record)):
        return "its content does not match its hash (edited)"
    return ""


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob(SEGMENT_GLOB))


def verify(directory: Path, key: bytes) -> list[SegmentReport]:
    return [verify_segment(path, key) for path in segments(directory)]


def records_for_call(directory: Path, call_id: str) -> Iterator[dict]:
    for path in segments(directory):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # verify reports it; a query shows what can be read
                if isinstance(record, dict) and record.get("call_id") == call_id:
                    yield record


class Stopwatch:
    """Milliseconds since creation (the decision time the audit records)."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000
