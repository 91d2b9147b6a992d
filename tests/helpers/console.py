"""The console API under test: who signs in (an identity provider's RS256 tokens, the dev secret), the views a
hub holds, and a console app on a test server with three views of two calls."""

from __future__ import annotations

import asyncio
import time

import jwt
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from services.console.auth import AccessAudit, Authenticator, Identity
from services.console.http_api import create_app
from services.console.logic import ConsoleHub

DEV_SECRET = "test-dev-secret-0123456789abcdef"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = PRIVATE.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
OPERATOR_A = Identity("ava", "harbor", "operator", "team-a", "op-a")
OPERATOR_B = Identity("ben", "harbor", "operator", "team-b", "op-b")
MANAGER_A = Identity("mia", "harbor", "manager", "team-a")
MANAGER_B = Identity("max", "harbor", "manager", "team-b")
ADMIN = Identity("root", "harbor", "admin")
OTHER_TENANT_ADMIN = Identity("eve", "other-bank", "admin")


def view(kind="suggestion", seq=1, call_id="call-a", operator_id="op-a", team_id="team-a", **extra):
    return {"kind": kind, "call_id": call_id, "seq": seq, "tenant": "harbor", "scenario": "SALES",
            "operator_id": operator_id, "team_id": team_id, "text": "hello", **extra}


def oidc_token(identity: Identity, **overrides) -> str:
    claims = {"sub": identity.subject, "tenant": identity.tenant, "role": identity.role, "team": identity.team,
              "operator_id": identity.operator_id, "iss": "https://idp.example", "aud": "seatcopilot-console",
              "exp": int(time.time()) + 600, **overrides}
    return jwt.encode(claims, PRIVATE, algorithm="RS256")


def run(scenario):
    async def wrapper():
        hub = ConsoleHub(first_id=1)  # ids 1, 2, 3 (a running console starts at its start time)
        hub.add(view(call_id="call-a", operator_id="op-a", team_id="team-a"))
        hub.add(view(kind="alert", seq=2, call_id="call-a", rule_ids=["R1"]))
        hub.add(view(call_id="call-b", operator_id="op-b", team_id="team-b"))
        audit, published = AccessAudit(None), []

        async def sink(identity, call, body):
            published.append((identity, call, body))

        auth = Authenticator(public_key=PUBLIC_PEM, issuer="https://idp.example", audience="seatcopilot-console",
                             dev_secret=DEV_SECRET)
        async with TestClient(TestServer(create_app(hub, auth, audit, sink))) as client:
            return await scenario(client, hub, audit, published)
    return asyncio.run(wrapper())


def bearer(identity):
    return {"Authorization": "Bearer " + oidc_token(identity)}
