"""The knowledge graph in Neo4j, loaded by `seatcopilot kg load` (loader.py).

Graph: (:Item) facts linked APPLIES_TO (:Scenario), ANSWERS (:Intent), USED_AT (:Stage), ABOUT
(:Product), FOR_STATE (:State) and GOVERNED_BY regulation items; (:Rule)-[:RESTRICTS]->(:Product),
(:Rule)-[:STATED_IN]->(:Item), (:Product)-[:NOT_OFFERED_IN]->(:State); (:CreditBand)-[:PRICES]->(:Product).
A vector index covers the items' MiniLM embeddings (`embedding`); queries return the same vector as
little-endian float32 bytes (`embedding_f32`), an order of magnitude less to decode than a list of floats.

Every query is a constant with parameters: nothing a caller sends is ever spliced into Cypher.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import numpy as np

from services.retrieval.eligibility import EligibilityFacts
from services.retrieval.knowledge import CreditBand, EligibilityRule, KnowledgeRecord, ProductFacts
from services.retrieval.loader import KB_NAME
from services.retrieval.stores import (
    UNKNOWN,
    VECTOR_POOL,
    Candidate,
    GraphKey,
    GraphQuery,
    merge_arms,
    wanted_products,
)

VECTOR_INDEX = "item_embedding"

# A search's two arms (stores.py): each row is an item the scenario and the customer's state allow, with the
# signals ranking weighs. Both start from the products not offered in the customer's state.
_UNAVAILABLE = """
OPTIONAL MATCH (x:Product)-[:NOT_OFFERED_IN]->(:State {code: $state})
WITH $wanted AS wanted, collect(DISTINCT x.key) AS unavailable
"""
_ALLOWED = """
WHERE EXISTS { (i)-[:APPLIES_TO]->(:Scenario {name: $scenario}) }
  AND (NOT EXISTS { (i)-[:FOR_STATE]->(:State) } OR EXISTS { (i)-[:FOR_STATE]->(:State {code: $state}) })
WITH i, wanted, unavailable, vector_hit, generation, [(i)-[:ABOUT]->(q:Product) | q.key] AS products
RETURN i.id AS id, i.kind AS kind, i.title AS title, i.text AS text, i.source AS source, i.version AS version,
       i.effective_date AS effective_date, i.embedding_f32 AS embedding, vector_hit,
       EXISTS { (i)-[:ANSWERS]->(:Intent {name: $intent}) } AS answers,
       EXISTS { (i)-[:USED_AT]->(:Stage {name: $stage}) } AS at_stage,
       [k IN products WHERE k IN wanted] AS matched,
       size(products) > 0 AND all(k IN products WHERE k IN unavailable) AS unavailable,
       EXISTS { (i)-[:FOR_STATE]->(:State) } AS for_state, [(i)-[:FOR_STATE]->(t:State) | t.code] AS states,
       products, [(i)-[:APPLIES_TO]->(s:Scenario) | s.name] AS scenarios,
       [(i)-[:ANSWERS]->(n:Intent) | n.name] AS intents, [(i)-[:USED_AT]->(g:Stage) | g.name] AS stages,
       [(i)-[:GOVERNED_BY]->(r:Item) | r.id] AS regulations, generation
ORDER BY id
"""
GRAPH_ARM = _UNAVAILABLE + """
MATCH (i:Item)
WHERE $intent = $unknown
   OR EXISTS { (i)-[:ANSWERS]->(:Intent {name: $intent}) }
   OR EXISTS { (i)-[:ABOUT]->(q:Product) WHERE q.key IN wanted }
WITH i, wanted, unavailable, false AS vector_hit, null AS generation
""" + _ALLOWED
VECTOR_ARM = _UNAVAILABLE + """
OPTIONAL MATCH (kb:KnowledgeBase {name: $kb})
WITH wanted, unavailable, kb.generation AS generation
CALL db.index.vector.queryNodes('item_embedding', $vector_pool, $embedding) YIELD node
WITH node, wanted, unavailable, generation, vector.similarity.cosine(node.embedding, $embedding) AS similarity
ORDER BY similarity DESC, node.id LIMIT $vector_k
WITH node AS i, wanted, unavailable, true AS vector_hit, generation
""" + _ALLOWED

ELIGIBILITY = """
MATCH (p:Product) WHERE size($products) = 0 OR p.key IN $products
WITH collect(p) AS chosen
RETURN [p IN chosen | p {.*, item: [(p)-[:DESCRIBED_BY]->(i:Item) | i.id][0]}] AS products,
       COLLECT {
         MATCH (r:Rule)-[:RESTRICTS]->(p:Product) WHERE p IN chosen
         RETURN DISTINCT r {.*, products: [(r)-[:RESTRICTS]->(q:Product) | q.key],
                            stated_in: [(r)-[:STATED_IN]->(i:Item) | i.id][0]}
       } AS rules,
       COLLECT {
         MATCH (b:CreditBand)
         RETURN b {.*, apr: [(b)-[e:PRICES]->(q:Product) | [q.key, e.apr_min, e.apr_max]]}
       } AS bands
"""


def _sorted(values: list[Any]) -> tuple[Any, ...]:
    return tuple(sorted(values))


def record_from_row(row: Any) -> KnowledgeRecord:
    return KnowledgeRecord(
        id=row["id"], kind=row["kind"], title=row["title"], text=row["text"],
        scenarios=_sorted(row["scenarios"]), intents=_sorted(row["intents"]), products=_sorted(row["products"]),
        regulations=_sorted(row["regulations"]), source=row["source"], version=row["version"],
        effective_date=row["effective_date"], stages=_sorted(row["stages"]), states=_sorted(row["states"]),
    )


def candidate_from_row(row: Any) -> Candidate:
    return Candidate(
        record_from_row(row), np.frombuffer(row["embedding"], dtype="<f4"), answers_intent=row["answers"],
        about_product=bool(row["matched"]), at_stage=row["at_stage"], unavailable=row["unavailable"],
        for_state=row["for_state"], vector_hit=row["vector_hit"], products_matched=_sorted(row["matched"]),
    )


def _provenance(props: dict[str, Any]) -> dict[str, str]:
    return {"source": props["source"], "version": props["version"], "effective_date": props["effective_date"]}


def product_from_props(props: dict[str, Any]) -> ProductFacts:
    return ProductFacts(
        key=props["key"], name=props["name"], item=props["item"], apr_min=props["apr_min"],
        apr_max=props["apr_max"], amount_min=props["amount_min"], amount_max=props["amount_max"],
        terms_months=tuple(props["terms_months"] or ()),
        fees=tuple((name, value) for name, value in json.loads(props["fees_json"])),
        min_payment_pct=props["min_payment_pct"], min_payment=props["min_payment"],
        representative_apr=props.get("representative_apr") or 0.0, **_provenance(props),
    )


def rule_from_props(props: dict[str, Any]) -> EligibilityRule:
    return EligibilityRule(
        id=props["id"], title=props["title"], attribute=props["attribute"], products=_sorted(props["products"]),
        stated_in=props["stated_in"], min=props.get("min"), max=props.get("max"),
        one_of=tuple(props.get("one_of") or ()), not_in=tuple(props.get("not_in") or ()),
        only_if_stated=props["only_if_stated"], **_provenance(props),
    )


def band_from_props(props: dict[str, Any]) -> CreditBand:
    return CreditBand(id=props["id"], name=props["name"], score_min=props["score_min"], score_max=props["score_max"],
                      apr=_sorted([tuple(a) for a in props["apr"]]), **_provenance(props))


class Neo4jStore:
    """Reads the graph with the async driver; every query is a parameterised constant."""

    def __init__(self, uri: str, user: str, password: str, connection_timeout_s: float = 3.0) -> None:
        from neo4j import AsyncGraphDatabase

        self.driver = AsyncGraphDatabase.driver(uri, auth=(user, password),
                                                connection_timeout=connection_timeout_s,
                                                connection_acquisition_timeout=connection_timeout_s,
                                                max_transaction_retry_time=1)

    async def _rows(self, statement: str, key: GraphKey, **parameters: Any) -> list[Any]:
        records, _, _ = await self.driver.execute_query(
            statement, scenario=key.scenario, intent=key.intent, stage=key.stage, state=key.state,
            wanted=list(key.wanted), unknown=UNKNOWN, routing_="r", **parameters)
        return records

    async def graph_arm(self, key: GraphKey) -> list[Candidate]:
        return [candidate_from_row(row) for row in await self._rows(GRAPH_ARM, key)]

    async def vector_arm(self, query: GraphQuery, wanted: tuple[str, ...]) -> tuple[list[Candidate], object]:
        """One round trip; its rows also carry the graph's generation (None when no item is near enough)."""
        rows = await self._rows(VECTOR_ARM, GraphKey.of(query, wanted), kb=KB_NAME,
                                embedding=[float(x) for x in query.embedding], vector_k=query.vector_k,
                                vector_pool=max(VECTOR_POOL, query.vector_k))
        return [candidate_from_row(row) for row in rows], (rows[0]["generation"] if rows else None)

    async def search(self, query: GraphQuery) -> list[Candidate]:
        """Uncached (cache.CachedStore keeps the graph arm and the product facts): three round trips."""
        wanted = wanted_products(query, (await self.eligibility(())).products)
        graph, (near, _) = await asyncio.gather(self.graph_arm(GraphKey.of(query, wanted)),
                                                self.vector_arm(query, wanted))
        return merge_arms(graph, near)

    async def eligibility(self, products: tuple[str, ...]) -> EligibilityFacts:
        records, _, _ = await self.driver.execute_query(ELIGIBILITY, products=list(products), routing_="r")
        row = records[0]
        return EligibilityFacts(
            tuple(sorted((product_from_props(p) for p in row["products"]), key=lambda p: p.key)),
            tuple(sorted((rule_from_props(r) for r in row["rules"]), key=lambda r: r.id)),
            tuple(sorted((band_from_props(b) for b in row["bands"]), key=lambda b: b.id)),
        )

    async def healthy(self) -> bool:
        try:
            await self.driver.verify_connectivity()
            return True
        except Exception:  # unreachable or unauthorised both mean unhealthy
            return False

    async def close(self) -> None:
        await self.driver.close()
