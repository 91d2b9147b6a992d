"""Entrypoint: `python -m services.summarizer`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.model_backends import model_backend
from seatcopilot.policy import load_policies
from seatcopilot.transport import StateTable

from services.summarizer import grpc_adapter, kafka_adapter
from services.summarizer.config import SummarizerConfig, load_config
from services.summarizer.lexicon import load_lexicon
from services.summarizer.logic import CallStates, Summarizer

STATE_TABLE = "call-state"


def build(config: SummarizerConfig, table: StateTable) -> Summarizer:
    backend = model_backend(config.model_backend, config.triton_url, config.triton_model, config.triton_prompt_format,
                            config.triton_tokenizer_dir)
    return Summarizer(load_policies(config.policy_path), load_lexicon(config.lexicon_path), CallStates(table), config,
                      backend)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        table = ctx.io.transport.table(STATE_TABLE, retention_s=config.state_retention_s)
        summarizer = build(config, table)
        ctx.background.extend(kafka_adapter.attach(ctx.io, summarizer))
        grpc_adapter.register(ctx.server, summarizer)
        if summarizer.backend is not None:  # no health check on it: without the model, summaries still come
            ctx.on_shutdown.append(summarizer.backend.close)

    service.run("summarizer", common, [grpc_adapter.SERVICE_NAME], setup)
