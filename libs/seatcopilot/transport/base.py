"""The transport interface every stage adapter talks to, whatever carries the messages."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    value: bytes
    headers: Mapping[str, bytes] = field(default_factory=dict)


Handler = Callable[[Message], Awaitable[None]]


async def run_keyed(messages: Sequence[Message], handler: Handler) -> None:
    """A micro-batch of messages: each key's messages one after another in their order, different keys at
    once (so a stage's model or store sees them together); returns when all are handled."""
    by_key: dict[str, list[Message]] = {}
    for message in messages:
        by_key.setdefault(message.key, []).append(message)

    async def in_order(mine: list[Message]) -> None:
        for message in mine:
            await handler(message)

    await asyncio.gather(*(in_order(mine) for mine in by_key.values()))


class StateTable(Protocol):
    """A keyed state store that outlives the process where the transport provides one.

    Keys are the same keys the topics use (call_id), so a key's state lives in the partition its
    messages arrive on. Values are bytes (the caller's serialized message).
    """

    name: str

    def get(self, key: str) -> bytes | None: ...

    def __setitem__(self, key: str, value: bytes) -> None: ...

    def __delitem__(self, key: str) -> None: ...

    def __contains__(self, key: str) -> bool: ...

    def items(self) -> Iterator[tuple[str, bytes]]: ...


class Transport(Protocol):
    """Keyed, per-key-ordered publish/subscribe with at-least-once delivery."""

    def subscribe(self, topic: str, handler: Handler, batch: int = 1, within_s: float = 0.0) -> None:
        """Registers a handler; call before start(). Messages of one key arrive in order. With batch > 1,
        up to `batch` messages waiting (gathered for at most `within_s`) are handled together: one key's
        in order, different keys concurrently (run_keyed); the next batch starts when all are handled."""

    async def publish(self, topic: str, key: str, value: bytes,
                      headers: Mapping[str, bytes] | None = None) -> None:
        """Returns once the message is durably accepted (acks=all on Kafka)."""

    def follow(self, topic: str, handler: Handler, since_s: float) -> None:
        """Like subscribe, but every instance receives every message (no consumer group, nothing
        committed), starting with those published in the last `since_s` seconds: for state that each
        replica needs whole, such as a ledger of ended calls. Call before start()."""

    def table(self, name: str, *, retention_s: float = 0) -> StateTable:
        """A state table; call before start(). Kafka: a Faust table whose changelog topic restores it
        after a restart or a rebalance (each instance holds the keys of the partitions it consumes);
        `retention_s` lets the changelog drop entries older than that (0: compacted, kept). In-process: a dict."""

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stops consuming, lets in-flight handlers finish, commits and flushes."""

    async def healthy(self) -> bool: ...
