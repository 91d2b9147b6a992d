"""Entrypoint: `python -m services.compliance`."""

from __future__ import annotations

from pathlib import Path

from seatcopilot import service
from seatcopilot.audit_log import AuditLog, keep_anchored_while_serving, load_or_create_key
from seatcopilot.config import ConfigError
from seatcopilot.policy import load_policies
from seatcopilot.transport.base import StateTable

from services.compliance import grpc_adapter, kafka_adapter
from services.compliance.config import ComplianceConfig, load_config
from services.compliance.learned import LearnedModel, current_model_dir, load
from services.compliance.logic import ComplianceEngine

STATE_TABLE = "compliance-state"


def build(config: ComplianceConfig, table: StateTable | None = None) -> ComplianceEngine:
    """Every tenant's pack, the embedding matcher, the learned detector and the audit log; a bad pack
    stops the start. table: where calls' states outlive the process (the transport's state table)."""
    embed, learned = None, None
    if config.semantic or config.detector:
        from seatcopilot.encoder import shared_encoder

        embed = shared_encoder().encode
    if config.detector:
        learned = _detector(config)
    audit = AuditLog(config.audit_dir, load_or_create_key(config.audit_key_file), config.audit_instance)
    return ComplianceEngine(load_policies(config.policy_path), embed, audit, learned, semantic=config.semantic,
                            table=table, embed_batch=config.max_batch)


def _detector(config: ComplianceConfig) -> LearnedModel:
    """The detector `make models` built (or the image carries); compliance does not start without the detector
    it was told to use."""
    directory = Path(config.detector_dir) if config.detector_dir else current_model_dir()
    if directory is None:
        raise ConfigError("COMPLIANCE_DETECTOR is on but no detector is built: run `make models` "
                          "(`seatcopilot models build`)")
    try:
        return load(directory)
    except OSError as error:
        raise ConfigError(f"COMPLIANCE_DETECTOR_DIR: no detector in {directory} ({error.strerror})") from error


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        engine = build(config, ctx.io.transport.table(STATE_TABLE, retention_s=config.state_retention_s))
        ctx.background.extend(kafka_adapter.attach(ctx.io, engine, batch=config.max_batch))
        if engine.audit is None:
            raise ConfigError("compliance serves only with its audit log")
        keep_anchored_while_serving(ctx.background, ctx.on_drain, engine.audit, ctx.io, config.audit_anchor_s)
        grpc_adapter.register(ctx.server, engine)

        async def close_audit() -> None:
            engine.close()

        ctx.on_shutdown.append(close_audit)

    service.run("compliance", common, [grpc_adapter.SERVICE_NAME], setup)
