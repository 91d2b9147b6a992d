"""Audit logs: append-only, tamper-evident, content-free (compliance's decisions, the console's accesses).

Every entry is one JSON line. Each line carries the hash of the line before it and its own hash, an HMAC
over its content with the audit key, so changing, removing, inserting or reordering a line breaks the
chain at that line, and nobody without the key can rebuild the chain after an edit. Texts are never
written, only keyed hashes of them. Each process writes its own segment file (several replicas never
share a chain), and each line names the key that signed it (a fingerprint), so a key can be rotated:
new segments use the new key and `verify` is given both.

What a chain alone cannot show is the loss of its newest lines or of a whole segment: each segment's head
is anchored outside the log (`Anchor`, published to a compacted topic by the service), and `verify`,
given the anchors, reports a segment shorter than its anchor, one whose anchored line was rewritten, and
an anchored segment that is gone.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from seatcopilot.contracts.audit.v1 import audit_pb2
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import AUDIT_ANCHORS

GENESIS = "0" * 64
FSYNC_EVERY = 100
SEGMENT_GLOB = "audit-*.jsonl"
logger = logging.getLogger(__name__)


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


def key_id(key: bytes) -> str:
    """A key's public fingerprint, written on every line so a verifier picks the right key."""
    return hashlib.sha256(b"audit-key-id\0" + key).hexdigest()[:16]


def keyring(keys: Iterable[bytes]) -> dict[str, bytes]:
    return {key_id(key): key for key in keys}


def check_key_apart(key_file: Path, log_dir: Path) -> None:
    """The key must not sit with the log: whoever can rewrite the log could then rebuild its chain."""
    if key_file.resolve().parent == log_dir.resolve() or log_dir.resolve() in key_file.resolve().parents:
        raise ValueError(f"the audit key {key_file} is inside the audit directory {log_dir}: keep it apart "
                         "(a Secret in production)")


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def chain_hash(key: bytes, record: dict[str, Any]) -> str:
    """The hash of a record (which includes its predecessor's hash), without its own `hash` field."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hmac.new(key, b"chain\0" + _canonical(body), hashlib.sha256).hexdigest()


def content_hash(key: bytes, text: str) -> str:
    """A keyed hash of a text: proves which text was judged without keeping it, and resists guessing."""
    return hmac.new(key, b"content\0" + text.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Anchor:
    """A segment's head as seen at some moment, kept outside the log."""

    segment: str
    records: int
    head: str
    key_id: str
    log: str = ""
    at: str = ""


class AuditLog:
    """One process's segment of an audit log."""

    def __init__(self, directory: Path, key: bytes, instance: str = "", log: str = "compliance") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        instance = "".join(c if c.isalnum() or c in "-_" else "_" for c in (instance or socket.gethostname()))
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        self.path = directory / f"audit-{stamp}-{instance}-{os.getpid()}.jsonl"
        self.key, self.key_id, self.log = key, key_id(key), log
        self._file = self.path.open("a", encoding="utf-8")
        self._previous = GENESIS
        self._count = 0

    def hash_text(self, text: str) -> str:
        return content_hash(self.key, text)

    def write(self, fields: Mapping[str, Any]) -> dict:
        """Appends one entry (its fields must hold no content: hash texts with hash_text)."""
        record: dict[str, Any] = {"n": self._count, "at": datetime.now(UTC).isoformat(timespec="microseconds"),
                                  **fields, "kid": self.key_id, "prev": self._previous}
        record["hash"] = chain_hash(self.key, record)
        self._file.write(json.dumps(record, sort_keys=True) + "\n")
        self._file.flush()
        self._previous, self._count = record["hash"], self._count + 1
        if self._count % FSYNC_EVERY == 0:
            os.fsync(self._file.fileno())
        return record

    def append(self, *, call_id: str, seq: int, kind: str, decision: str, rule_ids: list[str], policy: str,
               elapsed_ms: float, tenant: str = "", judged: str | None = None, shown: str | None = None) -> dict:
        """A compliance decision: the texts judged and shown are kept as keyed hashes only."""
        return self.write({
            "call_id": call_id, "seq": seq, "tenant": tenant, "kind": kind, "decision": decision,
            "rule_ids": rule_ids, "policy": policy, "ms": round(elapsed_ms, 3),
            "judged": self.hash_text(judged) if judged is not None else "",
            "shown": self.hash_text(shown) if shown is not None else "",
        })

    def anchor(self) -> Anchor:
        """The head to keep elsewhere; flushed to disk first, so an anchor never names unwritten lines."""
        if not self._file.closed:
            self._file.flush()
            os.fsync(self._file.fileno())
        return Anchor(self.path.name, self._count, self._previous, self.key_id, self.log,
                      datetime.now(UTC).isoformat(timespec="seconds"))

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


Keys = Mapping[str, bytes] | bytes


def verify_segment(path: Path, keys: Keys, anchor: Anchor | None = None) -> SegmentReport:
    keys = keyring([keys]) if isinstance(keys, bytes) else keys
    previous, count, anchored_head = GENESIS, 0, None
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                return SegmentReport(path, count, previous, f"line {number}: not a JSON record (truncated or edited)")
            problem = _record_problem(record, count, previous, keys)
            if problem:
                return SegmentReport(path, count, previous, f"line {number}: {problem}")
            previous, count = record["hash"], count + 1
            if anchor is not None and count == anchor.records:
                anchored_head = previous
    return SegmentReport(path, count, previous, _anchor_problem(anchor, count, anchored_head))


def _record_problem(record: Any, index: int, previous: str, keys: Mapping[str, bytes]) -> str:
    if not isinstance(record, dict) or "hash" not in record:
        return "not an audit record"
    if record.get("n") != index:
        return f"record number {record.get('n')} where {index} was expected (a record was removed or inserted)"
    if record.get("prev") != previous:
        return "does not follow the record before it (removed, inserted or reordered)"
    if "kid" not in record:  # written before records named their key: any key given may have signed it
        candidates = list(keys.values())
    elif (key := keys.get(str(record["kid"]))) is not None:
        candidates = [key]
    else:
        return f"signed with key {record['kid']}, which is not among the keys given"
    if not any(hmac.compare_digest(str(record["hash"]), chain_hash(key, record)) for key in candidates):
        return "its content does not match its hash (edited)"
    return ""


def _anchor_problem(anchor: Anchor | None, count: int, anchored_head: str | None) -> str:
    if anchor is None or anchor.records == 0:
        return ""
    if count < anchor.records:
        return (f"truncated: anchored with {anchor.records} records at {anchor.at or 'an earlier time'}, "
                f"{count} remain")
    if anchored_head != anchor.head:
        return f"rewritten: record {anchor.records - 1} is not the one anchored at {anchor.at or 'an earlier time'}"
    return ""


def segments(directory: Path) -> list[Path]:
    return sorted(directory.glob(SEGMENT_GLOB))


def verify(directory: Path, keys: Keys, anchors: Mapping[str, Anchor] | None = None) -> list[SegmentReport]:
    """Every segment's chain, and, given the anchors kept elsewhere, every anchored segment's length and head."""
    anchors = anchors or {}
    reports = [verify_segment(path, keys, anchors.get(path.name)) for path in segments(directory)]
    present = {path.name for path in segments(directory)}
    reports += [SegmentReport(directory / name, 0, "", f"missing: anchored with {a.records} records at {a.at}")
                for name, a in sorted(anchors.items()) if name not in present and a.records]
    return reports


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


# ---- anchoring: the segment's head kept outside the log -------------------------------------------------------
AnchorSink = Callable[[audit_pb2.AuditAnchor], Awaitable[None]]


def anchor_key(message: audit_pb2.AuditAnchor) -> str:
    return f"{message.log}/{message.segment}"


def to_message(anchor: Anchor) -> audit_pb2.AuditAnchor:
    message = audit_pb2.AuditAnchor(log=anchor.log, segment=anchor.segment, records=anchor.records, head=anchor.head,
                                    key_id=anchor.key_id)
    message.anchored_at.FromDatetime(datetime.fromisoformat(anchor.at) if anchor.at else datetime.now(UTC))
    return message


def from_message(message: audit_pb2.AuditAnchor) -> Anchor:
    at = message.anchored_at.ToDatetime(tzinfo=UTC).isoformat(timespec="seconds") if message.anchored_at.seconds else ""
    return Anchor(message.segment, message.records, message.head, message.key_id, message.log, at)


async def anchor_once(log: AuditLog, sink: AnchorSink, anchored: int = -1) -> int:
    """Publishes the head when it moved since `anchored` records; returns the records now anchored."""
    anchor = log.anchor()
    if anchor.records != anchored:
        await sink(to_message(anchor))
    return anchor.records


async def keep_anchored(log: AuditLog, sink: AnchorSink, interval_s: float) -> None:
    """A service's background task: the head is anchored within interval_s of any new line."""
    anchored = -1
    while True:
        await asyncio.sleep(interval_s)
        try:
            anchored = await anchor_once(log, sink, anchored)
        except Exception as error:  # the broker being away shows in readiness; the next tick retries
            logger.warning("audit anchor not published: %s", type(error).__name__)


def anchor_sink(io: StageIO) -> AnchorSink:
    """Anchors go to the audit-anchors topic: outside the log, compacted to the newest per segment."""
    async def publish(message: audit_pb2.AuditAnchor) -> None:
        await io.publish(AUDIT_ANCHORS, anchor_key(message), message)

    return publish


def keep_anchored_while_serving(background: list, on_drain: list, log: AuditLog, io: StageIO,
                                interval_s: float) -> None:
    """A service's anchoring: the head every interval_s while it serves, and once more while it drains."""
    sink = anchor_sink(io)
    background.append(lambda: keep_anchored(log, sink, interval_s))
    on_drain.append(lambda: anchor_once(log, sink))
