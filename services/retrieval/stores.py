"""Knowledge stores with one interface: Neo4j (distributed mode) and an embedded graph (embedded mode).

Both answer the same graph question — the items that apply to a scenario and answer an intent or
concern a product the customer named — and return each item's embedding, so ranking is the same
code over the same numbers whichever store answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from seatcopilot.encoder import Encoder

from services.retrieval.knowledge import KnowledgeRecord

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Candidate:
    record: KnowledgeRecord
    embedding: np.ndarray
    answers_intent: bool
    about_product: bool


class KnowledgeStore(Protocol):
    async def candidates(self, scenario: str, intent: str, products: list[str]) -> list[Candidate]: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


def embed_records(encoder: Encoder, records: list[KnowledgeRecord]) -> np.ndarray:
    return encoder.encode([f"{r.title}. {r.text}" for r in records])


class EmbeddedGraphStore:
    """The knowledge graph in memory: nodes are items, edges are their scenario/intent/product links."""

    def __init__(self, records: list[KnowledgeRecord], embeddings: np.ndarray) -> None:
        self.records = records
        self.embeddings = embeddings

    async def candidates(self, scenario: str, intent: str, products: list[str]) -> list[Candidate]:
        found = []
        for record, embedding in zip(self.records, self.embeddings, strict=True):
            if scenario not in record.scenarios:
                continue
            answers = intent in record.intents
            about = bool(set(products) & set(record.products))
            if answers or about or intent == UNKNOWN:
                found.append(Candidate(record, embedding, answers, about))
        return found

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        return None


CANDIDATES_QUERY = """
MATCH (i:Item)-[:APPLIES_TO]->(:Scenario {name: $scenario})
OPTIONAL MATCH (i)-[a:ANSWERS]->(:Intent {name: $intent})
OPTIONAL MATCH (i)-[p:ABOUT]->(product:Product) WHERE product.key IN $products
WITH i, count(a) > 0 AS answers, count(p) > 0 AS about
WHERE answers OR about OR $intent = $unknown
OPTIONAL MATCH (i)-[:APPLIES_TO]->(s:Scenario)
OPTIONAL MATCH (i)-[:ANSWERS]->(n:Intent)
OPTIONAL MATCH (i)-[:ABOUT]->(pr:Product)
OPTIONAL MATCH (i)-[:GOVERNED_BY]->(r:Item)
RETURN i.id AS id, i.kind AS kind, i.title AS title, i.text AS text, i.source AS source,
       i.version AS version, i.effective_date AS effective_date, i.embedding AS embedding,
       answers, about, collect(DISTINCT s.name) AS scenarios, collect(DISTINCT n.name) AS intents,
       collect(DISTINCT pr.key) AS products, collect(DISTINCT r.id) AS regulations
ORDER BY id
"""


class Neo4jStore:
    """The knowledge graph in Neo4j, loaded by `seatcopilot kg load`. Cypher always with parameters."""

    def __init__(self, uri: str, user: str, password: str) -> None:
        from neo4j import AsyncGraphDatabase

        self.driver = AsyncGraphDatabase.driver(uri, auth=(user, password), connection_timeout=3,
                                                max_transaction_retry_time=1)

    async def candidates(self, scenario: str, intent: str, products: list[str]) -> list[Candidate]:
        records, _, _ = await self.driver.execute_query(
            CANDIDATES_QUERY, scenario=scenario, intent=intent, products=products, unknown=UNKNOWN,
            routing_="r",
        )
        return [
            Candidate(
                KnowledgeRecord(
                    id=row["id"], kind=row["kind"], title=row["title"], text=row["text"],
                    scenarios=tuple(sorted(row["scenarios"])), intents=tuple(sorted(row["intents"])),
                    products=tuple(sorted(row["products"])), regulations=tuple(sorted(row["regulations"])),
                    source=row["source"], version=row["version"], effective_date=row["effective_date"],
                ),
                np.asarray(row["embedding"], dtype=np.float32), row["answers"], row["about"],
            )
            for row in records
        ]

    async def healthy(self) -> bool:
        try:
            await self.driver.verify_connectivity()
            return True
        except Exception:  # unreachable or unauthorised both mean unhealthy
            return False

    async def close(self) -> None:
        await self.driver.close()
