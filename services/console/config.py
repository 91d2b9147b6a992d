"""Console settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass

from seatcopilot.config import CommonConfig, env, load


@dataclass(frozen=True)
class ConsoleConfig:
    http_host: str = env("CONSOLE_HOST", default="127.0.0.1")
    http_port: int = env("CONSOLE_PORT", default=8080, minimum=1)
    history: int = env("CONSOLE_HISTORY", default=5000, minimum=10,
                       help="events kept for browsers that connect or reconnect later")


def load_config() -> tuple[CommonConfig, ConsoleConfig]:
    return load(CommonConfig), load(ConsoleConfig)
