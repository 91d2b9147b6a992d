"""The knowledge graph on a real Neo4j 5 server started by `make test`, and its parity with the
embedded store the embedded mode uses."""

import asyncio
import dataclasses
import os
import time

import pytest
from neo4j import GraphDatabase
from seatcopilot.classification.v1 import classification_pb2 as cl
from seatcopilot.encoder import shared_encoder

from services.retrieval.config import DEFAULT_KB
from services.retrieval.knowledge import load_knowledge
from services.retrieval.loader import load_into_neo4j
from services.retrieval.logic import Retriever
from services.retrieval.stores import EmbeddedGraphStore, Neo4jStore, embed_records
from tests.conftest import make_event, require_server

pytestmark = pytest.mark.neo4j
SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")


@pytest.fixture(scope="module")
def neo4j():
    require_server("SEATCOPILOT_NEO4J", "Neo4j")
    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    auth = ("neo4j", os.environ.get("NEO4J_PASSWORD", "seatcopilot-dev"))
    with GraphDatabase.driver(uri, auth=auth) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n")
    return uri, auth


@pytest.fixture(scope="module")
def records():
    return load_knowledge(DEFAULT_KB)


@pytest.fixture(scope="module")
def loaded(neo4j, records):
    uri, (user, password) = neo4j
    first = load_into_neo4j(uri, user, password, records, shared_encoder())
    return first


def test_loading_is_idempotent_and_replaces_changed_items(neo4j, records, loaded):
    uri, (user, password) = neo4j
    assert loaded.created_or_updated == len(records)
    again = load_into_neo4j(uri, user, password, records, shared_encoder())
    assert (again.created_or_updated, again.unchanged, again.removed) == (0, len(records), 0)
    edited = [dataclasses.replace(r, text=r.text + " (updated)", version="99") if i == 0 else r
              for i, r in enumerate(records)]
    changed = load_into_neo4j(uri, user, password, edited, shared_encoder())
    assert changed.created_or_updated == 1
    with GraphDatabase.driver(uri, auth=(user, password)) as driver:
        rows, _, _ = driver.execute_query("MATCH (i:Item {id: $id}) RETURN i.version AS v, count(*) AS n",
                                          id=records[0].id)
        assert rows[0]["v"] == "99" and rows[0]["n"] == 1
    load_into_neo4j(uri, user, password, records, shared_encoder())  # restore


def test_schema_has_constraints_and_a_vector_index(neo4j, loaded):
    uri, auth = neo4j
    with GraphDatabase.driver(uri, auth=auth) as driver:
        indexes, _, _ = driver.execute_query("SHOW INDEXES YIELD name, type RETURN name, type")
        constraints, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name")
        query = shared_encoder().encode(["can I change my due date"])[0]
        hits, _, _ = driver.execute_query(
            "CALL db.index.vector.queryNodes('item_embedding', 3, $v) YIELD node, score RETURN node.id AS id",
            v=[float(x) for x in query])
    assert ("item_embedding", "VECTOR") in {(r["name"], r["type"]) for r in indexes}
    assert "item_id" in {r["name"] for r in constraints}
    assert len(hits) == 3


def test_neo4j_and_embedded_store_give_the_same_answers(neo4j, records, loaded):
    uri, (user, password) = neo4j
    intents = [*sorted({i for r in records for i in r.intents}), "unknown"]
    embedded = EmbeddedGraphStore(records, embed_records(shared_encoder(), records))

    async def compare():
        store = Neo4jStore(uri, user, password)
        mismatches, queries = [], 0
        try:
            for scenario in SCENARIOS:
                for intent in intents:
                    for products in ([], ["personal-loan"], ["secured-card", "line-of-credit"]):
                        queries += 1
                        a = await store.candidates(scenario, intent, products)
                        b = await embedded.candidates(scenario, intent, products)
                        key = lambda c: (c.record.id, c.answers_intent, c.about_product)  # noqa: E731
                        if sorted(map(key, a)) != sorted(map(key, b)):
                            mismatches.append((scenario, intent, products))
        finally:
            await store.close()
        return queries, mismatches

    queries, mismatches = asyncio.run(compare())
    assert queries > 200
    assert mismatches == []


def test_retrieval_ranks_the_same_on_both_stores(neo4j, records, loaded):
    uri, (user, password) = neo4j
    encoder = shared_encoder()
    embedded = Retriever(EmbeddedGraphStore(records, embed_records(encoder, records)), encoder, 2.0, 3)
    classified = cl.ClassifiedEvent(event=make_event(text="What APR would I get on a personal loan?"),
                                    classification=cl.Classification(intent="rate_question"))

    async def both():
        store = Neo4jStore(uri, user, password)
        try:
            graph = await Retriever(store, encoder, 2.0, 3).retrieve(classified)
        finally:
            await store.close()
        return graph, await embedded.retrieve(classified)

    graph, local = asyncio.run(both())
    assert [i.id for i in graph.items] == [i.id for i in local.items]
    assert all(i.source and i.version and i.effective_date for i in graph.items)
    assert not graph.degraded


def test_neo4j_down_answers_degraded_within_the_deadline():
    async def scenario():
        store = Neo4jStore("bolt://127.0.0.1:1", "neo4j", "whatever-pass")
        retriever = Retriever(store, shared_encoder(), 0.5, 3)
        classified = cl.ClassifiedEvent(event=make_event(text="what's my balance"),
                                        classification=cl.Classification(intent="balance_inquiry"))
        started = time.monotonic()
        try:
            grounded = await retriever.retrieve(classified)
        finally:
            await store.close()
        return grounded, time.monotonic() - started, await store.healthy()

    grounded, _elapsed, healthy = asyncio.run(scenario())
    assert grounded.degraded and not grounded.items
    assert not healthy
