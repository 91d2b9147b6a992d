"""Entrypoint: `python -m services.console`.

The console's API is HTTP (http_api.py); its gRPC server carries health and reflection only.
"""

from __future__ import annotations

from seatcopilot import service

from services.console import kafka_adapter
from services.console.config import ConsoleConfig, load_config
from services.console.http_api import start_http
from services.console.logic import ConsoleHub


def build(config: ConsoleConfig) -> ConsoleHub:
    return ConsoleHub(config.history)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        hub = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, hub))
        runner = await start_http(hub, config.http_host, config.http_port)
        ctx.on_shutdown.append(runner.cleanup)

    service.run("console", common, [], setup)
