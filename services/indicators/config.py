"""Indicators settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.policy import DEFAULT_POLICY


@dataclass(frozen=True)
class IndicatorsConfig:
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICY,
                            help="policy pack: which alert rule ids are overdue disclosures")
    window_s: float = env("INDICATORS_WINDOW_S", default=3600.0, minimum=1,
                          help="tumbling window of event time the indicators are computed over")
    keep_windows: int = env("INDICATORS_KEEP_WINDOWS", default=24, minimum=1)
    publish_interval_s: float = env("INDICATORS_PUBLISH_INTERVAL_S", default=10.0, minimum=0.1,
                                    help="how often snapshots go to the indicators topic and the gauges")
    export_path: Path | None = env("INDICATORS_EXPORT_PATH", default=None,
                                   help="append every increment as a JSON line here (the impact report's input)")
    max_calls: int = env("INDICATORS_MAX_CALLS", default=50_000, minimum=1)


def load_config() -> tuple[CommonConfig, IndicatorsConfig]:
    return load(CommonConfig), load(IndicatorsConfig)
