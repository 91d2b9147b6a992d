"""In-process transport for the embedded mode and unit tests: the same interface as Kafka.

One queue and one worker per subscription keeps every key (indeed every topic) in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterator, Mapping

from seatcopilot.transport.base import Handler, Message, run_keyed

log = logging.getLogger(__name__)


class MemoryTable:
    """The embedded mode's state table: a dict (one process, nothing to recover)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def __setitem__(self, key: str, value: bytes) -> None:
        self._data[key] = value

    def __delitem__(self, key: str) -> None:
        self._data.pop(key, None)

    def __contains__(self, key: str) -> bool:
        return key in self._data

    def items(self) -> Iterator[tuple[str, bytes]]:
        return iter(list(self._data.items()))


class InProcessTransport:
    def __init__(self, max_queue: int = 10_000) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._queues: list[tuple[asyncio.Queue[Message], Handler]] = []
        self._batch: dict[int, int] = {}  # id(queue) → micro-batch size
        self._by_topic: dict[str, list[asyncio.Queue[Message]]] = defaultdict(list)
        self._workers: list[asyncio.Task[None]] = []
        self._max_queue = max_queue
        self._taps: dict[str, list[asyncio.Queue[Message]]] = defaultdict(list)
        self._running = False
        self.batches: list[int] = []  # sizes of the last micro-batches handled (bounded), for tests and metrics

    def subscribe(self, topic: str, handler: Handler, batch: int = 1, within_s: float = 0.0) -> None:
        """Batches here take what is already queued (no waiting: one process, nothing in flight elsewhere)."""
        queue: asyncio.Queue[Message] = asyncio.Queue(self._max_queue)
        self._queues.append((queue, handler))
        self._batch[id(queue)] = max(1, batch)
        self._by_topic[topic].append(queue)

    def follow(self, topic: str, handler: Handler, since_s: float) -> None:
        self.subscribe(topic, handler)  # one process: it sees every message anyway

    def table(self, name: str, *, retention_s: float = 0) -> MemoryTable:
        return MemoryTable(name)

    def tap(self, topic: str) -> asyncio.Queue[Message]:
        """A queue receiving every message published to topic from now on (for readers like the console)."""
        queue: asyncio.Queue[Message] = asyncio.Queue()
        self._taps[topic].append(queue)
        return queue

    async def publish(self, topic: str, key: str, value: bytes,
                      headers: Mapping[str, bytes] | None = None) -> None:
        message = Message(topic, key, value, dict(headers or {}))
        for queue in self._by_topic.get(topic, []):
            await queue.put(message)
        for queue in self._taps.get(topic, []):
            queue.put_nowait(message)

    async def start(self) -> None:
        self._running = True
        self._workers = [asyncio.create_task(self._work(q, h)) for q, h in self._queues]

    async def _work(self, queue: asyncio.Queue[Message], handler: Handler) -> None:
        size = self._batch.get(id(queue), 1)
        while True:
            messages = [await queue.get()]
            while len(messages) < size and not queue.empty():
                messages.append(queue.get_nowait())
            self.batches = [*self.batches, len(messages)][-1000:]
            try:
                await run_keyed(messages, handler)
            except Exception:  # the adapters dead-letter; this only guards the worker itself
                log.exception("unhandled error in handler for %s", messages[0].topic)
            finally:
                for _ in messages:
                    queue.task_done()

    async def join(self) -> None:
        """Waits until every queue is empty and idle, including messages published meanwhile."""
        while True:
            for queue, _ in self._queues:
                await queue.join()
            await asyncio.sleep(0)
            if all(queue.empty() and queue._unfinished_tasks == 0  # type: ignore[attr-defined]  # join() cannot be polled
                   for queue, _ in self._queues):
                return

    async def stop(self, drain_timeout_s: float | None = None) -> None:
        """Drains every queue first (a replay's last events are handled); with a timeout, whatever is
        still queued then is dropped and counted: an interactive run quits promptly behind a model backlog."""
        if self._running:
            try:
                await asyncio.wait_for(self.join(), drain_timeout_s)
            except TimeoutError:
                left = sum(queue.qsize() for queue, _ in self._queues)
                log.warning("stopping with %d queued messages not handled (drain timeout %.0f s)",
                            left, drain_timeout_s)
        for worker in self._workers:
            worker.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._running = False

    async def healthy(self) -> bool:
        return self._running
