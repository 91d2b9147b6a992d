"""Knowledge stores with one interface: Neo4j (distributed mode, `neo4j_store.py`) and an embedded
graph (embedded mode, here).

Both answer the same two questions over the same graph:
  search     — items that apply to the call's scenario and answer the intent or concern a product
               the customer named or implied (by amount), plus the nearest items by meaning (a
               vector arm), each with the graph signals that ranking weighs and its embedding; items
               meant for customers of certain states only when the customer lives in one;
  eligibility — the products asked about, the rules that restrict them and the credit bands.
Ranking and rule evaluation are shared code, so both run modes answer alike (a parity test runs one
query set against both).

A search has two arms, and both stores answer each: the graph arm depends only on (scenario, intent, stage,
state, products): GraphKey, not on the utterance, so cache.py keeps it; the vector arm is the utterance's.
merge_arms joins them the same way for both stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from seatcopilot.encoder import Encoder

from services.retrieval.eligibility import EligibilityFacts
from services.retrieval.knowledge import KnowledgeBase, KnowledgeRecord, ProductFacts

UNKNOWN = "unknown"
VECTOR_POOL = 40  # the vector index is asked for this many, the exact top vector_k of them are kept


@dataclass(frozen=True)
class GraphQuery:
    scenario: str
    intent: str
    stage: str
    embedding: np.ndarray = field(compare=False)
    products: tuple[str, ...] = ()
    state: str = ""
    amount: float | None = None
    vector_k: int = 12


@dataclass(frozen=True)
class Candidate:
    record: KnowledgeRecord
    embedding: np.ndarray = field(compare=False)
    answers_intent: bool = False
    about_product: bool = False
    at_stage: bool = False
    unavailable: bool = False  # every product it is about is not offered in the customer's state
    for_state: bool = False  # meant for customers in the customer's state
    vector_hit: bool = False
    products_matched: tuple[str, ...] = ()

    @property
    def signals(self) -> tuple[object, ...]:
        return (self.record.id, self.answers_intent, self.about_product, self.at_stage, self.unavailable,
                self.for_state, self.vector_hit, self.products_matched)


@dataclass(frozen=True)
class GraphKey:
    """What a search's graph arm depends on; `wanted`: the products the customer named or implied."""
    scenario: str
    intent: str
    stage: str
    state: str
    wanted: tuple[str, ...]

    @classmethod
    def of(cls, query: GraphQuery, wanted: tuple[str, ...]) -> GraphKey:
        return cls(query.scenario, query.intent, query.stage, query.state, wanted)


class KnowledgeStore(Protocol):
    async def search(self, query: GraphQuery) -> list[Candidate]: ...

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


class SplitStore(KnowledgeStore, Protocol):
    """A store that answers each arm of a search on its own (what cache.CachedStore wraps)."""

    async def graph_arm(self, key: GraphKey) -> list[Candidate]: ...

    async def vector_arm(self, query: GraphQuery, wanted: tuple[str, ...]) -> tuple[list[Candidate], object]:
        """(the utterance's nearest items, the graph's generation: it changes when the graph is reloaded)."""


def merge_arms(graph: list[Candidate], near: list[Candidate]) -> list[Candidate]:
    """The candidates of both arms by id; an item in both keeps the vector arm's (the same signals, and a hit)."""
    merged = {c.record.id: c for c in graph} | {c.record.id: c for c in near}
    return [merged[key] for key in sorted(merged)]


def embedding_text(record: KnowledgeRecord) -> str:
    return f"{record.title}. {record.text}"


def embed_records(encoder: Encoder, records: list[KnowledgeRecord] | tuple[KnowledgeRecord, ...]) -> np.ndarray:
    return encoder.encode([embedding_text(r) for r in records])


def wanted_products(query: GraphQuery, products: tuple[ProductFacts, ...]) -> tuple[str, ...]:
    """The products the customer named, or else those whose amount range holds the amount they named."""
    if query.products:
        return tuple(sorted(p.key for p in products if p.key in query.products))
    if query.amount is not None:
        return tuple(sorted(p.key for p in products if p.amount_min <= query.amount <= p.amount_max))
    return ()


class EmbeddedGraphStore:
    """The knowledge graph in memory: the same nodes and links as in Neo4j, walked in Python."""

    def __init__(self, kb: KnowledgeBase, embeddings: np.ndarray) -> None:
        self.kb = kb
        self.records = list(kb.items)
        self.embeddings = embeddings

    @classmethod
    def build(cls, kb: KnowledgeBase, encoder: Encoder) -> EmbeddedGraphStore:
        return cls(kb, embed_records(encoder, kb.items))

    def _unavailable_in(self, state: str) -> set[str]:
        return {p for rule in self.kb.rules if state and state in rule.not_in for p in rule.products}

    def _vector_hits(self, query: GraphQuery) -> set[str]:
        similarity = self.embeddings @ query.embedding.astype(np.float32)
        ranked = sorted(range(len(self.records)), key=lambda n: (-float(similarity[n]), self.records[n].id))
        return {self.records[n].id for n in ranked[:query.vector_k]}

    def _candidates(self, key: GraphKey, vector_hits: set[str] | None) -> list[Candidate]:
        """The graph arm (vector_hits None) or the vector arm: the items the scenario and state allow."""
        unavailable = self._unavailable_in(key.state)
        found = []
        for record, embedding in zip(self.records, self.embeddings, strict=True):
            if key.scenario not in record.scenarios or (record.states and key.state not in record.states):
                continue
            answers = key.intent in record.intents
            matched = tuple(sorted(set(key.wanted) & set(record.products)))
            if vector_hits is None and not (answers or matched or key.intent == UNKNOWN):
                continue
            if vector_hits is not None and record.id not in vector_hits:
                continue
            found.append(Candidate(
                record, embedding, answers_intent=answers, about_product=bool(matched),
                at_stage=key.stage in record.stages,
                unavailable=bool(record.products) and set(record.products) <= unavailable,
                for_state=bool(record.states), vector_hit=vector_hits is not None, products_matched=matched,
            ))
        return found

    async def graph_arm(self, key: GraphKey) -> list[Candidate]:
        return self._candidates(key, None)

    async def vector_arm(self, query: GraphQuery, wanted: tuple[str, ...]) -> tuple[list[Candidate], object]:
        return self._candidates(GraphKey.of(query, wanted), self._vector_hits(query)), id(self.kb)

    async def search(self, query: GraphQuery) -> list[Candidate]:
        wanted = wanted_products(query, self.kb.products)
        near, _ = await self.vector_arm(query, wanted)
        return merge_arms(await self.graph_arm(GraphKey.of(query, wanted)), near)

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts:
        chosen = tuple(sorted((p for p in self.kb.products if not products or p.key in products), key=lambda p: p.key))
        keys = {p.key for p in chosen}
        rules = tuple(sorted((r for r in self.kb.rules if keys & set(r.products)), key=lambda r: r.id))
        return EligibilityFacts(chosen, rules, tuple(sorted(self.kb.bands, key=lambda b: b.id)))

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None
