"""Compliance settings, from the environment, validated at start."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seatcopilot.audit_log import check_key_apart
from seatcopilot.config import CommonConfig, env, load
from seatcopilot.policy import DEFAULT_POLICIES

STATE_HOME = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
AUDIT_KEY_NAME = "audit.key"
KEYS_HOME = STATE_HOME / "seatcopilot" / "keys"  # apart from the audit directory


@dataclass(frozen=True)
class ComplianceConfig:
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICIES,
                            help="policy packs: a catalog (one pack directory per tenant), one pack directory or file")
    semantic: bool = env("COMPLIANCE_SEMANTIC", default=True,
                         help="match paraphrases with the embedding matcher besides phrases and patterns")
    detector: bool = env("COMPLIANCE_DETECTOR", default=True,
                         help="the learned detector (built by `make models`; without it the service does not start)")
    detector_dir: str = env("COMPLIANCE_DETECTOR_DIR", default="",
                            help="the detector's directory (images carry one); empty: the version `make models` built")
    audit_dir: Path = env("COMPLIANCE_AUDIT_DIR", default=STATE_HOME / "seatcopilot" / "audit",
                          help="where the audit log's segments are appended")
    audit_key_file: Path = env("COMPLIANCE_AUDIT_KEY_FILE", default=KEYS_HOME / AUDIT_KEY_NAME,
                               help="the audit HMAC key (created when missing; a mounted Secret in production), never "
                                    "inside COMPLIANCE_AUDIT_DIR")
    audit_instance: str = env("COMPLIANCE_AUDIT_INSTANCE", default="",
                              help="names this process's audit segment; default the host name")
    audit_anchor_s: float = env("COMPLIANCE_AUDIT_ANCHOR_S", default=10.0, minimum=0.5,
                                help="how often the audit segment's head is anchored on the audit-anchors topic")
    max_batch: int = env("COMPLIANCE_MAX_BATCH", default=16, minimum=1,
                         help="transcript events and drafts of different calls judged concurrently, their sentences "
                              "encoded in one batch (each call's stay in order)")
    state_retention_s: float = env("COMPLIANCE_STATE_RETENTION_S", default=86_400.0, minimum=60,
                                   help="how long a call's compliance state is kept in its changelog (longer than "
                                        "any call)")

    def __post_init__(self) -> None:
        check_key_apart(self.audit_key_file, self.audit_dir)


def load_config() -> tuple[CommonConfig, ComplianceConfig]:
    return load(CommonConfig), load(ComplianceConfig)
