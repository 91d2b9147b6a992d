"""Entrypoint: `python -m services.console`.

The console's API is HTTP (http_api.py); its gRPC server carries health and reflection only.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from seatcopilot import service
from seatcopilot.stage_io import StageIO
from seatcopilot.transport import InProcessTransport

from services.console import kafka_adapter
from services.console.auth import AuditLog, Authenticator
from services.console.config import ConsoleConfig, authenticator_settings, load_config
from services.console.http_api import create_app, start_http
from services.console.logic import ConsoleHub


def build(config: ConsoleConfig) -> ConsoleHub:
    return ConsoleHub(config.history)


def build_app(config: ConsoleConfig, hub: ConsoleHub, io: StageIO) -> web.Application:
    audit = AuditLog(Path(config.audit_log) if config.audit_log else None)
    in_process = isinstance(io.transport, InProcessTransport)
    auth = Authenticator(**authenticator_settings(config, in_process=in_process))
    return create_app(hub, auth, audit, kafka_adapter.feedback_sink(io))


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        hub = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, hub))
        runner = await start_http(build_app(config, hub, ctx.io), config.http_host, config.http_port)
        ctx.on_shutdown.append(runner.cleanup)

    service.run("console", common, [], setup)
