"""What the Kafka integration tests share (the broker itself is a fixture: tests/integration/conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable


async def wait_for(predicate: Callable[[], object], timeout: float = 60.0, interval: float = 0.1) -> None:
    """Polls `predicate` until it holds; a broker that has not delivered by `timeout` seconds fails the test."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting for Kafka")
        await asyncio.sleep(interval)
