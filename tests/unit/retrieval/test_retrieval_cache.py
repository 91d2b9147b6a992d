"""Retrieval's cache of what does not depend on the utterance (services/retrieval/cache.py): the same answers as
the store, one store request per key, cleared when the graph's generation changes, failures never kept."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from seatcopilot.encoder import shared_encoder

from services.retrieval.cache import CachedStore
from services.retrieval.config import DEFAULT_KB
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.stores import EmbeddedGraphStore, GraphQuery

SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")


class Recording:
    """The embedded store, counting the requests that reach it; `generation` and `fail` are set by a test."""

    def __init__(self, store: EmbeddedGraphStore) -> None:
        self.store = store
        self.calls: Counter[str] = Counter()
        self.generation: object = 1
        self.fail = False

    async def graph_arm(self, key):
        self.calls["graph_arm"] += 1
        await asyncio.sleep(0.01)  # concurrent callers overlap while it is in flight
        if self.fail:
            raise ConnectionError("store down")
        return await self.store.graph_arm(key)

    async def vector_arm(self, query, wanted):
        self.calls["vector_arm"] += 1
        return (await self.store.vector_arm(query, wanted))[0], self.generation

    async def eligibility(self, products):
        self.calls["eligibility"] += 1
        return await self.store.eligibility(products)

    async def healthy(self):
        return True

    async def close(self):
        return None


@pytest.fixture(scope="module")
def embedded() -> EmbeddedGraphStore:
    return EmbeddedGraphStore.build(load_knowledge_base(DEFAULT_KB), shared_encoder())


def _queries(kb) -> list[GraphQuery]:
    """Scenario × intent with entity combinations, two utterances."""
    intents = [*sorted({i for r in kb.items for i in r.intents}), "unknown"]
    entities = [{}, {"products": ("personal-loan",), "state": "IA"}, {"amount": 30000.0},
                {"products": ("secured-card", "line-of-credit"), "state": "WV", "amount": 500.0}]
    vectors = shared_encoder().encode(["what are my options", "I want to stop these calls"])
    return [GraphQuery(scenario, intent, ("opening", "discovery", "resolution")[n % 3], vectors[n % 2],
                       **entities[n % len(entities)])
            for n, (scenario, intent) in enumerate((s, i) for s in SCENARIOS for i in intents)]


def test_cached_answers_are_the_stores(embedded: EmbeddedGraphStore):
    cached = CachedStore(Recording(embedded))

    async def compare():
        pairs = []
        for query in _queries(embedded.kb) * 2:  # the second round from the cache
            pairs.append(([c.signals for c in await cached.search(query)],
                          [c.signals for c in await embedded.search(query)]))
        facts = [(await cached.eligibility(p), await embedded.eligibility(p))
                 for p in [(), ("personal-loan",), ("secured-card", "line-of-credit")] * 2]
        return pairs, facts

    pairs, facts = asyncio.run(compare())
    assert len(pairs) >= 160 and all(a == b for a, b in pairs)
    assert all(a == b for a, b in facts)


def test_a_second_identical_key_does_not_ask_the_store_again(embedded: EmbeddedGraphStore):
    recording = Recording(embedded)
    cached = CachedStore(recording)
    vector = shared_encoder().encode(["what is the apr", "can I lower my payment"])
    same_key = [GraphQuery("SALES", "rate_question", "discovery", v, products=("personal-loan",)) for v in vector]

    async def run():
        found = [await cached.search(query) for query in same_key]  # two utterances, the same situation
        await cached.eligibility(("personal-loan",))
        await cached.eligibility(("personal-loan",))
        return found, [await embedded.search(query) for query in same_key]

    found, expected = asyncio.run(run())
    assert recording.calls == {"graph_arm": 1, "vector_arm": 2, "eligibility": 2}  # () for products, then one set
    assert [[c.signals for c in r] for r in found] == [[c.signals for c in r] for r in expected]


def test_concurrent_messages_share_one_request(embedded: EmbeddedGraphStore):
    recording = Recording(embedded)
    cached = CachedStore(recording)
    query = GraphQuery("SERVICE", "fee_question", "discovery", shared_encoder().encode(["late fee?"])[0])

    async def run():
        return await asyncio.gather(*(cached.search(query) for _ in range(8)))

    results = asyncio.run(run())
    assert recording.calls["graph_arm"] == 1 and recording.calls["vector_arm"] == 8
    assert all([c.signals for c in r] == [c.signals for c in results[0]] for r in results)


def test_a_new_graph_generation_clears_the_cache(embedded: EmbeddedGraphStore):
    recording = Recording(embedded)
    cached = CachedStore(recording)
    query = GraphQuery("SALES", "fee_question", "discovery", shared_encoder().encode(["what fees"])[0])

    async def run():
        await cached.search(query)
        await cached.search(query)
        recording.generation = 2  # `kg load` changed the graph
        await cached.search(query)  # this message's vector arm reports it: the graph arm is asked again
        await cached.search(query)

    asyncio.run(run())
    assert recording.calls["graph_arm"] == 2 and recording.calls["eligibility"] == 2


def test_a_failed_request_is_not_kept(embedded: EmbeddedGraphStore):
    recording = Recording(embedded)
    cached = CachedStore(recording)
    query = GraphQuery("SALES", "fee_question", "discovery", shared_encoder().encode(["what fees"])[0])

    async def run():
        recording.fail = True
        with pytest.raises(ConnectionError):
            await cached.search(query)
        recording.fail = False
        return await cached.search(query)

    assert asyncio.run(run()) and recording.calls["graph_arm"] == 2
