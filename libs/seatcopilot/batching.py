"""Dynamic micro-batching: concurrent single-utterance requests are run through the model together.

A worker thread takes the first waiting request, then gathers more until `max_batch` or until
`max_wait_s` has passed since the first, and answers them all from one forward pass."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Generic, TypeVar

R = TypeVar("R")
_STOP = object()


class MicroBatcher(Generic[R]):
    def __init__(self, run: Callable[[list[str]], Iterable[R]], max_batch: int = 32, max_wait_s: float = 0.002,
                 name: str = "micro-batcher") -> None:
        if max_batch < 1 or max_wait_s < 0:
            raise ValueError("max_batch must be ≥ 1 and max_wait_s ≥ 0")
        self._run = run
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.Queue = queue.Queue()
        self.batches: list[int] = []  # sizes of the last batches run (bounded), for tests and metrics
        self._worker = threading.Thread(target=self._loop, name=name, daemon=True)
        self._closed = False
        self._worker.start()

    def submit(self, text: str) -> Future[R]:
        if self._closed:
            raise RuntimeError("micro-batcher is closed")
        future: Future[R] = Future()
        self._queue.put((text, future))
        return future

    def run(self, texts: list[str], timeout: float | None = None) -> list[R]:
        """Results for texts, each batched with whatever else is waiting."""
        futures = [self.submit(text) for text in texts]
        return [future.result(timeout) for future in futures]

    def close(self) -> None:
        self._closed = True
        self._queue.put(_STOP)
        self._worker.join(timeout=5)

    def _gather(self, first: tuple) -> tuple[list[tuple], bool]:
        items, deadline = [first], time.monotonic() + self.max_wait_s
        while len(items) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return items, True
            items.append(item)
        return items, False

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is _STOP:
                break
            items, stop = self._gather(first)
            self.batches = [*self.batches, len(items)][-1000:]
            try:
                results = self._run([text for text, _ in items])
                for (_, future), result in zip(items, results, strict=True):
                    future.set_result(result)
            except Exception as error:  # every waiting caller gets the model's failure
                for _, future in items:
                    if not future.done():
                        future.set_exception(error)
