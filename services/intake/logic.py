"""Intake: validate, de-duplicate, order by seq, keep only final utterances, redact PII.

Nothing leaves this stage with raw utterance text: every published event has passed `redact`.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass, field

from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.experiments import Experiment, load_experiment
from seatcopilot.redaction import redact
from seatcopilot.stage_io import Rejected

from services.intake.config import IntakeConfig

ENDED_CALL_MEMORY = 10_000


@dataclass
class _CallOrder:
    next_seq: int
    pending: dict[int, ev.CallEvent] = field(default_factory=dict)
    gap_since: float | None = None
    ended: bool = False


def validate(event: ev.CallEvent, max_text_chars: int) -> None:
    problems = []
    if not event.call_id or len(event.call_id) > 128:
        problems.append("call_id must be 1-128 characters")
    if event.seq < 1:
        problems.append("seq must be >= 1")
    if not event.tenant:
        problems.append("tenant is required")
    if event.scenario == ev.SCENARIO_UNSPECIFIED:
        problems.append("scenario is required (SALES, SERVICE or COLLECTIONS)")
    if event.type == ev.EVENT_TYPE_UNSPECIFIED:
        problems.append("type is required")
    if event.type == ev.EVENT_TYPE_UTTERANCE:
        if event.speaker == ev.SPEAKER_UNSPECIFIED:
            problems.append("an utterance needs a speaker (CUSTOMER or OPERATOR)")
        if not event.text.strip():
            problems.append("an utterance needs text")
    if len(event.text) > max_text_chars:
        problems.append(f"text longer than {max_text_chars} characters")
    if event.type == ev.EVENT_TYPE_TRANSFER and event.transfer_to_role == ev.ROLE_UNSPECIFIED:
        problems.append("a transfer needs transfer_to_role")
    if problems:
        raise Rejected("schema_violation", "; ".join(problems))


class IntakeStage:
    """Per-call ordering with a bounded reorder buffer. Not thread-safe: one consumer per partition."""

    def __init__(self, config: IntakeConfig) -> None:
        self.config = config
        self._calls: OrderedDict[str, _CallOrder] = OrderedDict()
        self.gaps_skipped = 0
        self.experiment: Experiment | None = (load_experiment(config.experiment_path)
                                              if config.experiment_path else None)

    def accept(self, event: ev.CallEvent, now: float | None = None) -> list[ev.CallEvent]:
        """Takes one raw event; returns the events now ready to publish, in order, redacted."""
        now = time.monotonic() if now is None else now
        validate(event, self.config.max_text_chars)
        order = self._calls.get(event.call_id)
        if order is None:
            order = self._open(event.call_id, event.seq)
        if order.ended and event.type != ev.EVENT_TYPE_DISPOSITION:
            raise Rejected("call_ended", f"event seq {event.seq} arrived after CALL_ENDED")
        if event.seq < order.next_seq or event.seq in order.pending:
            return []  # duplicate delivery
        if len(order.pending) >= self.config.reorder_buffer:
            self._skip_gap(order)
        order.pending[event.seq] = event
        ready = self._drain(order)
        order.gap_since = (order.gap_since or now) if order.pending else None
        return ready

    def expire(self, now: float | None = None) -> list[ev.CallEvent]:
        """Skips gaps older than the reorder timeout; returns what that releases."""
        now = time.monotonic() if now is None else now
        ready: list[ev.CallEvent] = []
        for order in self._calls.values():
            if order.pending and order.gap_since is not None and now - order.gap_since >= self.config.reorder_timeout_s:
                self._skip_gap(order)
                ready.extend(self._drain(order))
                order.gap_since = now if order.pending else None
        return ready

    def _open(self, call_id: str, first_seq: int) -> _CallOrder:
        if len(self._calls) >= self.config.max_open_calls + ENDED_CALL_MEMORY:
            self._calls.popitem(last=False)
        # A call we have not seen starts where its first event says: intake may have restarted mid-call.
        order = _CallOrder(next_seq=first_seq)
        self._calls[call_id] = order
        return order

    def _skip_gap(self, order: _CallOrder) -> None:
        order.next_seq = min(order.pending)
        self.gaps_skipped += 1

    def _drain(self, order: _CallOrder) -> list[ev.CallEvent]:
        ready = []
        while order.next_seq in order.pending:
            event = order.pending.pop(order.next_seq)
            order.next_seq += 1
            if event.type == ev.EVENT_TYPE_CALL_ENDED:
                order.ended = True
            if event.type == ev.EVENT_TYPE_UTTERANCE and not event.is_final:
                continue  # partials are superseded by their final; the seq still advances
            ready.append(self._redacted(event))
        return ready

    def _redacted(self, event: ev.CallEvent) -> ev.CallEvent:
        clean = ev.CallEvent()
        clean.CopyFrom(event)
        clean.text = redact(event.text).text
        if self.experiment is not None:  # exposure is recorded on every event from here on
            clean.experiment_id = self.experiment.design.experiment_id
            clean.arm = self.experiment.arm(event.operator_id)
        return clean
