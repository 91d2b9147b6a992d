"""`seatcopilot intake send PLATFORM FILE`: replays a platform fixture to intake's webhook, signed the way
the platform signs it, one delivery per line, paced like the platform.

FILE holds one delivery per line: a Contact Lens segment event, a Genesys notification, a Twilio
callback's parameters (sent form-encoded), or contract events (generic). Credentials come from the
tenant's entries in INTAKE_TENANTS_FILE (the environment variables they name).
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from seatcopilot.paths import data_path

from services.intake.auth import SIGNATURE_HEADER, TWILIO_HEADER, sign, twilio_signature
from services.intake.config import DEFAULT_TENANTS_FILE
from services.intake.tenants import WebhookAuth, load_tenants

PLATFORMS = ("amazon_connect", "genesys_cloud", "twilio", "generic")
FIXTURES = data_path("platforms")


@dataclass(frozen=True)
class Delivery:
    body: bytes
    content_type: str
    params: dict[str, str] | None


def deliveries(platform: str, lines: list[str]) -> list[Delivery]:
    """Each fixture line as the platform would send it."""
    out = []
    for line in lines:
        if not line.strip():
            continue
        if platform == "twilio":
            params = {str(k): str(v) for k, v in json.loads(line).items()}
            out.append(Delivery(urlencode(params).encode(), "application/x-www-form-urlencoded", params))
        else:
            out.append(Delivery(line.encode(), "application/json", None))
    return out


def headers_for(platform: str, delivery: Delivery, auth: WebhookAuth, url: str) -> dict[str, str]:
    """Authentication headers as the platform (or its relay) sends them."""
    headers = {"Content-Type": delivery.content_type}
    if platform == "twilio":
        headers[TWILIO_HEADER] = twilio_signature(auth.twilio_auth_token, url, delivery.params or {})
    elif auth.hmac_secret:
        headers[SIGNATURE_HEADER] = sign(auth.hmac_secret, delivery.body)
    elif auth.bearer_token:
        headers["Authorization"] = f"Bearer {auth.bearer_token}"
    return headers


def post(url: str, delivery: Delivery, headers: dict[str, str], timeout: float = 10.0) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(url, data=delivery.body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def send(platform: str, path: Path, base_url: str, tenant_id: str, scenario: str, pace_s: float,
         out=sys.stdout) -> int:
    tenants = load_tenants(Path(os.environ.get("INTAKE_TENANTS_FILE", DEFAULT_TENANTS_FILE)))
    tenant = tenants.get(tenant_id)
    if tenant is None:
        print(f"tenant {tenant_id!r} is not in the tenants file", file=sys.stderr)
        return 2
    url = f"{base_url.rstrip('/')}/v1/webhooks/{platform}/{tenant_id}" + (f"?scenario={scenario}" if scenario else "")
    failures = 0
    for number, delivery in enumerate(deliveries(platform, path.read_text(encoding="utf-8").splitlines()), start=1):
        status, reply = post(url, delivery, headers_for(platform, delivery, tenant.auth, url))
        failures += status >= 400
        print(json.dumps({"line": number, "status": status, **reply}), file=out)
        time.sleep(pace_s)
    return 1 if failures else 0
