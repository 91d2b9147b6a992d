"""Retrieval settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load

DEFAULT_KB = Path(__file__).resolve().parents[2] / "data" / "knowledge" / "kb.yaml"


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


def load_config() -> tuple[CommonConfig, RetrievalConfig]:
    return load(CommonConfig), load(RetrievalConfig)
