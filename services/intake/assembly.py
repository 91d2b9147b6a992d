"""Call assembly: each call's events whole and in order.

- Ordering by `seq` with a bounded reorder buffer; a gap open longer than the timeout (or a full
  buffer) is skipped, and an event that then shows up for it is a late event.
- Duplicates (a seq already handled or buffered) are dropped.
- Partial utterances are held, each replaced by the next partial of the same utterance
  (`utterance_id`, or the speaker when the platform gives none); the final supersedes them. An
  utterance whose final never comes is published from its last partial when the call ends or
  after the partial timeout.
- Lifecycle: CALL_STARTED once, HOLD/RESUME alternate, TRANSFER ends a hold; after CALL_ENDED only
  DISPOSITION is accepted.
- A call is opened by CALL_STARTED or an early seq; one first seen mid-stream is adopted only
  shortly after start (intake may have restarted), otherwise it is an unknown call.

Not thread-safe: one caller at a time per call (the gateway holds a per-call lock).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from seatcopilot.calls import call_key
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Rejected

from services.intake.config import IntakeConfig
from services.intake.metrics import ASSEMBLY

ENDED_CALL_MEMORY = 10_000
SKIPPED_GAP_MEMORY = 32
FINALIZED_MEMORY = 256


@dataclass
class Rejection:
    event: ev.CallEvent
    reason: str
    detail: str


@dataclass
class Assembled:
    ordered: list[ev.CallEvent] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    duplicate: bool = False


@dataclass
class _Call:
    next_seq: int
    pending: dict[int, ev.CallEvent] = field(default_factory=dict)
    gap_since: float | None = None
    skipped: list[tuple[int, int]] = field(default_factory=list)
    started: bool = False
    on_hold: bool = False
    ended_seq: int | None = None
    open_utterances: dict[str, tuple[ev.CallEvent, float]] = field(default_factory=dict)
    finalized: OrderedDict[str, None] = field(default_factory=OrderedDict)

    def waiting(self) -> bool:
        return bool(self.pending or self.open_utterances)


def utterance_key(event: ev.CallEvent) -> str:
    return event.utterance_id or f"speaker-{event.speaker}"


class CallAssembler:
    def __init__(self, config: IntakeConfig, started_at: float | None = None) -> None:
        self.config = config
        self.started_at = time.monotonic() if started_at is None else started_at
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self._waiting: set[str] = set()
        self.gaps_skipped = 0

    def knows(self, key: str) -> bool:
        return key in self._calls

    def ended(self, key: str) -> bool:
        call = self._calls.get(key)
        return call is not None and call.ended_seq is not None

    def accept(self, event: ev.CallEvent, now: float) -> Assembled:
        """Takes one validated event; raises Rejected when the event itself is refused."""
        key = call_key(event.tenant, event.call_id)  # two tenants may use the same call id
        call = self._calls.get(key)
        if call is None:
            call = self._open(event, now)
        self._calls.move_to_end(key)
        if event.seq < call.next_seq or event.seq in call.pending:
            if any(lo <= event.seq < hi for lo, hi in call.skipped):
                raise Rejected("late_event", f"seq {event.seq} arrived after intake had skipped its gap "
                                             f"(waited {self.config.reorder_timeout_s:g} s)")
            return Assembled(duplicate=True)
        if call.ended_seq is not None and event.seq > call.ended_seq and event.type != ev.EVENT_TYPE_DISPOSITION:
            raise Rejected("call_ended", f"event seq {event.seq} arrived after CALL_ENDED (seq {call.ended_seq})")
        if len(call.pending) >= self.config.reorder_buffer:
            self._skip_gap(call)
        call.pending[event.seq] = event
        result = self._drain(call, now)
        call.gap_since = (call.gap_since or now) if call.pending else None
        self._track(key, call)
        return result

    def due(self, now: float) -> list[str]:
        """Calls with a gap past the reorder timeout or a partial past the partial timeout."""
        return [key for key in list(self._waiting) if self._is_due(key, now)]

    def _is_due(self, key: str, now: float) -> bool:
        call = self._calls.get(key)
        if call is None:
            self._waiting.discard(key)
            return False
        gap = call.pending and call.gap_since is not None and now - call.gap_since >= self.config.reorder_timeout_s
        return bool(gap) or any(now - since >= self.config.partial_timeout_s
                                for _, since in call.open_utterances.values())

    def expire(self, key: str, now: float) -> Assembled:
        """Skips the call's gap if it is past the reorder timeout, and flushes its stale partials."""
        result = Assembled()
        call = self._calls.get(key)
        if call is None:
            return result
        if call.pending and call.gap_since is not None and now - call.gap_since >= self.config.reorder_timeout_s:
            self._skip_gap(call)
            drained = self._drain(call, now)
            result.ordered += drained.ordered
            result.rejected += drained.rejected
            call.gap_since = now if call.pending else None
        stale = [utterance for utterance, (_, since) in call.open_utterances.items()
                 if now - since >= self.config.partial_timeout_s]
        result.ordered += self._flush(call, stale)
        self._track(key, call)
        return result

    def _open(self, event: ev.CallEvent, now: float) -> _Call:
        if len(self._calls) >= self.config.max_open_calls + ENDED_CALL_MEMORY:
            evicted, _ = self._calls.popitem(last=False)
            self._waiting.discard(evicted)
        if event.type == ev.EVENT_TYPE_CALL_STARTED:
            call = _Call(next_seq=event.seq)
        elif event.seq <= self.config.reorder_buffer:
            call = _Call(next_seq=1)  # the call's beginning, perhaps reordered: wait for seq 1
        elif now - self.started_at <= self.config.adopt_window_s:
            call = _Call(next_seq=event.seq)  # intake may have restarted mid-call: adopt it
            ASSEMBLY.labels("call_adopted").inc()
        else:
            raise Rejected("unknown_call", f"intake never saw call {event.call_id!r} begin and this event "
                                           f"(seq {event.seq}) is from its middle")
        self._calls[call_key(event.tenant, event.call_id)] = call
        return call

    def _skip_gap(self, call: _Call) -> None:
        lowest = min(call.pending)
        call.skipped = [*call.skipped, (call.next_seq, lowest)][-SKIPPED_GAP_MEMORY:]
        call.next_seq = lowest
        self.gaps_skipped += 1
        ASSEMBLY.labels("gap_skipped").inc()

    def _track(self, key: str, call: _Call) -> None:
        if call.waiting():
            self._waiting.add(key)
        else:
            self._waiting.discard(key)

    def _drain(self, call: _Call, now: float) -> Assembled:
        result = Assembled()
        while call.next_seq in call.pending:
            event = call.pending.pop(call.next_seq)
            call.next_seq += 1
            if call.ended_seq is not None and event.type != ev.EVENT_TYPE_DISPOSITION:
                result.rejected.append(Rejection(event, "call_ended", f"event seq {event.seq} comes after "
                                                                      f"CALL_ENDED (seq {call.ended_seq})"))
                continue
            problem = _lifecycle(call, event)
            if problem:
                result.rejected.append(Rejection(event, "lifecycle_violation", problem))
                continue
            if event.type == ev.EVENT_TYPE_UTTERANCE:
                self._utterance(call, event, now, result)
                continue
            if event.type == ev.EVENT_TYPE_CALL_ENDED:
                result.ordered += self._flush(call, list(call.open_utterances))
                call.ended_seq = event.seq
            result.ordered.append(event)
        return result

    def _utterance(self, call: _Call, event: ev.CallEvent, now: float, result: Assembled) -> None:
        key = utterance_key(event)
        if not event.is_final:
            if key in call.finalized:
                ASSEMBLY.labels("late_partial_dropped").inc()  # its final (or a flush) already went out
                return
            if key in call.open_utterances:
                ASSEMBLY.labels("partial_merged").inc()
            call.open_utterances[key] = (event, now)
            return
        if key in call.finalized and event.utterance_id:
            ASSEMBLY.labels("late_final_dropped").inc()  # published from its partials on timeout
            return
        if call.open_utterances.pop(key, None) is not None:
            ASSEMBLY.labels("partial_superseded").inc()
        self._finalize(call, key)
        result.ordered.append(event)

    def _flush(self, call: _Call, keys: list[str]) -> list[ev.CallEvent]:
        """Utterances whose final never came, published from their last partial, in seq order."""
        flushed = []
        for key in keys:
            partial, _ = call.open_utterances.pop(key)
            final = ev.CallEvent()
            final.CopyFrom(partial)
            final.is_final = True
            flushed.append(final)
            self._finalize(call, key)
            ASSEMBLY.labels("partial_flushed").inc()
        return sorted(flushed, key=lambda e: e.seq)

    @staticmethod
    def _finalize(call: _Call, key: str) -> None:
        if key.startswith("speaker-"):
            return  # speaker keys are reused by the speaker's next utterance
        call.finalized[key] = None
        if len(call.finalized) > FINALIZED_MEMORY:
            call.finalized.popitem(last=False)


def _lifecycle(call: _Call, event: ev.CallEvent) -> str | None:
    """Updates the call's lifecycle; returns why the event breaks it, or None."""
    kind = event.type
    if kind == ev.EVENT_TYPE_CALL_STARTED:
        if call.started:
            return f"CALL_STARTED again at seq {event.seq}"
        call.started = True
    elif kind == ev.EVENT_TYPE_HOLD:
        if call.on_hold:
            return f"HOLD at seq {event.seq} while the call is already on hold"
        call.on_hold = True
    elif kind == ev.EVENT_TYPE_RESUME:
        if not call.on_hold:
            return f"RESUME at seq {event.seq} while the call is not on hold"
        call.on_hold = False
    elif kind == ev.EVENT_TYPE_TRANSFER:
        call.on_hold = False  # a transfer is often completed from hold
    return None
