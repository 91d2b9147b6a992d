"""Summarizer settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.policy import DEFAULT_POLICY


@dataclass(frozen=True)
class SummarizerConfig:
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICY,
                            help="policy pack: which disclosures a role owes")
    max_calls: int = env("SUMMARIZER_MAX_CALLS", default=50_000, minimum=1)


def load_config() -> tuple[CommonConfig, SummarizerConfig]:
    return load(CommonConfig), load(SummarizerConfig)
