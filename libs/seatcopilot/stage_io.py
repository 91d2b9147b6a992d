"""What every stage's Kafka adapter shares: decode, de-duplicate, trace, measure, dead-letter, publish.

A handler receives a decoded message and returns nothing; anything it raises sends the payload to
the dead-letter topic with the reason, and the pipeline goes on.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Coroutine, Hashable
from typing import Any, TypeVar

from google.protobuf import timestamp_pb2
from google.protobuf.message import Message as ProtoMessage

from seatcopilot import codec, telemetry
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.topics import DEAD_LETTER, Topic
from seatcopilot.transport.base import Message, Transport

log = logging.getLogger(__name__)

M = TypeVar("M", bound=ProtoMessage)


class Rejected(Exception):
    """A message the stage refuses on its merits (schema, unknown call...): dead-lettered with this reason."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


class SeenKeys:
    """A bounded memory of processed (call_id, seq, ...) keys: redelivered messages are skipped."""

    def __init__(self, capacity: int = 200_000) -> None:
        self._keys: OrderedDict[Hashable, None] = OrderedDict()
        self._capacity = capacity

    def __contains__(self, key: Hashable) -> bool:
        return key in self._keys

    def add(self, key: Hashable) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        if len(self._keys) > self._capacity:
            self._keys.popitem(last=False)


# Where a message carries its call: its CallRef (every derived message), or itself (a CallEvent).
CALL_PATHS: tuple[tuple[str, ...], ...] = (("call",), ())


def call_of(message: Any) -> tuple[str, int]:
    """(call id, seq) of the call a message belongs to, for its span; ("", 0) for messages of no one call."""
    for path in CALL_PATHS:
        node: Any = message
        for name in path:
            node = getattr(node, name, None)
        call_id: str = getattr(node, "call_id", "") if node is not None else ""
        if call_id:
            return call_id, getattr(node, "seq", 0)
    return "", 0


class StageIO:
    def __init__(self, stage: str, transport: Transport,
                 scrub_dead_letter: Callable[[bytes], bytes] | None = None) -> None:
        self.stage = stage
        self.transport = transport
        self._seen = SeenKeys()
        self.scrub_dead_letter = scrub_dead_letter
        self.in_flight = 0

    def consume(self, topic: Topic, message_type: type[M], handler: Callable[[M], Awaitable[None]],
                identity: Callable[[M], Hashable], batch: int = 1, within_s: float = 0.0) -> None:
        """batch > 1: micro-batches of the topic's messages, one call's in order, calls concurrently (for
        stages whose model or store answers a batch faster than its messages one by one)."""
        work = self._decoded(topic, message_type, handler, identity)
        self.transport.subscribe(topic.name, self._guarded(topic, work), batch=batch, within_s=within_s)

    def follow(self, topic: Topic, message_type: type[M], handler: Callable[[M], Awaitable[None]],
               identity: Callable[[M], Hashable], since_s: float) -> None:
        """Every message of the topic from `since_s` ago on, in every instance (see Transport.follow)."""
        work = self._decoded(topic, message_type, handler, identity)
        self.transport.follow(topic.name, self._guarded(topic, work), since_s)

    def _decoded(self, topic: Topic, message_type: type[M], handler: Callable[[M], Awaitable[None]],
                 identity: Callable[[M], Hashable]) -> Callable[[Message], Awaitable[str]]:
        async def work(raw: Message) -> str:
            message = codec.decode(raw.value, message_type)
            key = (topic.name, identity(message))
            if key in self._seen:
                return "duplicate"
            with telemetry.consume_span(self.stage, topic.name, raw.headers, *call_of(message)):
                await handler(message)
            self._seen.add(key)  # only once handled: a rejected message is never mistaken for a duplicate
            return "ok"

        return work

    def consume_bytes(self, topic: Topic, handler: Callable[[Message], Awaitable[None]]) -> None:
        """For payloads in a foreign format (a platform's own JSON): the handler parses them itself."""
        async def work(raw: Message) -> str:
            with telemetry.consume_span(self.stage, topic.name, raw.headers):
                await handler(raw)
            return "ok"

        self.transport.subscribe(topic.name, self._guarded(topic, work))

    def _guarded(self, topic: Topic, work: Callable[[Message], Awaitable[str]]) -> Callable[[Message], Awaitable[None]]:
        """Runs work on one message: never raises; failures go to the dead-letter topic with the reason."""
        async def on_message(raw: Message) -> None:
            started = time.perf_counter()
            self.in_flight += 1
            outcome = "ok"
            ingest = telemetry.enter_message(raw.headers)
            try:
                outcome = await work(raw)
            except codec.PayloadError as error:
                outcome = "dead_letter"
                await self.dead_letter(raw, "decode_error", str(error))
            except Rejected as rejection:
                outcome = "dead_letter"
                await self.dead_letter(raw, rejection.reason, rejection.detail)
            except Exception as error:  # a bug in one message must not stop the stage
                outcome = "dead_letter"
                log.exception("%s failed on a message from %s", self.stage, topic.name)
                await self.dead_letter(raw, "processing_error", type(error).__name__)
            finally:
                telemetry.leave_message(ingest)
                self.in_flight -= 1
                telemetry.MESSAGES.labels(self.stage, topic.name, outcome).inc()
                telemetry.STAGE_LATENCY.labels(self.stage).observe(time.perf_counter() - started)

        return on_message

    async def publish(self, topic: Topic, key: str, message: ProtoMessage) -> None:
        headers = telemetry.inject_headers({"content-type": b"application/x-protobuf",
                                            "seatcopilot-type": message.DESCRIPTOR.full_name.encode()})
        telemetry.stamp_ingest(headers)
        await self.transport.publish(topic.name, key, codec.encode(message), headers)
        telemetry.PUBLISHED.labels(self.stage, topic.name).inc()

    async def dead_letter(self, raw: Message, reason: str, detail: str, payload: bytes | None = None) -> None:
        """The payload is the raw bytes, scrubbed first where the stage sees raw text (intake)."""
        if payload is None:
            payload = self.scrub_dead_letter(raw.value) if self.scrub_dead_letter else raw.value
        now = timestamp_pb2.Timestamp()
        now.GetCurrentTime()
        letter = deadletter_pb2.DeadLetter(
            stage=self.stage, source_topic=raw.topic, reason=reason, detail=detail,
            payload=payload, key=raw.key, failed_at=now,
        )
        await self.transport.publish(DEAD_LETTER.name, raw.key or "unknown", codec.encode(letter))
        telemetry.DEAD_LETTERS.labels(self.stage, reason).inc()
        log.warning("dead-lettered a message from %s: %s", raw.topic, reason)


Background = Callable[[], Coroutine[Any, Any, None]]
"""A long-running task an adapter needs beside its consumers (timers, flushes)."""
