"""Intake settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.paths import data_path

DEFAULT_TENANTS_FILE = data_path("intake", "tenants.yaml")


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
    adopt_window_s: float = env("INTAKE_ADOPT_WINDOW_S", default=300.0, minimum=0,
                                help="after start, calls first seen mid-stream are adopted (intake may have "
                                     "restarted); later they are unknown calls")
    partial_timeout_s: float = env("INTAKE_PARTIAL_TIMEOUT_S", default=15.0, minimum=0,
                                   help="an utterance with partials but no final is published from its last "
                                        "partial after this long")
    split_hold_s: float = env("INTAKE_SPLIT_HOLD_S", default=1.5, minimum=0,
                              help="an utterance ending in an unfinished number waits this long for the "
                                   "speaker's next words (digits split across segments)")
    tenants_file: Path = env("INTAKE_TENANTS_FILE", default=DEFAULT_TENANTS_FILE,
                             help="per-tenant scenario, webhook credentials and redaction policy")
    default_tenant: str = env("INTAKE_DEFAULT_TENANT", default="",
                              help="tenant for platform-topic messages without a seatcopilot-tenant header")
    http_host: str = env("INTAKE_HTTP_HOST", default="127.0.0.1")
    http_port: int = env("INTAKE_HTTP_PORT", default=8090, minimum=0, help="webhook port; 0 disables HTTP")
    public_base_url: str = env("INTAKE_PUBLIC_BASE_URL", default="",
                               help="the URL platforms call (behind a proxy), for Twilio signatures")
    max_body_bytes: int = env("INTAKE_MAX_BODY_BYTES", default=1_048_576, minimum=1024)
    signature_tolerance_s: float = env("INTAKE_SIGNATURE_TOLERANCE_S", default=300.0, minimum=1,
                                       help="how old a signed webhook's timestamp may be")
    stream_max_s: float = env("INTAKE_STREAM_MAX_S", default=14_400.0, minimum=1,
                              help="longest a StreamCallEvents stream may stay open")


def load_config() -> tuple[CommonConfig, IntakeConfig]:
    return load(CommonConfig), load(IntakeConfig)
