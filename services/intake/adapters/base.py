"""What every platform adapter shares: the mapping result, payload errors, and per-call sequence
numbers for platforms that do not number their events."""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from google.protobuf import timestamp_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.topics import Topic

from services.intake.directory import Operator, Roster, transfer_fields
from services.intake.tenants import Tenant

CALL_MEMORY = 50_000
PIECE_MEMORY = 4096
START_OFFSET_MS = 60_000  # a platform message this early in a session is its start, not a heartbeat


class PayloadRejected(Exception):
    """The whole payload is refused: a reason code, an HTTP status and a clear detail."""

    def __init__(self, reason: str, detail: str, status: int = 400) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.status = status


@dataclass
class Piece:
    """One refused part of a payload (a segment, a transcript, a record)."""

    call_id: str
    reason: str
    detail: str


@dataclass
class Mapped:
    events: list[ev.CallEvent] = field(default_factory=list)
    rejected: list[Piece] = field(default_factory=list)
    skipped: int = 0
    """Parts deliberately ignored: heartbeats, IVR prompts, unknown segment types."""
    duplicates: int = 0
    """Parts the platform delivered again (retries, at-least-once streams)."""

    def extend(self, other: Mapped) -> None:
        self.events += other.events
        self.rejected += other.rejected
        self.skipped += other.skipped
        self.duplicates += other.duplicates


def refuse(call_id: str, reason: str, detail: str) -> Mapped:
    """A mapping result refusing one part of a payload."""
    return Mapped(rejected=[Piece(call_id, reason, detail)])


@dataclass(frozen=True)
class Source:
    """Where a payload came from: its tenant and the scenario its calls run under."""

    tenant: Tenant
    scenario: ev.Scenario


class Adapter(Protocol):
    platform: str
    topic: Topic
    content_types: tuple[str, ...]

    def parse(self, body: bytes, content_type: str) -> Any:
        """Bytes to the platform's payload; raises PayloadRejected."""

    def map(self, payload: Any, source: Source) -> Mapped:
        """The platform's payload to call events, in the platform's order."""


class JsonAdapter:
    """A platform whose payloads are JSON."""

    content_types: tuple[str, ...] = ("application/json",)

    def parse(self, body: bytes, content_type: str) -> Any:
        return parse_json(body)


class NumberingJsonAdapter(JsonAdapter):
    """A JSON platform that does not number its events: intake numbers them per call (a `Sequencer`)."""

    def __init__(self, adopt_window_s: float) -> None:
        self.sequencer = Sequencer(adopt_window_s)
        self.roster = Roster()

    def seated(self, call_id: str, operator: Operator, piece: str, source: Source, platform: str) -> Mapped:
        """An operator now holds the call: the first one is only remembered (every later event of the
        call carries them); a different one is a TRANSFER to their role."""
        previous = self.roster.seat(call_id, operator)
        if previous is None or previous == operator:
            return Mapped(skipped=1)
        seq = self.sequencer.assign(call_id, piece)
        if seq is None:
            return Mapped(duplicates=1)
        self.roster.hold(call_id, False)  # a transfer ends a hold
        return Mapped(events=[base_event(call_id, seq, source, platform, ev.EVENT_TYPE_TRANSFER,
                                         ts=timestamp(time.time()), **transfer_fields(operator))])

    def held(self, call_id: str, on_hold: bool, piece: str, source: Source, platform: str) -> Mapped:
        """HOLD or RESUME when the call's hold state changed (platforms that resend whole snapshots)."""
        if not self.roster.hold(call_id, on_hold):
            return Mapped(skipped=1)
        seq = self.sequencer.assign(call_id, piece)
        if seq is None:
            return Mapped(duplicates=1)
        kind = ev.EVENT_TYPE_HOLD if on_hold else ev.EVENT_TYPE_RESUME
        return Mapped(events=[base_event(call_id, seq, source, platform, kind, ts=timestamp(time.time()))])


def unknown_operator(call_id: str, platform: str, agent_id: str) -> Mapped:
    """An agent the tenant's directory does not list: the call cannot reach their screen."""
    return refuse(call_id, "unknown_operator", f"{platform} agent {agent_id or '(none)'} is not in the tenant's "
                  f"operator directory (operators[].platform_ids.{platform})")


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise PayloadRejected("invalid_utf8", f"the body is not valid UTF-8 (byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise PayloadRejected("decode_error", f"not valid JSON: {error.msg} at line {error.lineno} "
                                              f"column {error.colno}") from error
    except RecursionError as error:  # "[[[[…]]]]" nested deeper than the parser goes
        raise PayloadRejected("decode_error", "JSON nested too deeply") from error


def items(payload: Any, what: str) -> list[Any]:
    """A payload that is one object or a list of them."""
    if isinstance(payload, dict):
        return [payload]
    if isinstance(payload, list) and all(isinstance(p, dict) for p in payload):
        return payload
    raise PayloadRejected("schema_violation", f"expected a {what} object or a list of them")


def timestamp(seconds: float) -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.FromNanoseconds(int(seconds * 1e9))
    return stamp


def base_event(call_id: str, seq: int, source: Source, platform: str, kind: ev.EventType,
               **fields: Any) -> ev.CallEvent:
    """A call event with the tenant's defaults; non-utterance events are attributed to the operator side."""
    event = ev.CallEvent(call_id=call_id, seq=seq, tenant=source.tenant.id, scenario=source.scenario, type=kind,
                         speaker=ev.SPEAKER_OPERATOR, is_final=True, language=source.tenant.language,
                         source=platform)
    for name, value in fields.items():
        if name == "ts":
            event.ts.CopyFrom(value)
        elif name == "categories":
            event.categories.extend(value)
        else:
            setattr(event, name, value)
    return event


@dataclass
class _CallSeq:
    next_seq: int
    pieces: OrderedDict[str, None] = field(default_factory=OrderedDict)
    partial_text: dict[str, str] = field(default_factory=dict)


class Sequencer:
    """Per-call seq numbers in arrival order, and the platform's piece ids already seen.

    A call's numbers start at the clock in milliseconds when intake first sees it, so numbers handed
    out after a restart never collide with earlier ones (consumers de-duplicate on call and seq). A
    call first seen mid-stream (not by its start event) is adopted shortly after intake starts, as it
    may have restarted; later it is an unknown call.
    """

    def __init__(self, adopt_window_s: float, clock: Any = time.time) -> None:
        self.adopt_window_s = adopt_window_s
        self.clock = clock
        self.started_at = clock()
        self._calls: OrderedDict[str, _CallSeq] = OrderedDict()

    def knows(self, call_id: str) -> bool:
        return call_id in self._calls

    def start(self, call_id: str) -> int:
        if call_id not in self._calls:
            self._remember(call_id, _CallSeq(next_seq=self._base()))
        return self.next(call_id)

    def ended(self, call_id: str) -> None:
        """Forgets partial texts; the call's seq and pieces stay for late deliveries."""
        call = self._calls.get(call_id)
        if call is not None:
            call.partial_text.clear()

    def next(self, call_id: str) -> int:
        """The call's next seq; raises PayloadRejected for an unknown call."""
        call = self._calls.get(call_id)
        if call is None:
            if self.clock() - self.started_at > self.adopt_window_s:
                raise PayloadRejected("unknown_call", f"intake never saw call {call_id!r} start", status=404)
            call = self._remember(call_id, _CallSeq(next_seq=self._base()))
        self._calls.move_to_end(call_id)
        seq, call.next_seq = call.next_seq, call.next_seq + 1
        return seq

    def assign(self, call_id: str, piece_id: str, start: bool = False) -> int | None:
        """The seq for a piece of a call, or None when the platform delivered this piece before."""
        call = self._calls.get(call_id)
        if call is not None and piece_id in call.pieces:
            return None
        seq = self.start(call_id) if start else self.next(call_id)
        pieces = self._calls[call_id].pieces
        pieces[piece_id] = None
        if len(pieces) > PIECE_MEMORY:
            pieces.popitem(last=False)
        return seq

    def partial(self, call_id: str, utterance_id: str, piece: str) -> str:
        """Accumulates incremental partial pieces of one utterance; returns the text so far."""
        call = self._calls[call_id]
        text = f"{call.partial_text.get(utterance_id, '')} {piece}".strip()
        call.partial_text[utterance_id] = text
        return text

    def final(self, call_id: str, utterance_id: str) -> None:
        call = self._calls.get(call_id)
        if call is not None:
            call.partial_text.pop(utterance_id, None)

    def _base(self) -> int:
        return int(self.clock() * 1000)

    def _remember(self, call_id: str, call: _CallSeq) -> _CallSeq:
        if len(self._calls) >= CALL_MEMORY:
            self._calls.popitem(last=False)
        self._calls[call_id] = call
        return call


def text_field(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""
