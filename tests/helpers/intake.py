"""Intake's webhooks under test: a tenant with every kind of webhook credential, and intake on a real HTTP
server over the in-process transport, with taps on the transcript and dead-letter topics."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp.test_utils import TestServer
from seatcopilot import codec
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DEAD_LETTER, TRANSCRIPT
from seatcopilot.transport import InProcessTransport

from seatcopilot_cli.intake import FIXTURES, deliveries, headers_for
from services.intake.adapters import build_adapters
from services.intake.config import IntakeConfig
from services.intake.gateway import Gateway
from services.intake.http_api import Webhooks, create_app
from services.intake.logic import IntakeStage
from services.intake.scrub import scrub_payload
from services.intake.tenants import parse_tenants

SECRETS = {"BEARER": "bearer-secret-123", "HMAC": "hmac-secret-456", "TWILIO": "twilio-token-789",
           "FIREHOSE": "firehose-key-000"}
TENANTS = {"tenants": {"harbor": {"webhook_auth": {"bearer_token_env": "BEARER", "hmac_secret_env": "HMAC",
                                                   "twilio_auth_token_env": "TWILIO",
                                                   "firehose_access_key_env": "FIREHOSE"}}}}


class Intake:
    def __init__(self, **overrides):
        self.config = IntakeConfig(**{"split_hold_s": 0.2, "reorder_timeout_s": 0.2, "max_body_bytes": 4096,
                                      **overrides})
        self.tenants = parse_tenants(TENANTS, SECRETS)
        self.bus = InProcessTransport()
        self.transcript = self.bus.tap(TRANSCRIPT.name)
        self.dead_letters = self.bus.tap(DEAD_LETTER.name)
        self.gateway = Gateway(IntakeStage(self.config, self.tenants), StageIO("intake", self.bus, scrub_payload))
        self.webhooks = Webhooks(self.config, self.tenants, build_adapters(300), self.gateway)

    async def __aenter__(self):
        await self.bus.start()
        self.server = TestServer(create_app(self.webhooks))
        await self.server.start_server()
        self.session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc):
        await self.session.close()
        await self.server.close()
        await self.bus.stop()

    def url(self, platform, tenant="harbor", query=""):
        return str(self.server.make_url(f"/v1/webhooks/{platform}/{tenant}{query}"))

    async def post(self, url, body, headers):
        async with self.session.post(url, data=body, headers=headers) as response:
            return response.status, await response.json()

    async def replay(self, platform, query="?scenario=SERVICE"):
        url = self.url(platform, query=query)
        path = next((FIXTURES / platform).glob("*.jsonl"))
        replies = []
        for delivery in deliveries(platform, path.read_text().splitlines()):
            replies.append(await self.post(url, delivery.body, headers_for(platform, delivery,
                                                                           self.tenants.get("harbor").auth, url)))
        await asyncio.sleep(0.3)
        await self.gateway.expire_due()
        return replies

    def drain(self, queue, message_type):
        out = []
        while not queue.empty():
            out.append(codec.decode(queue.get_nowait().value, message_type))
        return out


def scenario(coroutine_function, **overrides):
    async def run():
        async with Intake(**overrides) as intake:
            return await coroutine_function(intake)
    return asyncio.run(run())
