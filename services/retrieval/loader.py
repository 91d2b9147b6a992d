"""Loads the knowledge base into Neo4j, idempotently: re-running changes nothing, an edited item
replaces its old version in one transaction (readers see the old or the new, never a mix)."""

from __future__ import annotations

from dataclasses import dataclass

from neo4j import GraphDatabase
from seatcopilot.encoder import Encoder

from services.retrieval.knowledge import KnowledgeRecord
from services.retrieval.stores import embed_records

SCHEMA = [
    "CREATE CONSTRAINT item_id IF NOT EXISTS FOR (i:Item) REQUIRE i.id IS UNIQUE",
    "CREATE CONSTRAINT intent_name IF NOT EXISTS FOR (n:Intent) REQUIRE n.name IS UNIQUE",
    "CREATE CONSTRAINT scenario_name IF NOT EXISTS FOR (s:Scenario) REQUIRE s.name IS UNIQUE",
    "CREATE CONSTRAINT product_key IF NOT EXISTS FOR (p:Product) REQUIRE p.key IS UNIQUE",
    "CREATE INDEX item_kind IF NOT EXISTS FOR (i:Item) ON (i.kind)",
    "CREATE VECTOR INDEX item_embedding IF NOT EXISTS FOR (i:Item) ON (i.embedding) "
    "OPTIONS {indexConfig: {`vector.dimensions`: 384, `vector.similarity_function`: 'cosine'}}",
]

UPSERT = """
MERGE (i:Item {id: $id})
SET i.kind = $kind, i.title = $title, i.text = $text, i.source = $source, i.version = $version,
    i.effective_date = $effective_date, i.embedding = $embedding, i.content_hash = $content_hash
WITH i
OPTIONAL MATCH (i)-[old:APPLIES_TO|ANSWERS|ABOUT|GOVERNED_BY]->()
DELETE old
WITH DISTINCT i
FOREACH (name IN $scenarios | MERGE (s:Scenario {name: name}) MERGE (i)-[:APPLIES_TO]->(s))
FOREACH (name IN $intents | MERGE (n:Intent {name: name}) MERGE (i)-[:ANSWERS]->(n))
FOREACH (key IN $products | MERGE (p:Product {key: key}) MERGE (i)-[:ABOUT]->(p))
FOREACH (rid IN $regulations | MERGE (r:Item {id: rid}) MERGE (i)-[:GOVERNED_BY]->(r))
"""

REMOVE_STALE = "MATCH (i:Item) WHERE NOT i.id IN $ids DETACH DELETE i"


@dataclass
class LoadReport:
    created_or_updated: int
    unchanged: int
    removed: int


def load_into_neo4j(uri: str, user: str, password: str, records: list[KnowledgeRecord],
                    encoder: Encoder) -> LoadReport:
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        for statement in SCHEMA:
            driver.execute_query(statement)
        existing, _, _ = driver.execute_query("MATCH (i:Item) RETURN i.id AS id, i.content_hash AS hash")
        known = {row["id"]: row["hash"] for row in existing}
        changed = [r for r in records if known.get(r.id) != r.content_hash]
        embeddings = embed_records(encoder, changed)
        with driver.session() as session:
            for record, embedding in zip(changed, embeddings, strict=True):
                session.execute_write(lambda tx, r=record, e=embedding: tx.run(
                    UPSERT, id=r.id, kind=r.kind, title=r.title, text=r.text, source=r.source,
                    version=r.version, effective_date=r.effective_date, embedding=[float(x) for x in e],
                    content_hash=r.content_hash, scenarios=list(r.scenarios), intents=list(r.intents),
                    products=list(r.products), regulations=list(r.regulations),
                ).consume())
        ids = [r.id for r in records]
        summary = driver.execute_query(REMOVE_STALE, ids=ids).summary
        return LoadReport(len(changed), len(records) - len(changed), summary.counters.nodes_deleted)
