"""Entrypoint: `python -m services.classifier`."""

from __future__ import annotations

from pathlib import Path

from seatcopilot import service
from seatcopilot.config import ConfigError
from seatcopilot.transport import StateTable

from services.classifier import grpc_adapter, kafka_adapter
from services.classifier.backends import Backend, LocalBackend, SharedEmbedder, TritonBackend
from services.classifier.config import ClassifierConfig, load_config
from services.classifier.dialogue import DialogueStates
from services.classifier.logic import IntentClassifier

STATE_TABLE = "dialogue-state"


def model_directory(config: ClassifierConfig) -> Path:
    from services.classifier.model import current_model_dir

    directory = Path(config.model_dir) if config.model_dir else current_model_dir()
    if directory is None or not (directory / "meta.json").is_file():
        raise ConfigError(f"no trained classifier at {directory or '~/.cache/seatcopilot/models/intents'}: "
                          "run `make models` (or set CLASSIFIER_MODEL_DIR)")
    return directory


def backend(config: ClassifierConfig) -> Backend:
    if config.backend == "triton":
        return TritonBackend(config.triton_url, config.triton_model, config.triton_timeout_s)
    return LocalBackend(model_directory(config), config.int8, config.threads, config.max_batch,
                        config.max_wait_ms / 1000, config.runtime)


def build(config: ClassifierConfig, table: StateTable | None = None) -> IntentClassifier:
    """`table`: where dialogue states live (the transport's durable table; a dict when None)."""
    embedder = SharedEmbedder(config.max_batch, config.max_wait_ms / 1000) if config.carry_embedding else None
    return IntentClassifier(backend(config), config.min_confidence, states=DialogueStates(table),
                            embedder=(embedder.identity, embedder, embedder.close) if embedder else None)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        classifier = build(config, ctx.io.transport.table(STATE_TABLE, retention_s=config.state_retention_s))
        ctx.background.extend(kafka_adapter.attach(ctx.io, classifier, config.max_batch,
                                                        config.max_wait_ms / 1000))
        grpc_adapter.register(ctx.server, classifier)

    service.run("classifier", common, [grpc_adapter.SERVICE_NAME], setup)
