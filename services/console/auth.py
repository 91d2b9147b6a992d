"""Who is asking, and what they may see.

Bearer tokens are JWTs from the contact center's OIDC provider (RS256/ES256, verified with a key from its
JWKS URL — rotated keys are fetched when an unknown key id appears — or a fixed public key; the issuer is
always checked, and the audience), or — in the embedded mode only, on the in-process transport — HS256
tokens minted by the clearly marked local dev login.
Claims: `sub`, `tenant`, `role` (operator, manager, admin), `team`, `operator_id`.

Rules: every identity is confined to its tenant; an operator sees the calls they took part in; a
manager sees the calls of their team; an admin sees the tenant. Every access to a call is audited.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import jwt
from jwt import PyJWKClient
from seatcopilot.audit_log import AuditLog

log = logging.getLogger(__name__)
ROLES = ("operator", "manager", "admin")
DEV_ISSUER = "seatcopilot-dev-login"


class Unauthorized(Exception):
    """No valid credentials (HTTP 401)."""


class Forbidden(Exception):
    """Valid credentials, but not for this (HTTP 403)."""


@dataclass(frozen=True)
class Identity:
    subject: str
    tenant: str
    role: str
    team: str = ""
    operator_id: str = ""


@dataclass
class CallAccess:
    """What access control needs to know of a call."""

    tenant: str = ""
    teams: frozenset[str] = frozenset()
    operators: frozenset[str] = frozenset()

    def note(self, tenant: str, team: str, operator_id: str) -> None:
        self.tenant = self.tenant or tenant
        if team:
            self.teams = self.teams | {team}
        if operator_id:
            self.operators = self.operators | {operator_id}


def may_see(identity: Identity, call: CallAccess) -> bool:
    if not call.tenant or identity.tenant != call.tenant:
        return False
    if identity.role == "admin":
        return True
    if identity.role == "manager":
        return identity.team in call.teams
    return identity.operator_id in call.operators


def may_see_view(identity: Identity, view: dict) -> bool:
    """For one streamed event, before the call's whole history is known."""
    access = CallAccess()
    access.note(view.get("tenant", ""), view.get("team_id", ""), view.get("operator_id", ""))
    return may_see(identity, access)


class Authenticator:
    def __init__(self, *, public_key: str = "", jwks_url: str = "", issuer: str = "", audience: str = "",
                 dev_secret: str = "", jwks_cooldown_s: float = 30.0) -> None:
        if (public_key or jwks_url) and not issuer:
            raise ValueError("an identity provider's tokens are checked against its issuer: set OIDC_ISSUER")
        self.public_key = public_key
        self.issuer = issuer
        self.audience = audience
        self.dev_secret = dev_secret
        # The cooldown bounds how often a token with an unknown key id can make us refetch the key set.
        self._jwks = PyJWKClient(jwks_url, cache_keys=False, lifespan=300, timeout=5,
                                 cooldown_duration=jwks_cooldown_s) if jwks_url else None

    @property
    def fetches_keys(self) -> bool:
        """Whether checking a token may block on the network (the caller runs it off the event loop)."""
        return self._jwks is not None

    def identity(self, token: str) -> Identity:
        if not token:
            raise Unauthorized("a bearer token is required")
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") == "HS256":
                if not self.dev_secret:
                    raise Unauthorized("dev-login tokens are not accepted here")
                claims = jwt.decode(token, self.dev_secret, algorithms=["HS256"], issuer=DEV_ISSUER,
                                    options={"require": ["exp", "sub", "iss"]})
            else:
                claims = jwt.decode(token, self._provider_key(token), algorithms=["RS256", "ES256"],
                                    issuer=self.issuer, audience=self.audience or None,
                                    options={"require": ["exp", "sub", "iss"]})
        except jwt.PyJWTError as error:
            raise Unauthorized(f"invalid token: {error}") from error
        return _identity_of_claims(claims)

    def _provider_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        if self.public_key:
            return self.public_key
        raise Unauthorized("no identity provider key is configured")

    def dev_token(self, identity: Identity, ttl_s: int = 8 * 3600) -> str:
        """The embedded mode's local login: never enabled in the distributed mode."""
        if not self.dev_secret:
            raise Forbidden("the dev login is disabled")
        now = int(time.time())
        claims = {"sub": identity.subject, "tenant": identity.tenant, "role": identity.role, "team": identity.team,
                  "operator_id": identity.operator_id, "iss": DEV_ISSUER, "iat": now, "exp": now + ttl_s}
        return jwt.encode(claims, self.dev_secret, algorithm="HS256")


def _identity_of_claims(claims: dict) -> Identity:
    role = claims.get("role", "")
    if role not in ROLES or not claims.get("tenant"):
        raise Unauthorized("the token lacks a known role or a tenant")
    if role == "operator" and not claims.get("operator_id"):
        raise Unauthorized("an operator token needs operator_id")
    if role == "manager" and not claims.get("team"):
        raise Unauthorized("a manager token needs team")
    return Identity(claims["sub"], claims["tenant"], role, claims.get("team", ""), claims.get("operator_id", ""))


class AccessAudit:
    """Append-only record of every access to a call: who, which call, what, allowed or not. No content.
    With a chained log (`seatcopilot.audit_log`, the compliance audit's format) it outlives the process
    and shows any edit; the last 10,000 entries are also kept in memory."""

    def __init__(self, chained: AuditLog | None) -> None:
        self.chained = chained
        self._lock = threading.Lock()
        self.entries: list[dict] = []

    def record(self, identity: Identity | None, call_id: str, action: str, allowed: bool) -> None:
        entry = {"ts": time.time(), "call_id": call_id, "action": action, "allowed": allowed,
                 **({k: v for k, v in asdict(identity).items()} if identity else {"subject": "anonymous"})}
        with self._lock:
            self.entries.append(entry)
            del self.entries[:-10_000]
            if self.chained is not None:
                self.chained.write({k: v for k, v in entry.items() if k != "ts"})
        if not allowed:
            log.warning("denied %s on a call to %s", action, entry.get("subject"))
