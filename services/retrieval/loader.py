"""Loads the knowledge base into Neo4j, idempotently and without downtime.

Each fact (item, product, credit band, rule) carries a content hash. A load compares them with
the graph's and writes only what changed, all of it in one transaction: readers keep seeing the
previous version of every fact until the new one commits, and never see a fact missing. A load of
an unchanged knowledge base writes nothing (not even the embeddings are computed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from neo4j import Driver, GraphDatabase, ManagedTransaction
from seatcopilot.encoder import Encoder

from services.retrieval.knowledge import CreditBand, EligibilityRule, KnowledgeBase, KnowledgeRecord, ProductFacts
from services.retrieval.stores import embed_records

KB_NAME = "harbor"

SCHEMA = [
    "CREATE CONSTRAINT item_id IF NOT EXISTS FOR (i:Item) REQUIRE i.id IS UNIQUE",
    "CREATE CONSTRAINT product_key IF NOT EXISTS FOR (p:Product) REQUIRE p.key IS UNIQUE",
    "CREATE CONSTRAINT rule_id IF NOT EXISTS FOR (r:Rule) REQUIRE r.id IS UNIQUE",
    "CREATE CONSTRAINT credit_band_id IF NOT EXISTS FOR (b:CreditBand) REQUIRE b.id IS UNIQUE",
    "CREATE CONSTRAINT intent_name IF NOT EXISTS FOR (n:Intent) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT scenario_name IF NOT EXISTS FOR (s:Scenario) REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT stage_name IF NOT EXISTS FOR (g:Stage) REQUIRE g.name IS UNIQUE",
    "CREATE CONSTRAINT state_code IF NOT EXISTS FOR (s:State) REQUIRE s.code IS UNIQUE",
    "CREATE CONSTRAINT knowledge_base_name IF NOT EXISTS FOR (k:KnowledgeBase) REQUIRE k.name IS UNIQUE",
    "CREATE INDEX item_kind IF NOT EXISTS FOR (i:Item) ON (i.kind)",
    "CREATE INDEX rule_attribute IF NOT EXISTS FOR (r:Rule) ON (r.attribute)",
    "CREATE INDEX product_amounts IF NOT EXISTS FOR (p:Product) ON (p.amount_min, p.amount_max)",
    # Unquantised: scores are exact cosines, so the vector arm ranks as the embedded store does.
    "CREATE VECTOR INDEX item_embedding IF NOT EXISTS FOR (i:Item) ON (i.embedding) "
    "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine', "
    "`vector.quantization.enabled`: false}}",
]
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"
VECTOR_INDEX_CONFIG = "SHOW VECTOR INDEXES YIELD name, options WHERE name = 'item_embedding' RETURN options"
DROP_VECTOR_INDEX = "DROP INDEX item_embedding IF EXISTS"

EXISTING = """
MATCH (n) WHERE n:Item OR n:Product OR n:CreditBand OR n:Rule
RETURN CASE WHEN n:Item THEN 'Item' WHEN n:Product THEN 'Product' WHEN n:CreditBand THEN 'CreditBand' ELSE 'Rule' END
       AS label, coalesce(n.id, n.key) AS id, n.content_hash AS hash
"""

UPSERT_PRODUCTS = """
UNWIND $rows AS row
MERGE (p:Product {key: row.props.key})
SET p = row.props
WITH p, row
OPTIONAL MATCH (p)-[old:DESCRIBED_BY]->()
DELETE old
WITH DISTINCT p, row
MERGE (i:Item {id: row.item})
MERGE (p)-[:DESCRIBED_BY]->(i)
"""

UPSERT_ITEMS = """
UNWIND $rows AS row
MERGE (i:Item {id: row.props.id})
SET i = row.props
WITH i, row
OPTIONAL MATCH (i)-[old:APPLIES_TO|ANSWERS|ABOUT|GOVERNED_BY|USED_AT|FOR_STATE]->()
DELETE old
WITH DISTINCT i, row
FOREACH (name IN row.scenarios | MERGE (s:Scenario {name: name}) MERGE (i)-[:APPLIES_TO]->(s))
FOREACH (name IN row.intents | MERGE (n:Intent {name: name}) MERGE (i)-[:ANSWERS]->(n))
FOREACH (name IN row.stages | MERGE (g:Stage {name: name}) MERGE (i)-[:USED_AT]->(g))
FOREACH (key IN row.products | MERGE (p:Product {key: key}) MERGE (i)-[:ABOUT]->(p))
FOREACH (code IN row.states | MERGE (s:State {code: code}) MERGE (i)-[:FOR_STATE]->(s))
FOREACH (rid IN row.regulations | MERGE (r:Item {id: rid}) MERGE (i)-[:GOVERNED_BY]->(r))
"""

UPSERT_BANDS = """
UNWIND $rows AS row
MERGE (b:CreditBand {id: row.props.id})
SET b = row.props
WITH b, row
OPTIONAL MATCH (b)-[old:PRICES]->()
DELETE old
WITH DISTINCT b, row
FOREACH (price IN row.apr |
  MERGE (p:Product {key: price.product})
  MERGE (b)-[e:PRICES]->(p)
  SET e.apr_min = price.low, e.apr_max = price.high)
"""

UPSERT_RULES = """
UNWIND $rows AS row
MERGE (r:Rule {id: row.props.id})
SET r = row.props
WITH r, row
OPTIONAL MATCH (r)-[old:RESTRICTS|STATED_IN]->()
DELETE old
WITH DISTINCT r, row
OPTIONAL MATCH (:Product)-[gone:NOT_OFFERED_IN {rule: row.props.id}]->(:State)
DELETE gone
WITH DISTINCT r, row
MERGE (i:Item {id: row.stated_in})
MERGE (r)-[:STATED_IN]->(i)
FOREACH (key IN row.products |
  MERGE (p:Product {key: key})
  MERGE (r)-[:RESTRICTS]->(p)
  FOREACH (code IN row.not_in | MERGE (s:State {code: code}) MERGE (p)-[:NOT_OFFERED_IN {rule: row.props.id}]->(s)))
"""

REMOVE_ITEMS = "MATCH (n:Item) WHERE NOT n.id IN $keep DETACH DELETE n"
REMOVE_PRODUCTS = "MATCH (n:Product) WHERE NOT n.key IN $keep DETACH DELETE n"
REMOVE_BANDS = "MATCH (n:CreditBand) WHERE NOT n.id IN $keep DETACH DELETE n"
REMOVE_RULES = """
OPTIONAL MATCH (:Product)-[e:NOT_OFFERED_IN]->(:State) WHERE NOT e.rule IN $keep
DELETE e
WITH DISTINCT 1 AS done
MATCH (n:Rule) WHERE NOT n.id IN $keep
DETACH DELETE n
"""
REMOVE_ORPHANS = """
MATCH (n) WHERE (n:Scenario OR n:Intent OR n:Stage OR n:State) AND NOT (n)--()
DELETE n
"""
# generation: one more on every load that changes the graph; readers that cache the graph watch it (cache.py)
MARK_VERSION = """
MERGE (k:KnowledgeBase {name: $name})
SET k.version = $version, k.items = $items, k.rules = $rules, k.generation = coalesce(k.generation, 0) + 1
"""


@dataclass
class LoadReport:
    created_or_updated: int
    unchanged: int
    removed: int
    changed_ids: list[str] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


def _provenance(fact: Any) -> dict[str, str]:
    return {"source": fact.source, "version": fact.version, "effective_date": fact.effective_date,
            "content_hash": fact.content_hash}


def item_row(record: KnowledgeRecord, embedding: np.ndarray) -> dict[str, Any]:
    vector = np.asarray(embedding, dtype="<f4")
    props = {"id": record.id, "kind": record.kind, "title": record.title, "text": record.text,
             "embedding": [float(x) for x in vector], "embedding_f32": bytearray(vector.tobytes()),
             **_provenance(record)}
    return {"props": props, "scenarios": list(record.scenarios), "intents": list(record.intents),
            "stages": list(record.stages), "products": list(record.products), "regulations": list(record.regulations),
            "states": list(record.states)}


def product_row(product: ProductFacts) -> dict[str, Any]:
    props = {"key": product.key, "name": product.name, "apr_min": product.apr_min, "apr_max": product.apr_max,
             "amount_min": product.amount_min, "amount_max": product.amount_max,
             "terms_months": list(product.terms_months), "fees_json": json.dumps(product.fees),
             "min_payment_pct": product.min_payment_pct, "min_payment": product.min_payment,
             "representative_apr": product.representative_apr, **_provenance(product)}
    return {"props": props, "item": product.item}


def band_row(band: CreditBand) -> dict[str, Any]:
    props = {"id": band.id, "name": band.name, "score_min": band.score_min, "score_max": band.score_max,
             **_provenance(band)}
    return {"props": props, "apr": [{"product": key, "low": low, "high": high} for key, low, high in band.apr]}


def rule_row(rule: EligibilityRule) -> dict[str, Any]:
    props = {"id": rule.id, "title": rule.title, "attribute": rule.attribute, "min": rule.min, "max": rule.max,
             "one_of": list(rule.one_of), "not_in": list(rule.not_in), "only_if_stated": rule.only_if_stated,
             **_provenance(rule)}
    return {"props": props, "products": list(rule.products), "stated_in": rule.stated_in, "not_in": list(rule.not_in)}


def apply_schema(driver: Driver) -> None:
    """Constraints and indexes (idempotent); a vector index built with other settings is rebuilt."""
    rows, _, _ = driver.execute_query(VECTOR_INDEX_CONFIG)
    if rows and rows[0]["options"]["indexConfig"].get("vector.quantization.enabled") is not False:
        driver.execute_query(DROP_VECTOR_INDEX)
    for statement in SCHEMA:
        driver.execute_query(statement)
    driver.execute_query(AWAIT_INDEXES)


def _changes(driver: Driver, kb: KnowledgeBase) -> tuple[dict[str, list[Any]], dict[str, int]]:
    rows, _, _ = driver.execute_query(EXISTING)
    known = {(row["label"], row["id"]): row["hash"] for row in rows}
    wanted = {"Item": (kb.items, "id"), "Product": (kb.products, "key"), "CreditBand": (kb.bands, "id"),
              "Rule": (kb.rules, "id")}
    changed, removed = {}, {}
    for label, (facts, key) in wanted.items():
        changed[label] = [f for f in facts if known.get((label, getattr(f, key))) != f.content_hash]
        keep = {getattr(f, key) for f in facts}
        removed[label] = sum(1 for (lab, fact_id) in known if lab == label and fact_id not in keep)
    return changed, removed


def _write(tx: ManagedTransaction, statements: list[tuple[str, dict[str, Any]]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for query, parameters in statements:
        counters = tx.run(query, parameters).consume().counters
        for name in ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
                     "properties_set"):
            totals[name] = totals.get(name, 0) + getattr(counters, name)
    return totals


def _statements(kb: KnowledgeBase, changed: dict[str, list[Any]],
                embeddings: list[np.ndarray]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (UPSERT_PRODUCTS, {"rows": [product_row(p) for p in changed["Product"]]}),
        (UPSERT_ITEMS, {"rows": [item_row(r, e) for r, e in zip(changed["Item"], embeddings, strict=True)]}),
        (UPSERT_BANDS, {"rows": [band_row(b) for b in changed["CreditBand"]]}),
        (UPSERT_RULES, {"rows": [rule_row(r) for r in changed["Rule"]]}),
        (REMOVE_ITEMS, {"keep": [r.id for r in kb.items]}),
        (REMOVE_PRODUCTS, {"keep": list(kb.product_keys)}),
        (REMOVE_BANDS, {"keep": [b.id for b in kb.bands]}),
        (REMOVE_RULES, {"keep": [r.id for r in kb.rules]}),
        (REMOVE_ORPHANS, {}),
        (MARK_VERSION, {"name": KB_NAME, "version": kb.version, "items": len(kb.items), "rules": len(kb.rules)}),
    ]


def load_knowledge_base_into(driver: Driver, kb: KnowledgeBase, encoder: Callable[[], Encoder]) -> LoadReport:
    """Writes what changed in one transaction; `encoder` is only called when some item changed."""
    apply_schema(driver)
    changed, removed = _changes(driver, kb)
    total = sum(len(facts) for facts in changed.values())
    facts = len(kb.items) + len(kb.products) + len(kb.bands) + len(kb.rules)
    ids = sorted(getattr(f, "id", None) or f.key for group in changed.values() for f in group)
    if total == 0 and not any(removed.values()):
        return LoadReport(0, facts, 0)
    embeddings = list(embed_records(encoder(), changed["Item"])) if changed["Item"] else []
    with driver.session() as session:
        counters = session.execute_write(_write, _statements(kb, changed, embeddings))
    return LoadReport(total, facts - total, sum(removed.values()), ids, counters)


def load_into_neo4j(uri: str, user: str, password: str, kb: KnowledgeBase,
                    encoder: Callable[[], Encoder]) -> LoadReport:
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        return load_knowledge_base_into(driver, kb, encoder)
