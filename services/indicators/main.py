"""Entrypoint: `python -m services.indicators`."""

from __future__ import annotations

from seatcopilot import service

from services.indicators import grpc_adapter, kafka_adapter
from services.indicators.config import IndicatorsConfig, load_config
from services.indicators.stage import IndicatorsStage


def build(config: IndicatorsConfig) -> IndicatorsStage:
    return IndicatorsStage.build(config)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        stage = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, stage))
        grpc_adapter.register(ctx.server, stage)

    service.run("indicators", common, [grpc_adapter.SERVICE_NAME], setup)
