"""Per-tenant intake settings: default scenario and language, webhook credentials, redaction policy.

The file (INTAKE_TENANTS_FILE, YAML) never holds a secret: each credential names the environment
variable that does. A credential whose variable is unset is simply not offered (a webhook needing it
answers 401); a policy that hashes without a key is a configuration error, found at start.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from seatcopilot.config import ConfigError
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.pii import KINDS

from services.intake.directory import Directory, parse_directory

ACTIONS = ("mask", "hash", "drop")
SPEAKERS = {"CUSTOMER": ev.SPEAKER_CUSTOMER, "OPERATOR": ev.SPEAKER_OPERATOR}


@dataclass(frozen=True)
class WebhookAuth:
    """Secrets stay out of reprs, so a logged tenant never shows them."""

    bearer_token: str = field(default="", repr=False)
    hmac_secret: str = field(default="", repr=False)
    twilio_auth_token: str = field(default="", repr=False)
    firehose_access_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class RedactionPolicy:
    """What happens to each kind of personal data: mask ([CARD]), hash ([CARD:9f2c...]) or drop."""

    default_action: str = "mask"
    actions: Mapping[str, str] = field(default_factory=dict)
    hash_key: bytes = field(default=b"", repr=False)

    def action(self, kind: str) -> str:
        return self.actions.get(kind, self.default_action)


@dataclass(frozen=True)
class Tenant:
    id: str
    scenario: ev.Scenario = ev.SCENARIO_SERVICE
    language: str = "en-US"
    auth: WebhookAuth = WebhookAuth()
    redaction: RedactionPolicy = RedactionPolicy()
    twilio_inbound_speaker: ev.Speaker = ev.SPEAKER_CUSTOMER
    configured: bool = True
    directory: Directory = field(default_factory=Directory)
    """The tenant's operators: each platform's agent id to operator_id, team_id and role."""


@dataclass(frozen=True)
class Tenants:
    by_id: Mapping[str, Tenant]
    defaults: Tenant

    def get(self, tenant_id: str) -> Tenant | None:
        """A configured tenant (webhooks accept only these)."""
        return self.by_id.get(tenant_id)

    def for_event(self, tenant_id: str) -> Tenant:
        """The tenant's settings, or the defaults for a tenant the file does not list."""
        return self.by_id.get(tenant_id) or replace(self.defaults, id=tenant_id, configured=False)


def _secret(entry: Mapping[str, Any], key: str, environ: Mapping[str, str]) -> str:
    name = entry.get(f"{key}_env")
    return environ.get(str(name), "") if name else ""


def parse_scenario(value: Any) -> ev.Scenario | None:
    """SALES, SERVICE or COLLECTIONS (any case) to the enum; None for anything else."""
    name = f"SCENARIO_{str(value).upper()}"
    if name not in ev.Scenario.DESCRIPTOR.values_by_name or name == "SCENARIO_UNSPECIFIED":
        return None
    return ev.Scenario.Value(name)


def _scenario(value: Any, where: str, problems: list[str]) -> ev.Scenario:
    scenario = parse_scenario(value)
    if scenario is None:
        problems.append(f"{where}: scenario must be SALES, SERVICE or COLLECTIONS, got {value!r}")
        return ev.SCENARIO_SERVICE
    return scenario


def _policy(entry: Mapping[str, Any], where: str, environ: Mapping[str, str], problems: list[str]) -> RedactionPolicy:
    default = str(entry.get("action", "mask"))
    actions = {str(k).upper(): str(v) for k, v in (entry.get("kinds") or {}).items()}
    for kind, action in [("*", default), *actions.items()]:
        if action not in ACTIONS:
            problems.append(f"{where}: redaction action for {kind} must be one of {', '.join(ACTIONS)}, got {action!r}")
        if kind != "*" and kind not in KINDS:
            problems.append(f"{where}: unknown PII kind {kind} (known: {', '.join(KINDS)})")
    key = _secret(entry, "hash_key", environ)
    if "hash" in [default, *actions.values()] and len(key) < 16:
        problems.append(f"{where}: the policy hashes but {entry.get('hash_key_env', 'hash_key_env')} does not hold "
                        "a key of at least 16 characters")
    return RedactionPolicy(default, actions, key.encode())


def _tenant(tenant_id: str, entry: Mapping[str, Any], base: Tenant, environ: Mapping[str, str],
            problems: list[str]) -> Tenant:
    where = f"tenant {tenant_id}"
    auth = entry.get("webhook_auth") or {}
    inbound = str(entry.get("twilio_inbound_track", "CUSTOMER")).upper()
    if inbound not in SPEAKERS:
        problems.append(f"{where}: twilio_inbound_track must be CUSTOMER or OPERATOR, got {inbound!r}")
    return Tenant(
        id=tenant_id,
        scenario=_scenario(entry["scenario"], where, problems) if "scenario" in entry else base.scenario,
        language=str(entry.get("language", base.language)),
        auth=WebhookAuth(*(_secret(auth, k, environ) for k in
                           ("bearer_token", "hmac_secret", "twilio_auth_token", "firehose_access_key"))),
        redaction=_policy(entry["redaction"], where, environ, problems) if "redaction" in entry else base.redaction,
        twilio_inbound_speaker=SPEAKERS.get(inbound, ev.SPEAKER_CUSTOMER),
        directory=parse_directory(entry["operators"], where, problems) if "operators" in entry else base.directory,
    )


def parse_tenants(data: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Tenants:
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    defaults = _tenant("", data.get("defaults") or {}, Tenant(id=""), environ, problems)
    tenants = {str(tid): _tenant(str(tid), entry or {}, defaults, environ, problems)
               for tid, entry in (data.get("tenants") or {}).items()}
    if problems:
        raise ConfigError("invalid tenants file:\n  " + "\n  ".join(problems))
    return Tenants(tenants, defaults)


def load_tenants(path: Path, environ: Mapping[str, str] | None = None) -> Tenants:
    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"INTAKE_TENANTS_FILE {path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"INTAKE_TENANTS_FILE {path}: expected a mapping with 'defaults' and 'tenants'")
    return parse_tenants(data, environ)
