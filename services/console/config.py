"""Console settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.audit_log import check_key_apart
from seatcopilot.config import CommonConfig, ConfigError, env, load


@dataclass(frozen=True)
class ConsoleConfig:
    http_host: str = env("CONSOLE_HOST", default="127.0.0.1")
    http_port: int = env("CONSOLE_PORT", default=8080, minimum=1)
    history: int = env("CONSOLE_HISTORY", default=5000, minimum=10,
                       help="events kept for browsers that connect or reconnect later")
    oidc_public_key_file: str = env("OIDC_PUBLIC_KEY_FILE", default="",
                                    help="PEM public key of the identity provider (RS256/ES256 tokens)")
    oidc_jwks_url: str = env("OIDC_JWKS_URL", default="",
                             help="the identity provider's JWKS URL: keys fetched and rotated from there")
    oidc_jwks_cooldown_s: float = env("OIDC_JWKS_COOLDOWN_S", default=30.0, minimum=0.0,
                                      help="least time between key-set refetches on an unknown key id")
    oidc_issuer: str = env("OIDC_ISSUER", default="", help="always checked; required with a key or JWKS URL")
    oidc_audience: str = env("OIDC_AUDIENCE", default="seatcopilot-console")
    dev_login: bool = env("CONSOLE_DEV_LOGIN", default=False,
                          help="the local dev login: refused unless the transport is in-process (the embedded demo)")
    dev_secret: str = env("CONSOLE_DEV_SECRET", default="", help="signs dev-login tokens; random when empty")
    audit_dir: str = env("CONSOLE_AUDIT_DIR", default="",
                         help="the access audit's segments (who opened which call), hash-chained like compliance's "
                              "audit and anchored on the audit-anchors topic; empty: kept in memory only")
    audit_key_file: str = env("CONSOLE_AUDIT_KEY_FILE", default="",
                              help="the access audit's HMAC key (a mounted Secret in production; created when "
                                   "missing), never inside CONSOLE_AUDIT_DIR; required with it")
    audit_anchor_s: float = env("CONSOLE_AUDIT_ANCHOR_S", default=10.0, minimum=0.5,
                                help="how often the access audit's head is anchored")

    def __post_init__(self) -> None:
        if self.audit_dir and not self.audit_key_file:
            raise ValueError("CONSOLE_AUDIT_DIR needs CONSOLE_AUDIT_KEY_FILE (kept apart from the log)")
        if self.audit_dir:
            check_key_apart(Path(self.audit_key_file), Path(self.audit_dir))


def load_config() -> tuple[CommonConfig, ConsoleConfig]:
    return load(CommonConfig), load(ConsoleConfig)


def authenticator_settings(config: ConsoleConfig, *, in_process: bool) -> dict:
    """The dev login mints tokens anyone can ask for: only the embedded demo (one process, no broker) may
    have it; a console on a broker with it switched on refuses to start."""
    import secrets

    if config.dev_login and not in_process:
        raise ConfigError("CONSOLE_DEV_LOGIN is for the embedded demo only: the transport here is not in-process")
    public_key = Path(config.oidc_public_key_file).read_text() if config.oidc_public_key_file else ""
    dev_secret = (config.dev_secret or secrets.token_urlsafe(32)) if config.dev_login else ""
    return {"public_key": public_key, "jwks_url": config.oidc_jwks_url, "issuer": config.oidc_issuer,
            "audience": config.oidc_audience, "dev_secret": dev_secret,
            "jwks_cooldown_s": config.oidc_jwks_cooldown_s}
