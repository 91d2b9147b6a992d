"""Sign-in hygiene: the dev login only on the in-process transport, no token in any URL or access log,
OIDC keys from a JWKS URL with rotation, the issuer always checked."""

import asyncio
import json
import logging
import time

import jwt
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from seatcopilot.config import ConfigError, load
from seatcopilot.stage_io import StageIO
from seatcopilot.transport import InProcessTransport

from services.console.auth import AccessAudit, Authenticator, Unauthorized
from services.console.config import ConsoleConfig, authenticator_settings
from services.console.http_api import PathOnlyAccessLogger, create_app
from services.console.logic import ConsoleHub
from services.console.main import build_app
from tests.helpers.console import OPERATOR_A, PUBLIC_PEM, oidc_token, view

ISSUER = "https://idp.example"


async def no_feedback(identity, call, body):
    return None


def test_the_dev_login_is_refused_unless_the_transport_is_in_process():
    config = load(ConsoleConfig, {"CONSOLE_DEV_LOGIN": "true"})
    with pytest.raises(ConfigError, match="in-process"):
        authenticator_settings(config, in_process=False)

    class BrokerTransport:  # anything but the in-process bus
        pass

    with pytest.raises(ConfigError):
        build_app(config, ConsoleHub(), StageIO("console", BrokerTransport()))
    assert build_app(config, ConsoleHub(), StageIO("console", InProcessTransport()))  # the embedded demo
    settings = authenticator_settings(load(ConsoleConfig, {}), in_process=False)
    assert settings["dev_secret"] == ""  # off by default: dev-login (HS256) tokens are refused


def test_the_event_stream_takes_a_cookie_never_a_token_in_the_url_and_the_access_log_holds_none(caplog):
    token = oidc_token(OPERATOR_A)

    async def scenario():
        hub = ConsoleHub()
        hub.add(view(call_id="call-a"))
        auth = Authenticator(public_key=PUBLIC_PEM, issuer=ISSUER, audience="seatcopilot-console")
        app = create_app(hub, auth, AccessAudit(None), no_feedback)
        server = TestServer(app)
        await server.start_server(access_log_class=PathOnlyAccessLogger)  # as start_http runs it
        async with TestClient(server) as client:
            in_url = await client.get(f"/api/events?access_token={token}")
            no_cookie = await client.get("/api/events")
            session = await client.post("/api/session", headers={"Authorization": "Bearer " + token})
            set_cookie = session.headers.get("Set-Cookie", "")
            stream = await client.get("/api/events")  # the client's jar sends the cookie, as a browser does
            body = b""
            while b"id: 1" not in body:
                body += await stream.content.readany()
            stream.close()
            await client.delete("/api/session")
            after_sign_out = await client.get("/api/events")
            return in_url.status, no_cookie.status, session.status, set_cookie, body, after_sign_out.status

    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        in_url, no_cookie, session, set_cookie, body, after_sign_out = asyncio.run(scenario())
    assert (in_url, no_cookie, session, after_sign_out) == (401, 401, 200, 401)
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Path=/api/events" in set_cookie
    assert b"call-a" in body
    access_log = "\n".join(r.getMessage() for r in caplog.records if r.name == "aiohttp.access")
    assert "/api/events" in access_log and "/api/session" in access_log  # the log was written...
    assert token not in access_log and token.split(".")[1] not in access_log  # ...and holds no token


class JwksServer:
    """The identity provider's key set, on 127.0.0.1, with keys that can be rotated mid-test."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0

    async def jwks(self, request: web.Request) -> web.Response:
        self.fetches += 1
        keys = [{**json.loads(RSAAlgorithm.to_jwk(k.public_key())), "kid": kid, "alg": "RS256", "use": "sig"}
                for kid, k in self.keys.items()]
        return web.json_response({"keys": keys})

    def token(self, kid: str, key: rsa.RSAPrivateKey | None = None, **overrides) -> str:
        claims = {"sub": "ava", "tenant": "harbor", "role": "operator", "operator_id": "op-a", "iss": ISSUER,
                  "aud": "seatcopilot-console", "exp": int(time.time()) + 600, **overrides}
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, key or self.keys[kid], algorithm="RS256", headers={"kid": kid})


def test_oidc_keys_come_from_the_jwks_url_and_rotate_and_the_issuer_is_always_checked():
    provider = JwksServer()
    provider.keys["k1"] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    old_key = provider.keys["k1"]

    async def scenario():
        jwks_app = web.Application()
        jwks_app.router.add_get("/.well-known/jwks.json", provider.jwks)
        runner = web.AppRunner(jwks_app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        auth = Authenticator(jwks_url=f"http://127.0.0.1:{port}/.well-known/jwks.json", issuer=ISSUER,
                             audience="seatcopilot-console", jwks_cooldown_s=0)
        app = create_app(ConsoleHub(), auth, AccessAudit(None), no_feedback)
        statuses = {}

        async def me(name: str, token: str) -> None:
            statuses[name] = (await client.get("/api/me", headers={"Authorization": "Bearer " + token})).status

        async with TestClient(TestServer(app)) as client:
            await me("first key", provider.token("k1"))
            await me("wrong issuer", provider.token("k1", iss="https://evil.example"))
            await me("no issuer", provider.token("k1", iss=None))
            provider.keys = {"k2": rsa.generate_private_key(public_exponent=65537, key_size=2048)}  # rotated
            await me("rotated key", provider.token("k2"))
            await me("retired key", provider.token("k1", key=old_key))
            await me("unknown signer", provider.token("k2", key=old_key))
        await runner.cleanup()
        return statuses

    statuses = asyncio.run(scenario())
    assert statuses == {"first key": 200, "wrong issuer": 401, "no issuer": 401, "rotated key": 200,
                        "retired key": 401, "unknown signer": 401}
    assert provider.fetches >= 2  # the rotation was fetched, not configured


def test_an_identity_provider_without_an_issuer_is_refused():
    with pytest.raises(ValueError, match="issuer"):
        Authenticator(public_key=PUBLIC_PEM)
    with pytest.raises(ValueError, match="issuer"):
        Authenticator(jwks_url="http://127.0.0.1:1/jwks")
    with pytest.raises(Unauthorized):  # no provider configured at all: RS256 tokens are refused
        Authenticator().identity(oidc_token(OPERATOR_A))
