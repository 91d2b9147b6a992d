"""Webhook request authentication.

- Bearer token: `Authorization: Bearer <token>`.
- HMAC signature: `X-Seatcopilot-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`;
  the timestamp must be within the tolerance, so a captured request cannot be replayed later, and a
  signature already accepted within the tolerance is refused (a nonce: the same request cannot be
  replayed at once either).
- Twilio: `X-Twilio-Signature`, base64 HMAC-SHA1 (auth token) of the full URL followed by every POST
  parameter name and value, sorted by name.
- Amazon Data Firehose: `X-Amz-Firehose-Access-Key`, the access key configured on the delivery stream.

Comparisons are constant-time. A method whose secret is not configured is not offered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections import OrderedDict
from collections.abc import Mapping

from services.intake.tenants import WebhookAuth

SIGNATURE_HEADER = "X-Seatcopilot-Signature"
TWILIO_HEADER = "X-Twilio-Signature"
FIREHOSE_HEADER = "X-Amz-Firehose-Access-Key"


class Unauthenticated(Exception):
    """The request did not prove it comes from the tenant's platform (the message says why)."""


class ReplayGuard:
    """Signatures accepted in the last tolerance window: one seen again is a replay. Bounded: past
    `capacity` the oldest are forgotten (their timestamps are then usually out of the window anyway)."""

    def __init__(self, capacity: int = 200_000) -> None:
        self.capacity = capacity
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, signature: str, expires_at: float, now: float) -> bool:
        while self._seen and (next(iter(self._seen.values())) < now or len(self._seen) >= self.capacity):
            self._seen.popitem(last=False)
        if signature in self._seen:
            return False
        self._seen[signature] = expires_at
        return True


def sign(secret: str, body: bytes, at: float | None = None) -> str:
    """The X-Seatcopilot-Signature value for body (what a sender computes)."""
    stamp = str(int(time.time() if at is None else at))
    digest = hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's request signature for a POST to url with params."""
    data = url + "".join(f"{key}{params[key]}" for key in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()).decode()


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def check_bearer(auth: WebhookAuth, headers: Mapping[str, str]) -> bool | None:
    """True/False when a bearer token was presented, None when not."""
    value = headers.get("Authorization", "")
    if not value.lower().startswith("bearer "):
        return None
    return bool(auth.bearer_token) and _equal(value[7:].strip(), auth.bearer_token)


def check_signature(auth: WebhookAuth, headers: Mapping[str, str], body: bytes, tolerance_s: float,
                    now: float | None = None, replays: ReplayGuard | None = None) -> bool | None:
    value = headers.get(SIGNATURE_HEADER)
    if value is None:
        return None
    fields = dict(part.split("=", 1) for part in value.split(",") if "=" in part)
    stamp, digest = fields.get("t", ""), fields.get("v1", "")
    if not stamp.isdigit() or not digest:
        return False
    now = time.time() if now is None else now
    if abs(now - int(stamp)) > tolerance_s:  # checked first: the same answer whether a secret is set or not
        raise Unauthenticated(f"the signature's timestamp is more than {tolerance_s:g} s away from now")
    if not auth.hmac_secret:
        return False
    expected = hmac.new(auth.hmac_secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not _equal(digest, expected):
        return False
    if replays is not None and not replays.first_time(digest, int(stamp) + tolerance_s, now):
        raise Unauthenticated("this signed request was already accepted: a replay")
    return True


def check_firehose(auth: WebhookAuth, headers: Mapping[str, str]) -> bool | None:
    value = headers.get(FIREHOSE_HEADER)
    if value is None:
        return None
    return bool(auth.firehose_access_key) and _equal(value, auth.firehose_access_key)


def check_twilio(auth: WebhookAuth, headers: Mapping[str, str], url: str, params: Mapping[str, str]) -> bool | None:
    value = headers.get(TWILIO_HEADER)
    if value is None:
        return None
    return bool(auth.twilio_auth_token) and _equal(value, twilio_signature(auth.twilio_auth_token, url, params))


def authenticate(methods: tuple[str, ...], auth: WebhookAuth, headers: Mapping[str, str], body: bytes, *,
                 url: str = "", params: Mapping[str, str] | None = None, tolerance_s: float = 300.0,
                 replays: ReplayGuard | None = None) -> str:
    """The method that authenticated the request; raises Unauthenticated with the reason otherwise."""
    checks = {
        "bearer": lambda: check_bearer(auth, headers),
        "hmac": lambda: check_signature(auth, headers, body, tolerance_s, replays=replays),
        "firehose": lambda: check_firehose(auth, headers),
        "twilio": lambda: check_twilio(auth, headers, url, params or {}),
    }
    presented = False
    for method in methods:
        result = checks[method]()
        if result:
            return method
        presented = presented or result is not None
    if presented:
        raise Unauthenticated("the credentials presented do not match this tenant's")
    raise Unauthenticated(f"no credentials: this endpoint takes {', '.join(methods)}")
