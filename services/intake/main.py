"""Entrypoint: `python -m services.intake`."""

from __future__ import annotations

from seatcopilot import service

from services.intake import grpc_adapter, kafka_adapter
from services.intake.config import load_config
from services.intake.logic import IntakeStage


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        stage = IntakeStage(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, stage))
        grpc_adapter.register(ctx.server, stage, ctx.io)

    service.run("intake", common, [grpc_adapter.SERVICE_NAME], setup)
