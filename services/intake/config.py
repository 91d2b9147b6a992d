"""Intake settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load


@dataclass(frozen=True)
class IntakeConfig:
    reorder_buffer: int = env("INTAKE_REORDER_BUFFER", default=64, minimum=1,
                              help="events held per call while waiting for a missing seq")
    reorder_timeout_s: float = env("INTAKE_REORDER_TIMEOUT_S", default=2.0, minimum=0,
                                   help="how long a gap in seq may stay open before it is skipped")
    max_text_chars: int = env("INTAKE_MAX_TEXT_CHARS", default=4000, minimum=1)
    max_open_calls: int = env("INTAKE_MAX_OPEN_CALLS", default=50_000, minimum=1)
    experiment_path: Path | None = env("EXPERIMENT_FILE", default=None,
                                       help="experiment assignment to stamp on every event (none: no experiment)")


def load_config() -> tuple[CommonConfig, IntakeConfig]:
    return load(CommonConfig), load(IntakeConfig)
