"""The transport interface every stage adapter talks to, whatever carries the messages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    topic: str
    key: str
    value: bytes
    headers: Mapping[str, bytes] = field(default_factory=dict)


Handler = Callable[[Message], Awaitable[None]]


class Transport(Protocol):
    """Keyed, per-key-ordered publish/subscribe with at-least-once delivery."""

    def subscribe(self, topic: str, handler: Handler) -> None:
        """Registers a handler; call before start(). Messages of one key arrive in order."""

    async def publish(self, topic: str, key: str, value: bytes,
                      headers: Mapping[str, bytes] | None = None) -> None:
        """Returns once the message is durably accepted (acks=all on Kafka)."""

    async def start(self) -> None: ...

    async def stop(self) -> None:
        """Stops consuming, lets in-flight handlers finish, commits and flushes."""

    async def healthy(self) -> bool: ...
