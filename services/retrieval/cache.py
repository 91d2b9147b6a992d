"""What retrieval asks the store that does not depend on the utterance, kept per graph generation: a search's
graph arm per (scenario, intent, stage, state, products) and the product facts per product set. A message then
costs the store one round trip (the vector arm) instead of two, and calls in the same situation share the
answers. The vector arm reports the graph's generation (the loader counts it up on every load that changes the
graph); a new one clears the cache, so a reload is seen from the next message on.

Entries are the store's in-flight or finished requests (asyncio tasks), kept by functools.lru_cache: concurrent
messages with the same key share one request; a failed request is not kept."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from functools import lru_cache
from typing import Generic, TypeVar

from prometheus_client import Counter

from services.retrieval.eligibility import EligibilityFacts
from services.retrieval.stores import Candidate, GraphKey, GraphQuery, SplitStore, merge_arms, wanted_products

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
LOOKUPS = Counter("seatcopilot_retrieval_cache_lookups_total", "Retrieval cache lookups", ["part", "result"])
DEFAULT_ENTRIES = 4096  # graph arms of a few dozen items each (shared records): a few MB at most


class _Cached(Generic[K, T]):
    """Bounded memo of one store request kind; the store is asked once per key while the entry lives."""

    def __init__(self, part: str, fetch: Callable[[K], Awaitable[T]], entries: int) -> None:
        self.part = part
        self.fetch = fetch
        self.requested = lru_cache(maxsize=entries)(self._start)

    def _start(self, key: K) -> asyncio.Future[T]:
        task: asyncio.Future[T] = asyncio.ensure_future(self.fetch(key))
        task.add_done_callback(self._forget_failure)
        return task

    def _forget_failure(self, task: asyncio.Future[T]) -> None:
        """A failed request is not kept (clearing all is simplest; failures are rare), and its exception counts
        as seen even when every caller gave up waiting (their deadline), so asyncio does not log it."""
        if task.cancelled() or task.exception() is not None:
            self.requested.cache_clear()

    async def get(self, key: K) -> T:
        hits = self.requested.cache_info().hits
        task = self.requested(key)
        LOOKUPS.labels(self.part, "hit" if self.requested.cache_info().hits > hits else "miss").inc()
        return await asyncio.shield(task)  # a caller's timeout does not cancel the request others share

    def clear(self) -> None:
        self.requested.cache_clear()


class CachedStore:
    """A SplitStore (either store) with its per-situation answers cached; the same interface as the store."""

    def __init__(self, store: SplitStore, entries: int = DEFAULT_ENTRIES) -> None:
        self.store = store
        self.generation: object = None
        self._graph = _Cached("graph_arm", store.graph_arm, entries)
        self._facts = _Cached("eligibility", store.eligibility, entries)

    async def search(self, query: GraphQuery) -> list[Candidate]:
        wanted = wanted_products(query, (await self.eligibility(())).products)
        near, generation = await self.store.vector_arm(query, wanted)
        if generation is not None and generation != self.generation:
            if self.generation is not None:  # not the first one seen: the graph was reloaded since
                self.clear()
            self.generation = generation
        return merge_arms(await self._graph.get(GraphKey.of(query, wanted)), near)

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts:
        return await self._facts.get(tuple(products))

    def clear(self) -> None:
        self._graph.clear()
        self._facts.clear()

    async def healthy(self) -> bool:
        return await self.store.healthy()

    async def close(self) -> None:
        self.clear()
        await self.store.close()
