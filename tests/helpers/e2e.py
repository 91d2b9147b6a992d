"""What the end-to-end tests share with their conftest: the identity provider the distributed console trusts,
the services' gRPC addresses, and the wait for an idle Triton after the topology stops."""

from __future__ import annotations

import asyncio
import contextlib
import os
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from seatcopilot.config import local_grpc_base

# The distributed console refuses the dev login: the tests sign in as an identity provider would.
CONSOLE_ISSUER = "https://idp.e2e.test"
CONSOLE_SIGNING_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def console_public_pem() -> bytes:
    """The identity provider's public key, as the console reads it from OIDC_PUBLIC_KEY_FILE."""
    return CONSOLE_SIGNING_KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                                         serialization.PublicFormat.SubjectPublicKeyInfo)


def console_token(identity) -> str:
    """An RS256 token the distributed console accepts (its public key is OIDC_PUBLIC_KEY_FILE)."""
    now = int(time.time())
    claims = {"sub": identity.subject, "tenant": identity.tenant, "role": identity.role, "team": identity.team,
              "operator_id": identity.operator_id, "iss": CONSOLE_ISSUER, "aud": "seatcopilot-console",
              "iat": now, "exp": now + 3600}
    return jwt.encode(claims, CONSOLE_SIGNING_KEY, algorithm="RS256")


def service_target(index: int) -> str:
    """A service's gRPC address: its place in scripts/up.sh's SERVICES (intake is 1, indicators 8)."""
    return f"127.0.0.1:{local_grpc_base() + index}"


def wait_for_triton_idle(timeout_s: float = 300.0) -> None:
    """Triton keeps generating for requests whose client gave up (the generation service stopped mid-call):
    a one-token probe queues behind them on the single model instance, so once it answers Triton is idle
    and the next tests do not wait behind this module's work."""
    from services.generation.backends import GenerationRequest, TritonBackend

    async def probe() -> None:
        backend = TritonBackend(os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001"), "seatcopilot_llm")
        try:
            request = GenerationRequest([{"role": "user", "content": "hi"}], max_tokens=1)
            await asyncio.wait_for(_drain(backend.stream(request)), timeout_s)
        finally:
            await backend.close()

    with contextlib.suppress(Exception):  # a Triton that does not answer is the Triton tests' finding, not ours
        asyncio.run(probe())


async def _drain(stream) -> None:
    async for _ in stream:
        pass
