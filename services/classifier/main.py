"""Entrypoint: `python -m services.classifier`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.encoder import shared_encoder

from services.classifier import grpc_adapter, kafka_adapter
from services.classifier.config import load_config
from services.classifier.logic import IntentClassifier


def build(config) -> IntentClassifier:
    return IntentClassifier(shared_encoder(), config.seeds_path, config.min_similarity, config.min_confidence)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        classifier = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, classifier))
        grpc_adapter.register(ctx.server, classifier)

    service.run("classifier", common, [grpc_adapter.SERVICE_NAME], setup)
