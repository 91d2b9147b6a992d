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


class KnowledgeStore(Protocol):
    async def search(self, query: GraphQuery) -> list[Candidate]: ...

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


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

    async def search(self, query: GraphQuery) -> list[Candidate]:
        wanted = set(wanted_products(query, self.kb.products))
        unavailable = self._unavailable_in(query.state)
        near = self._vector_hits(query)
        found = []
        for record, embedding in zip(self.records, self.embeddings, strict=True):
            if query.scenario not in record.scenarios or (record.states and query.state not in record.states):
                continue
            answers = query.intent in record.intents
            matched = tuple(sorted(wanted & set(record.products)))
            if not (answers or matched or query.intent == UNKNOWN or record.id in near):
                continue
            found.append(Candidate(
                record, embedding, answers_intent=answers, about_product=bool(matched),
                at_stage=query.stage in record.stages,
                unavailable=bool(record.products) and set(record.products) <= unavailable,
                for_state=bool(record.states), vector_hit=record.id in near, products_matched=matched,
            ))
        return sorted(found, key=lambda c: c.record.id)

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts:
        chosen = tuple(sorted((p for p in self.kb.products if not products or p.key in products), key=lambda p: p.key))
        keys = {p.key for p in chosen}
        rules = tuple(sorted((r for r in self.kb.rules if keys & set(r.products)), key=lambda r: r.id))
        return EligibilityFacts(chosen, rules, tuple(sorted(self.kb.bands, key=lambda b: b.id)))

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None
