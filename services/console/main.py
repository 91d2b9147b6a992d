"""Entrypoint: `python -m services.console`.

The console's API is HTTP (http_api.py); its gRPC server carries health and reflection only.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from seatcopilot import service
from seatcopilot.audit_log import AuditLog, keep_anchored_while_serving, load_or_create_key
from seatcopilot.stage_io import StageIO
from seatcopilot.transport import InProcessTransport

from services.console import kafka_adapter
from services.console.auth import AccessAudit, Authenticator
from services.console.config import ConsoleConfig, authenticator_settings, load_config
from services.console.http_api import create_app, start_http
from services.console.logic import ConsoleHub


def build(config: ConsoleConfig) -> ConsoleHub:
    return ConsoleHub(config.history)


def access_log(config: ConsoleConfig) -> AuditLog | None:
    if not config.audit_dir:
        return None
    key = load_or_create_key(Path(config.audit_key_file))
    return AuditLog(Path(config.audit_dir), key, log="console-access")


def build_app(config: ConsoleConfig, hub: ConsoleHub, io: StageIO, chained: AuditLog | None = None) -> web.Application:
    audit = AccessAudit(chained)
    in_process = isinstance(io.transport, InProcessTransport)
    auth = Authenticator(**authenticator_settings(config, in_process=in_process))
    return create_app(hub, auth, audit, kafka_adapter.feedback_sink(io))


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        hub, chained = build(config), access_log(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, hub))
        runner = await start_http(build_app(config, hub, ctx.io, chained), config.http_host, config.http_port)
        ctx.on_shutdown.append(runner.cleanup)
        if chained is not None:
            keep_anchored_while_serving(ctx.background, ctx.on_drain, chained, ctx.io, config.audit_anchor_s)

            async def close_log() -> None:
                chained.close()

            ctx.on_shutdown.append(close_log)

    service.run("console", common, [], setup)
