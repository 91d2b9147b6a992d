"""Entrypoint: `python -m services.compliance`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.policy import load_policy

from services.compliance import grpc_adapter, kafka_adapter
from services.compliance.config import ComplianceConfig, load_config
from services.compliance.logic import ComplianceEngine


def build(config: ComplianceConfig) -> ComplianceEngine:
    return ComplianceEngine(load_policy(config.policy_path))


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        engine = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, engine))
        grpc_adapter.register(ctx.server, engine)

    service.run("compliance", common, [grpc_adapter.SERVICE_NAME], setup)
