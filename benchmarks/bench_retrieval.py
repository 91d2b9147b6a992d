"""Knowledge-graph retrieval: latency on the real Neo4j, and recall@5 on the labelled query set
(data/knowledge/queries.yaml), with the labelled intents and with the classifier's, on both stores."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from seatcopilot.config import load
from seatcopilot.encoder import shared_encoder

from benchmarks.table import Table, summary_ms
from seatcopilot_models.retrieval_eval import Outcome, intent_stages, load_queries, recall_at, run_queries
from services.classifier import main as classifier_main
from services.classifier.config import ClassifierConfig
from services.retrieval.cache import CachedStore
from services.retrieval.config import RetrievalConfig
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.loader import load_into_neo4j
from services.retrieval.logic import RetrievalSettings, Retriever
from services.retrieval.neo4j_store import Neo4jStore
from services.retrieval.stores import EmbeddedGraphStore, GraphQuery, KnowledgeStore

NEEDS: tuple[str, ...] = ("neo4j",)
PASSES = 3  # latency samples: every query this many times


def _classifier_intents(queries: list) -> list[str]:
    classifier = classifier_main.build(load(ClassifierConfig))
    return [classifier.predict([q.text], q.scenario)[0][0] for q in queries]


async def _store_round_trips(store: KnowledgeStore, queries: list) -> list[float]:
    """The store alone: the hybrid graph + vector query and, for eligibility questions, the rules."""
    stages = intent_stages()
    embeddings = shared_encoder().encode([q.text for q in queries])
    timings = []
    for _ in range(PASSES):
        for query, embedding in zip(queries, embeddings, strict=True):
            graph_query = GraphQuery(query.scenario, query.intent, stages[query.intent], embedding)
            started = time.perf_counter()
            await store.search(graph_query)
            if query.intent == "eligibility_question":
                await store.eligibility(())
            timings.append(time.perf_counter() - started)
    return timings


async def _measure(config: RetrievalConfig, queries: list, predicted: list[str]) -> dict[str, object]:
    kb = load_knowledge_base(config.kb_path)
    encoder = shared_encoder()
    neo4j = Neo4jStore(config.neo4j_uri, config.neo4j_user, config.neo4j_password)
    embedded = EmbeddedGraphStore.build(kb, encoder)
    generous = RetrievalSettings(top_k=5, token_budget=100_000, deadline_s=10)  # measure, never degrade
    try:
        on_neo4j = Retriever(CachedStore(neo4j), encoder, generous)  # as the service reads (cache.py)
        await on_neo4j.warm_up()
        results: dict[str, object] = {
            "store_s": await _store_round_trips(neo4j, queries),
            "neo4j_gold": [o for _ in range(PASSES) for o in await run_queries(on_neo4j, queries)],
            "neo4j_classifier": await run_queries(on_neo4j, queries, predicted),
            "embedded_gold": await run_queries(Retriever(embedded, encoder, generous), queries),
            "embedded_classifier": await run_queries(Retriever(embedded, encoder, generous), queries, predicted),
            "neo4j_delivered": await run_queries(Retriever(CachedStore(neo4j), encoder, config.settings), queries),
        }
    finally:
        await neo4j.close()
    return results


def _latency_table(results: dict, queries: int) -> Table:
    table = Table("Retrieval latency on Neo4j (real server, sequential)",
                  ["path", "samples", "p50 ms", "p95 ms", "p99 ms", "mean ms"])
    store_s: list[float] = results["store_s"]  # type: ignore[assignment]
    full: list[Outcome] = results["neo4j_gold"]  # type: ignore[assignment]
    embedded: list[Outcome] = results["embedded_gold"]  # type: ignore[assignment]
    table.rows.append(["Neo4j store alone, uncached (product facts, graph + vector arms, rules)", len(store_s),
                       *summary_ms(store_s)])
    table.rows.append(["retrieve() on Neo4j, cached (encode + vector arm + rank + budget)", len(full),
                       *summary_ms([o.seconds for o in full])])
    table.rows.append(["retrieve() on the embedded store", len(embedded),
                       *summary_ms([o.seconds for o in embedded])])
    degraded = sum(o.grounded.degraded for o in full)
    table.note = (f"{queries} labelled queries × {PASSES} passes, one at a time, after a warm-up; "
                  f"{degraded} degraded. Command: `make bench` (or `python -m benchmarks retrieval` with Neo4j up).")
    return table


def _recall_table(results: dict, queries: list, predicted: list[str]) -> Table:
    table = Table(f"Retrieval recall on the labelled query set ({len(queries)} queries)",
                  ["store", "intents", "recall@5", "hit@5", "recall@3"])
    for store in ("neo4j", "embedded"):
        for intents in ("gold", "classifier"):
            outcomes: list[Outcome] = results[f"{store}_{intents}"][:len(queries)]  # type: ignore[index]
            r5, h5 = recall_at(outcomes, 5)
            r3, _ = recall_at(outcomes, 3)
            table.rows.append([store, "labelled" if intents == "gold" else "classifier", r5, h5, r3])
    delivered: list[Outcome] = results["neo4j_delivered"]  # type: ignore[assignment]
    r3, h3 = recall_at(delivered, 3)
    accuracy = sum(p == q.intent for p, q in zip(predicted, queries, strict=True)) / len(queries)
    table.note = (f"recall@k: mean share of a query's relevant items in the top k (items other than the "
                  f"eligibility summary); hit@5: share of queries with at least one. The classifier's intent "
                  f"matched the label on {accuracy:.0%} of the queries. With the service defaults (top_k 3, "
                  f"token budget 400) Neo4j delivers recall {r3:.3f}, hit {h3:.3f}.")
    return table


def run(out: Path) -> list[Table]:
    config = load(RetrievalConfig)
    started = time.perf_counter()
    report = load_into_neo4j(config.neo4j_uri, config.neo4j_user, config.neo4j_password,
                             load_knowledge_base(config.kb_path), shared_encoder)
    load_s = time.perf_counter() - started
    queries = load_queries()
    predicted = _classifier_intents(queries)
    results = asyncio.run(_measure(config, queries, predicted))
    tables = [_latency_table(results, len(queries)), _recall_table(results, queries, predicted)]
    tables[0].note += (f" `kg load` before it: {report.created_or_updated} facts written, {report.unchanged} "
                       f"unchanged, in {load_s:.2f} s; {os.cpu_count()} cores.")
    return tables
