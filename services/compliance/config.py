"""Compliance settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.policy import DEFAULT_POLICY


@dataclass(frozen=True)
class ComplianceConfig:
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICY, help="policy pack (YAML)")


def load_config() -> tuple[CommonConfig, ComplianceConfig]:
    return load(CommonConfig), load(ComplianceConfig)
