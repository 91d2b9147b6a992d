"""Entrypoint: `python -m services.retrieval`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.encoder import shared_encoder

from services.retrieval import grpc_adapter, kafka_adapter
from services.retrieval.cache import CachedStore
from services.retrieval.config import RetrievalConfig, load_config
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.logic import Retriever
from services.retrieval.neo4j_store import Neo4jStore
from services.retrieval.stores import EmbeddedGraphStore, KnowledgeStore, SplitStore


def build_store(config: RetrievalConfig) -> KnowledgeStore:
    store: SplitStore = (Neo4jStore(config.neo4j_uri, config.neo4j_user, config.neo4j_password)
                         if config.store == "neo4j"
                         else EmbeddedGraphStore.build(load_knowledge_base(config.kb_path), shared_encoder()))
    return CachedStore(store, config.cache_entries) if config.cache_entries else store


def build(config: RetrievalConfig) -> Retriever:
    return Retriever(build_store(config), shared_encoder(), config.settings)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        retriever = build(config)
        await retriever.warm_up()
        ctx.background.extend(kafka_adapter.attach(ctx.io, retriever, config.max_batch,
                                                        config.max_wait_ms / 1000))
        grpc_adapter.register(ctx.server, retriever)
        ctx.health.add_check("knowledge_store", retriever.store.healthy)
        ctx.on_shutdown.append(retriever.store.close)

    service.run("retrieval", common, [grpc_adapter.SERVICE_NAME], setup)
