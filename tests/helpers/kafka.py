"""What the Kafka integration tests share (the broker itself is a fixture: tests/integration/conftest.py)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

from seatcopilot.topics import Topic


async def wait_for(predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> None:
    """Polls `predicate` until it holds; a broker that has not delivered by `timeout` seconds fails the test."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for Kafka")
        await asyncio.sleep(interval)


def fresh_topic() -> Topic:
    """A topic no other test uses."""
    return Topic(f"test.{uuid.uuid4().hex[:10]}", "test", "seatcopilot.events.v1.CallEvent", "test topic")


def make_topics(bootstrap: str, *topics: Topic) -> None:
    from kafka.admin import KafkaAdminClient, NewTopic

    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(t.name, 3, 1) for t in topics])
    admin.close()
