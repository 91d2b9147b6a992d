"""Entrypoint: `python -m services.summarizer`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.policy import load_policy

from services.summarizer import grpc_adapter, kafka_adapter
from services.summarizer.config import SummarizerConfig, load_config
from services.summarizer.logic import Summarizer


def build(config: SummarizerConfig) -> Summarizer:
    return Summarizer(load_policy(config.policy_path), config.max_calls)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        summarizer = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, summarizer))
        grpc_adapter.register(ctx.server, summarizer)

    service.run("summarizer", common, [grpc_adapter.SERVICE_NAME], setup)
