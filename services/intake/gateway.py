"""One path for every way events reach intake (Kafka topics, webhooks, gRPC): events into the stage,
redacted events out to the transcript topic, refusals to the dead-letter topic with the reason.

Everything the stage does for one call — accepting an event, releasing what a timeout freed — and
publishing the result happens under that call's lock, so a call's messages reach the transcript
topic in order however many requests and timers touch it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from seatcopilot import codec
from seatcopilot.calls import call_key
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.redaction import redact
from seatcopilot.stage_io import Rejected, StageIO
from seatcopilot.topics import TRANSCRIPT
from seatcopilot.transport.base import Message

from services.intake.adapters import Piece
from services.intake.assembly import Rejection
from services.intake.logic import IntakeStage, Outcome
from services.intake.metrics import EVENTS

log = logging.getLogger(__name__)

# HTTP status for each refusal reason (webhooks); the same codes name the dead letters.
REASON_STATUS = {
    "schema_violation": 400, "decode_error": 400, "invalid_utf8": 400, "tenant_mismatch": 400,
    "bad_scenario": 400, "unauthenticated": 401, "unknown_tenant": 404, "unknown_platform": 404,
    "unknown_call": 404, "call_ended": 409, "late_event": 409, "lifecycle_violation": 409,
    "payload_too_large": 413, "unsupported_media_type": 415, "speaker_unknown": 422,
    "unsupported_channel": 422,
}


@dataclass(frozen=True)
class Origin:
    """Where a payload came from, for its dead letters: a topic or an HTTP path, its key, its bytes."""

    label: str
    key: str
    payload: bytes
    source: str

    def message(self) -> Message:
        return Message(self.label, self.key or "unknown", self.payload)


@dataclass
class Report:
    received: int = 0
    published: int = 0
    duplicates: int = 0
    skipped: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def status(self) -> int:
        """200 unless everything sent was refused: then the first refusal's status."""
        accepted = self.received - len(self.rejected)
        if self.rejected and accepted <= 0 and not self.duplicates and not self.skipped:
            return REASON_STATUS.get(self.rejected[0]["reason"], 400)
        return 200

    def as_dict(self) -> dict[str, Any]:
        return {"received": self.received, "published": self.published, "duplicates": self.duplicates,
                "skipped": self.skipped, "rejected": self.rejected}


class Gateway:
    def __init__(self, stage: IntakeStage, io: StageIO) -> None:
        self.stage = stage
        self.io = io
        self._locks: dict[str, tuple[asyncio.Lock, list[int]]] = {}

    @contextlib.asynccontextmanager
    async def _call(self, call_id: str) -> AsyncIterator[None]:
        """The call's lock, dropped once nobody holds or awaits it."""
        lock, users = self._locks.setdefault(call_id, (asyncio.Lock(), [0]))
        users[0] += 1
        try:
            async with lock:
                yield
        finally:
            users[0] -= 1
            if users[0] == 0:
                del self._locks[call_id]

    async def accept(self, event: ev.CallEvent, origin: Origin) -> Outcome:
        """One event; raises Rejected when the event itself is refused (the caller dead-letters it)."""
        async with self._call(call_key(event.tenant, event.call_id)):
            try:
                outcome = self.stage.accept(event)
            except Rejected:
                EVENTS.labels(origin.source, "rejected").inc()
                raise
            EVENTS.labels(origin.source, "duplicate" if outcome.duplicate else "accepted").inc()
            await self._release(outcome)
        return outcome

    async def submit(self, events: Iterable[ev.CallEvent], origin: Origin, report: Report | None = None) -> Report:
        """Events from one payload; each refusal is reported and dead-lettered (one letter per reason)."""
        report = report or Report()
        refused: dict[str, list[str]] = {}
        for event in events:
            report.received += 1
            try:
                outcome = await self.accept(event, origin)
            except Rejected as rejection:
                report.rejected.append(_entry(event.call_id, event.seq, rejection.reason, rejection.detail))
                refused.setdefault(rejection.reason, []).append(f"seq {event.seq}: {rejection.detail}")
                continue
            report.duplicates += outcome.duplicate
            report.published += len(outcome.ready)
        for reason, details in refused.items():
            await self.dead_letter(origin, reason, "; ".join(details))
        return report

    async def refuse_pieces(self, pieces: list[Piece], origin: Origin, report: Report) -> None:
        """Parts of a payload an adapter could not map: reported, and dead-lettered once per reason."""
        refused: dict[str, list[str]] = {}
        for piece in pieces:
            report.received += 1
            report.rejected.append(_entry(piece.call_id, 0, piece.reason, piece.detail))
            refused.setdefault(piece.reason, []).append(piece.detail)
            EVENTS.labels(origin.source, "rejected").inc()
        for reason, details in refused.items():
            await self.dead_letter(origin, reason, "; ".join(details))

    async def expire_due(self) -> int:
        """Releases what timeouts freed (gaps, stale partials, held utterances), call by call."""
        released = 0
        for call_id in self.stage.due():
            async with self._call(call_id):
                outcome = self.stage.expire_call(call_id)
                await self._release(outcome)
                released += len(outcome.ready)
        return released

    async def run_expiry(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.expire_due()
            except Exception:  # the timer must outlive any one failure
                log.exception("intake timeout sweep failed")

    async def dead_letter(self, origin: Origin, reason: str, detail: str) -> None:
        """Refusal details can quote the sender's values: they are redacted like the payload."""
        await self.io.dead_letter(origin.message(), reason, redact(detail).text[:2000])

    async def _release(self, outcome: Outcome) -> None:
        for event in outcome.ready:
            await self.io.publish(TRANSCRIPT, event.call_id, event)
        for rejection in outcome.rejected:
            await self._dead_letter_buffered(rejection)

    async def _dead_letter_buffered(self, rejection: Rejection) -> None:
        """An event refused while draining the buffer (not the one just submitted): its own payload."""
        event = rejection.event
        origin = Origin(f"intake:{event.source or 'call-events'}", event.call_id, codec.encode(event), event.source)
        EVENTS.labels(event.source or "kafka", "rejected").inc()
        await self.dead_letter(origin, rejection.reason, f"seq {event.seq}: {rejection.detail}")


def _entry(call_id: str, seq: int, reason: str, detail: str) -> dict[str, Any]:
    return {"call_id": call_id, "seq": seq, "reason": reason, "detail": detail}
