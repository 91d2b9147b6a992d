"""Retrieval's per-message work, profiled: the labelled queries (data/knowledge/queries.yaml) as the pipeline
sends them (customer turns whose shared-encoder vector the classifier carried) through retrieve(), one at a
time, several passes; prints ms per message and the store calls (round trips on Neo4j) per message, and with
--cprofile the functions that took the time. With --flamegraph, py-spy (the dev extra) samples this process
after the first passes (the steady state, without start-up's imports and the store's cold queries) and writes
an SVG flame graph:

    python -m benchmarks.profile_retrieval --store neo4j --passes 30 --flamegraph docs/perf/retrieval.svg

Neo4j: NEO4J_URI / NEO4J_PASSWORD as for the service (`scripts/infra.sh start neo4j`)."""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from seatcopilot.config import load
from seatcopilot.encoder import shared_encoder

from benchmarks.table import summary_ms
from seatcopilot_models.retrieval_eval import classified, intent_stages, load_queries
from services.retrieval.cache import CachedStore
from services.retrieval.config import RetrievalConfig
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.logic import Retriever
from services.retrieval.stores import EmbeddedGraphStore, KnowledgeStore


def cpu_seconds(pid: int | None) -> float:
    """CPU time (user + system) of this process, or of another one by pid (Neo4j's, from /proc)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class CountingStore:
    """Counts the calls that reach the store (each a round trip on Neo4j)."""

    def __init__(self, store: KnowledgeStore) -> None:
        self.store = store
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str):
        method = getattr(self.store, name)

        async def counted(*args, **kwargs):
            self.calls[name] += 1
            return await method(*args, **kwargs)

        return counted


def _store(config: RetrievalConfig, kind: str) -> KnowledgeStore:
    kb = load_knowledge_base(config.kb_path)
    if kind == "embedded":
        return EmbeddedGraphStore.build(kb, shared_encoder())
    from services.retrieval.loader import load_into_neo4j
    from services.retrieval.neo4j_store import Neo4jStore

    load_into_neo4j(config.neo4j_uri, config.neo4j_user, config.neo4j_password, kb, shared_encoder)
    return Neo4jStore(config.neo4j_uri, config.neo4j_user, config.neo4j_password)


def start_flamegraph(path: Path, seconds: float) -> subprocess.Popen:
    """py-spy sampling this process (idle waits included: a store round trip is time a message waits)."""
    spy = Path(sys.executable).parent / "py-spy"
    return subprocess.Popen([str(spy if spy.exists() else "py-spy"), "record", "--idle", "-F", "-r", "100",
                             "--duration", str(int(seconds)), "--pid", str(os.getpid()), "-o", str(path)])


async def profile(kind: str, passes: int, flamegraph: Path | None = None, after: int = 10, cache: bool = True,
                  server_pid: int | None = None) -> dict[str, object]:
    """Per pass: ms per message and store calls per message. flamegraph: sampled over the passes after `after`."""
    config = load(RetrievalConfig)
    encoder = shared_encoder()
    queries, stages = load_queries(), intent_stages()
    vectors = encoder.encode([q.text for q in queries])
    messages = []
    for number, (query, vector) in enumerate(zip(queries, vectors, strict=True)):
        message = classified(query, query.intent, stages.get(query.intent, "discovery"), f"profile-{number}")
        message.utterance_embedding.extend(vector.tolist())
        message.embedding_model = encoder.identity
        messages.append(message)
    store = CountingStore(_store(config, kind))  # counts what reaches the store, under the cache when there is one
    reader = CachedStore(store) if cache else store  # type: ignore[arg-type]
    settings = replace(config.settings, deadline_s=10.0)  # measure, never degrade
    retriever = Retriever(reader, encoder, settings)  # type: ignore[arg-type]
    await retriever.warm_up()
    results: dict[str, object] = {}
    spy, pass_s = None, 0.0
    try:
        for number in range(passes):
            if flamegraph and number == after:
                spy = start_flamegraph(flamegraph, seconds=max(5.0, pass_s * (passes - after - 1)))
            store.calls.clear()
            seconds, degraded = [], 0
            cpu = (cpu_seconds(None), cpu_seconds(server_pid) if server_pid else 0.0)
            for message in messages:
                started = time.perf_counter()
                degraded += (await retriever.retrieve(message)).degraded
                seconds.append(time.perf_counter() - started)
                retriever.memory.forget(message.event.call_id)
            pass_s = sum(seconds)
            calls = sum(store.calls.values())
            used = [(cpu_seconds(None) - cpu[0]) * 1000 / len(messages),
                    (cpu_seconds(server_pid) - cpu[1]) * 1000 / len(messages) if server_pid else float("nan")]
            results[f"pass {number + 1}"] = (summary_ms(seconds), calls / len(messages),
                                             {**store.calls, "degraded": degraded}, used)
    finally:
        await store.close()
        if spy is not None:
            spy.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", choices=("neo4j", "embedded"), default="neo4j")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--cprofile", action="store_true", help="print the top functions by cumulative time")
    parser.add_argument("--no-cache", action="store_true", help="the store alone (RETRIEVAL_CACHE_ENTRIES=0)")
    parser.add_argument("--server-pid", type=int, help="also report this process's CPU per message (Neo4j's)")
    parser.add_argument("--flamegraph", type=Path, help="write py-spy's SVG flame graph of the later passes here")
    args = parser.parse_args()
    profiler = cProfile.Profile() if args.cprofile else None
    mode = "" if args.no_cache else " (cached)"
    print(f"retrieval on {args.store}{mode}, {args.passes} passes (load average {os.getloadavg()[0]:.2f})")
    if profiler:
        profiler.enable()
    results = asyncio.run(profile(args.store, args.passes, args.flamegraph, after=min(10, args.passes // 3),
                                  cache=not args.no_cache, server_pid=args.server_pid))
    if profiler:
        profiler.disable()
    for name, (ms, calls, detail, used) in results.items():
        print(f"{name}: p50 {ms[0]:.2f} ms, p95 {ms[1]:.2f} ms, mean {ms[3]:.2f} ms per message; "
              f"CPU ms per message: this process {used[0]:.2f}, server {used[1]:.2f}; "
              f"store calls per message {calls:.2f} {detail}")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
