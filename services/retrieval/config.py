"""Retrieval settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.paths import data_path

from services.retrieval.logic import RetrievalSettings

DEFAULT_KB = data_path("knowledge", "kb.yaml")


@dataclass(frozen=True)
class RetrievalConfig:
    store: str = env("RETRIEVAL_STORE", default="neo4j", choices=("neo4j", "embedded"),
                     help="neo4j in the distributed mode, embedded in the embedded mode")
    kb_path: Path = env("KNOWLEDGE_BASE", default=DEFAULT_KB, help="knowledge base YAML")
    neo4j_uri: str = env("NEO4J_URI", default="bolt://127.0.0.1:7687")
    neo4j_user: str = env("NEO4J_USER", default="neo4j")
    neo4j_password: str = env("NEO4J_PASSWORD", default="seatcopilot-dev")
    deadline_s: float = env("RETRIEVAL_DEADLINE_S", default=0.8, minimum=0.01,
                            help="past this the answer is 'degraded' rather than late")
    top_k: int = env("RETRIEVAL_TOP_K", default=3, minimum=1)
    token_budget: int = env("RETRIEVAL_TOKEN_BUDGET", default=400, minimum=64,
                            help="estimated tokens of knowledge per utterance (what the prompt can hold)")
    vector_k: int = env("RETRIEVAL_VECTOR_K", default=12, minimum=1,
                        help="nearest items by meaning joined to the graph's candidates")
    dedupe_similarity: float = env("RETRIEVAL_DEDUPE_SIMILARITY", default=0.92, minimum=0.5,
                                   help="an item this close in meaning to a better one is a duplicate")
    retry_after_s: float = env("RETRIEVAL_RETRY_AFTER_S", default=1.0, minimum=0,
                               help="with the store failing, how often a probe checks it is back")
    min_score: float = env("RETRIEVAL_MIN_SCORE", default=0.2, minimum=0,
                           help="items scoring below this are not knowledge for the utterance")
    cache_entries: int = env("RETRIEVAL_CACHE_ENTRIES", default=4096, minimum=0,
                             help="graph-arm and product-fact answers kept per (scenario, intent, stage, state, "
                                  "products), cleared when the graph is reloaded (cache.py); 0: no cache")
    max_batch: int = env("RETRIEVAL_MAX_BATCH", default=16, minimum=1,
                         help="classified events handled together (calls concurrently, each call in order)")
    max_wait_ms: float = env("RETRIEVAL_MAX_WAIT_MS", default=2.0, minimum=0,
                             help="how long the consumer waits to fill a batch")

    @property
    def settings(self) -> RetrievalSettings:
        return RetrievalSettings(deadline_s=self.deadline_s, top_k=self.top_k, token_budget=self.token_budget,
                                 vector_k=self.vector_k, dedupe_similarity=self.dedupe_similarity,
                                 retry_after_s=self.retry_after_s, min_score=self.min_score)


def load_config() -> tuple[CommonConfig, RetrievalConfig]:
    return load(CommonConfig), load(RetrievalConfig)
