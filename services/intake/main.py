"""Entrypoint: `python -m services.intake`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.stage_io import StageIO

from services.intake import grpc_adapter, kafka_adapter
from services.intake.adapters import Adapter, build_adapters
from services.intake.config import IntakeConfig, load_config
from services.intake.gateway import Gateway
from services.intake.http_api import Webhooks, start_http
from services.intake.logic import IntakeStage
from services.intake.tenants import Tenants, load_tenants


def build(config: IntakeConfig, tenants: Tenants, io: StageIO) -> tuple[Gateway, dict[str, Adapter]]:
    """The stage, the gateway every entry point goes through, and the platform adapters."""
    return Gateway(IntakeStage(config, tenants), io), build_adapters(config.adopt_window_s)


def main() -> None:
    common, config = load_config()
    tenants = load_tenants(config.tenants_file)  # a bad file stops intake at start, with every problem

    async def setup(ctx: service.ServiceContext) -> None:
        gateway, adapters = build(config, tenants, ctx.io)
        ctx.background.extend(kafka_adapter.attach_gateway(ctx.io, gateway, adapters))
        grpc_adapter.register(ctx.server, gateway, config.stream_max_s)
        if config.http_port:
            runner = await start_http(Webhooks(config, tenants, adapters, gateway), config.http_host, config.http_port)
            ctx.on_shutdown.append(runner.cleanup)

    service.run("intake", common, [grpc_adapter.SERVICE_NAME], setup)
