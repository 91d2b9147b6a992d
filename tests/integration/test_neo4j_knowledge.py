"""The knowledge graph on a real Neo4j 5 server (started by make test): `seatcopilot kg load` into an
empty one, idempotence, an update while readers read, parity with the embedded store on one
query set, Cypher injection attempts, and an outage (Neo4j stopped and started again)."""

import asyncio
import dataclasses
import os
import subprocess
import time

import numpy as np
import pytest
from neo4j import GraphDatabase
from seatcopilot.encoder import shared_encoder

from seatcopilot_models.retrieval_eval import classified, load_queries, run_queries
from services.retrieval.cache import CachedStore
from services.retrieval.config import DEFAULT_KB
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.loader import load_knowledge_base_into
from services.retrieval.logic import RetrievalSettings, Retriever
from services.retrieval.neo4j_store import Neo4jStore
from services.retrieval.stores import EmbeddedGraphStore, GraphQuery
from tests.helpers import ROOT, require_server

pytestmark = pytest.mark.neo4j
SCENARIOS = ("SALES", "SERVICE", "COLLECTIONS")
COUNT_FACTS = "MATCH (n) WHERE n:Item OR n:Product OR n:Rule OR n:CreditBand RETURN count(n) AS n"
COUNT_ALL = "MATCH (n) RETURN count(n) AS n"


# What "fresh" means for the loader: no facts and none of its schema. (make test starts Neo4j from a
# clean state and the end-to-end test runs `kg load` on it first; this puts it back to that state.)
WIPE = [
    "MATCH (n) DETACH DELETE n",
    "DROP INDEX item_embedding IF EXISTS",
    "DROP INDEX item_kind IF EXISTS",
    "DROP INDEX rule_attribute IF EXISTS",
    "DROP INDEX product_amounts IF EXISTS",
    "DROP CONSTRAINT item_id IF EXISTS",
    "DROP CONSTRAINT product_key IF EXISTS",
    "DROP CONSTRAINT rule_id IF EXISTS",
    "DROP CONSTRAINT credit_band_id IF EXISTS",
    "DROP CONSTRAINT intent_name IF EXISTS",
    "DROP CONSTRAINT scenario_name IF EXISTS",
    "DROP CONSTRAINT stage_name IF EXISTS",
    "DROP CONSTRAINT state_code IF EXISTS",
    "DROP CONSTRAINT knowledge_base_name IF EXISTS",
]
SCHEMA_LEFT = "SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' RETURN count(*) AS n"


def infra(*args: str) -> None:
    env = {**os.environ, "INFRA_PY_CHECK": "0"}  # the script's own checks (port, Bolt handshake) suffice here
    subprocess.run([str(ROOT / "scripts" / "infra.sh"), *args], check=True, timeout=300, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL)


class CachedEncoder:
    """The shared encoder, remembering sentences it has encoded (both stores see the same query texts)."""

    def __init__(self):
        self.inner, self.known = shared_encoder(), {}

    def encode(self, texts):
        missing = [t for t in texts if t not in self.known]
        if missing:
            self.known.update(zip(missing, self.inner.encode(missing), strict=True))
        return np.stack([self.known[t] for t in texts])


def cli(*args: str) -> str:
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "seatcopilot"), *args], check=True, timeout=300,
                            capture_output=True, text=True, env=os.environ)
    return result.stdout


@pytest.fixture(scope="module")
def neo4j():
    require_server("SEATCOPILOT_NEO4J", "Neo4j")
    uri = os.environ.get("NEO4J_URI", "bolt://127.0.0.1:7687")
    auth = ("neo4j", os.environ.get("NEO4J_PASSWORD", "seatcopilot-dev"))
    with GraphDatabase.driver(uri, auth=auth) as driver:
        for statement in WIPE:
            driver.execute_query(statement)
        assert driver.execute_query(SCHEMA_LEFT).records[0]["n"] == 0
        assert driver.execute_query(COUNT_ALL).records[0]["n"] == 0
    return uri, auth


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(DEFAULT_KB)


@pytest.fixture(scope="module")
def loads(neo4j):
    return cli("kg", "load"), cli("kg", "load")


@pytest.fixture(scope="module")
def driver(neo4j, loads):
    uri, auth = neo4j
    with GraphDatabase.driver(uri, auth=auth) as driver:
        yield driver


def facts_in(kb) -> int:
    return len(kb.items) + len(kb.products) + len(kb.bands) + len(kb.rules)


def test_kg_load_fills_a_fresh_neo4j_and_loading_again_changes_nothing(kb, loads, driver):
    first, second = loads
    total = facts_in(kb)
    assert f"{total} facts written, 0 unchanged, 0 removed" in first
    assert f"0 facts written, {total} unchanged, 0 removed" in second
    assert driver.execute_query(COUNT_FACTS).records[0]["n"] == total

    def no_encoder():
        raise AssertionError("nothing changed, so nothing needs embedding")

    again = load_knowledge_base_into(driver, kb, no_encoder)
    assert (again.created_or_updated, again.removed, again.counters) == (0, 0, {})


def test_the_schema_has_constraints_indexes_and_an_exact_vector_index(driver):
    constraints = {r["name"] for r in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records}
    assert {"item_id", "product_key", "rule_id", "credit_band_id", "intent_name", "scenario_name", "stage_name",
            "state_code"} <= constraints
    indexes = {r["name"]: r for r in driver.execute_query(
        "SHOW INDEXES YIELD name, type, state, options RETURN name, type, state, options").records}
    assert {"item_kind", "rule_attribute", "product_amounts"} <= set(indexes)
    vector = indexes["item_embedding"]
    assert (vector["type"], vector["state"]) == ("VECTOR", "ONLINE")
    assert vector["options"]["indexConfig"]["vector.quantization.enabled"] is False
    query = shared_encoder().encode(["can I change my due date"])[0]
    hits = driver.execute_query(
        "CALL db.index.vector.queryNodes('item_embedding', 3, $v) YIELD node RETURN node.id AS id",
        v=[float(x) for x in query]).records
    assert "policy.due-date-change" in [h["id"] for h in hits]


def test_an_updated_fact_replaces_the_old_one_while_readers_keep_reading(neo4j, kb, driver):
    """Readers query the graph in a loop while an edited knowledge base loads: every read finds the fee
    schedule exactly once, at the old or the new version, never missing, never failing."""
    uri, (user, password) = neo4j
    fees = kb.by_id["policy.fee-schedule"]
    edited_items = tuple(dataclasses.replace(i, text=i.text + " Paper statements cost $2.", version="3")
                         if i.id == fees.id else i for i in kb.items if i.id != "faq.online-access")
    edited_rules = tuple(dataclasses.replace(r, min=25000.0, version="6") if r.id == "rule.min-income" else r
                         for r in kb.rules)
    edited = dataclasses.replace(kb, items=edited_items, rules=edited_rules)
    embedding = shared_encoder().encode(["what fees do you charge"])[0]

    async def scenario():
        store = Neo4jStore(uri, user, password)
        cached = CachedStore(Neo4jStore(uri, user, password))  # what the service reads through
        fee_query = GraphQuery("SALES", "fee_question", "discovery", embedding)
        cached_before = [c.record.version for c in await cached.search(fee_query) if c.record.id == fees.id]
        seen, stop = [], asyncio.Event()

        async def read():
            while not stop.is_set():
                found = [c for c in await store.search(GraphQuery("SALES", "fee_question", "discovery", embedding))
                         if c.record.id == fees.id]
                seen.append([c.record.version for c in found])

        async def reads(count):
            while len(seen) < count and not reader.done():
                await asyncio.sleep(0.02)

        reader = asyncio.create_task(read())
        await reads(2)
        report = await asyncio.to_thread(load_knowledge_base_into, driver, edited, shared_encoder)
        await reads(len(seen) + 2)  # reads that started after the commit
        stop.set()
        await reader
        rules = (await store.eligibility(())).rules
        await cached.search(fee_query)  # the first message after the load: its vector arm sees the new generation
        cached_after = [c.record.version for c in await cached.search(fee_query) if c.record.id == fees.id]
        cached_rules = (await cached.eligibility(())).rules
        await store.close()
        await cached.close()
        return report, seen, rules, (cached_before, cached_after, cached_rules)

    report, seen, rules, (cached_before, cached_after, cached_rules) = asyncio.run(scenario())
    try:
        assert cached_before == [fees.version] and cached_after == ["3"] and cached_rules == rules
        assert (report.created_or_updated, report.removed) == (2, 1)
        assert report.changed_ids == ["policy.fee-schedule", "rule.min-income"]
        assert len(seen) > 3 and all(len(versions) == 1 for versions in seen)
        assert {v[0] for v in seen} <= {fees.version, "3"} and seen[-1] == ["3"]
        income = next(r for r in rules if r.id == "rule.min-income")
        assert (income.min, income.version) == (25000.0, "6")
        assert driver.execute_query("MATCH (i:Item {id: $id}) RETURN count(i) AS n",
                                    id="faq.online-access").records[0]["n"] == 0
    finally:
        restored = load_knowledge_base_into(driver, kb, shared_encoder)
    assert (restored.created_or_updated, restored.removed) == (3, 0)


def _grid(kb):
    """Scenario × intent with entity combinations, for the graph walk alone."""
    intents = [*sorted({i for r in kb.items for i in r.intents}), "unknown"]
    entities = [{}, {"products": ("personal-loan",), "state": "IA"}, {"amount": 30000.0},
                {"products": ("secured-card", "line-of-credit"), "state": "WV", "amount": 500.0}]
    embeddings = shared_encoder().encode(["what are my options", "I want to stop these calls"])
    for n, (scenario, intent) in enumerate((s, i) for s in SCENARIOS for i in intents):
        stage = ("opening", "discovery", "resolution", "closing", "verification")[n % 5]
        yield GraphQuery(scenario, intent, stage, embeddings[n % 2], **entities[n % len(entities)])


def test_neo4j_and_the_embedded_store_answer_the_same(neo4j, kb, driver):
    uri, (user, password) = neo4j
    embedded = EmbeddedGraphStore.build(kb, shared_encoder())
    queries, encoder = load_queries(), CachedEncoder()
    settings = RetrievalSettings(top_k=5, token_budget=100_000, deadline_s=10)

    def shape(outcome):
        grounded = outcome.grounded
        return ([(i.id, round(i.score, 5), list(i.matched_by), list(i.node_ids), i.tokens) for i in grounded.items],
                [r.SerializeToString(deterministic=True) for r in grounded.eligibility], grounded.degraded)

    async def compare():
        store = Neo4jStore(uri, user, password)
        try:
            graph_walks = [(q, await store.search(q), await embedded.search(q)) for q in _grid(kb)]
            facts = [(await store.eligibility(p), await embedded.eligibility(p))
                     for p in [(), ("personal-loan",), ("secured-card", "line-of-credit")]]
            on_neo4j = await run_queries(Retriever(store, encoder, settings), queries)
            on_embedded = await run_queries(Retriever(embedded, encoder, settings), queries)
            cached = Retriever(CachedStore(store), encoder, settings)
            on_cached = [o for _ in range(2) for o in await run_queries(cached, queries)]  # cold, then warm
        finally:
            await store.close()
        return graph_walks, facts, on_neo4j, on_embedded, on_cached

    graph_walks, facts, on_neo4j, on_embedded, on_cached = asyncio.run(compare())
    assert [shape(o) for o in on_cached] == [shape(o) for o in on_embedded] * 2
    assert len(graph_walks) >= 80
    walk_mismatches = [q for q, a, b in graph_walks if [c.signals for c in a] != [c.signals for c in b]]
    assert walk_mismatches == []
    assert all(a == b for a, b in facts)
    assert len(on_neo4j) >= 100 and not any(o.grounded.degraded for o in on_neo4j)
    mismatches = [a.query.text for a, b in zip(on_neo4j, on_embedded, strict=True) if shape(a) != shape(b)]
    assert mismatches == []
    assert sum(bool(o.grounded.eligibility) for o in on_neo4j) >= 5


@pytest.mark.parametrize("hostile", [
    "x'}) MATCH (n) DETACH DELETE n //",
    "SALES\"}) DETACH DELETE i RETURN 1 //",
    "$products) OR 1=1 //",
])
def test_hostile_values_are_data_never_cypher(neo4j, driver, hostile):
    uri, (user, password) = neo4j
    before = driver.execute_query(COUNT_ALL).records[0]["n"]
    embedding = shared_encoder().encode([hostile])[0]

    async def attempt():
        store = Neo4jStore(uri, user, password)
        try:
            found = await store.search(GraphQuery(hostile, hostile, hostile, embedding, products=(hostile,),
                                                  state=hostile))
            facts = await store.eligibility((hostile,))
        finally:
            await store.close()
        return found, facts

    found, facts = asyncio.run(attempt())
    assert found == [] and facts.products == ()
    assert driver.execute_query(COUNT_ALL).records[0]["n"] == before


def test_neo4j_down_answers_degraded_within_the_deadline():
    async def scenario():
        store = Neo4jStore("bolt://127.0.0.1:1", "neo4j", "whatever-pass")
        retriever = Retriever(store, shared_encoder(), RetrievalSettings(deadline_s=0.5))
        message = classified(load_queries()[0], "rate_question", "discovery", "call-down")
        await asyncio.to_thread(shared_encoder().encode, ["warm"])
        started = time.monotonic()
        try:
            grounded = await retriever.retrieve(message)
        finally:
            await store.close()
        return grounded, time.monotonic() - started, await store.healthy()

    grounded, elapsed, healthy = asyncio.run(scenario())
    assert grounded.degraded and not grounded.items and grounded.degraded_reason
    assert elapsed < 1.5 and not healthy


def test_retrieval_degrades_while_neo4j_is_stopped_and_recovers_when_it_is_back(neo4j, loads):
    """Runs last: it stops the real server and starts it again (data kept)."""
    uri, (user, password) = neo4j
    message = classified(load_queries()[0], "rate_question", "discovery", "call-outage")
    # A roomy deadline: a refused connection fails at once anyway, and a busy machine must not make a
    # healthy Neo4j look down. (The closed-port test above holds the deadline to 0.5 s.)
    settings = RetrievalSettings(deadline_s=2.0, retry_after_s=0.5)

    async def scenario():
        store = Neo4jStore(uri, user, password)
        retriever = Retriever(store, shared_encoder(), settings)
        record = {"warm": await retriever.warm_up()}
        record["before"] = await retriever.retrieve(message)
        await asyncio.to_thread(infra, "stop", "neo4j")
        started = time.monotonic()
        record["down"] = await retriever.retrieve(message)
        record["down_s"] = time.monotonic() - started
        await retriever.retrieve(message)  # the second failure in a row starts the back-off
        record["backoff"] = await retriever.retrieve(message)
        record["healthy_down"] = await store.healthy()
        await asyncio.to_thread(infra, "start", "neo4j")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            await asyncio.sleep(settings.retry_after_s)
            record["after"] = await retriever.retrieve(message)
            if not record["after"].degraded:
                break
        record["healthy_up"] = await store.healthy()
        await store.close()
        return record

    record = asyncio.run(scenario())
    assert record["warm"] and not record["before"].degraded and record["before"].items
    assert record["down"].degraded and record["down"].degraded_reason in {"store_unavailable", "timeout"}
    assert record["down_s"] < settings.deadline_s + 0.5
    assert record["backoff"].degraded_reason == "store_backoff"
    assert not record["healthy_down"]
    assert not record["after"].degraded and record["after"].items and record["healthy_up"]
    assert [i.id for i in record["after"].items] == [i.id for i in record["before"].items]
