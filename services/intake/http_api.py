"""Intake's webhooks: `POST /v1/webhooks/{platform}/{tenant}` for amazon_connect, genesys_cloud, twilio
and generic, each authenticated (bearer token, HMAC signature, Twilio's signature, Firehose access
key). Refusals answer 4xx with a JSON body naming the reason, and the payload goes, redacted, to
the dead-letter topic; intake never crashes on input.

A scenario for platforms whose events do not carry one: `?scenario=SALES` or an
`X-Seatcopilot-Scenario` header, else the tenant's default.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from opentelemetry import trace
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from services.intake.adapters import Adapter, PayloadRejected, Source
from services.intake.auth import ReplayGuard, Unauthenticated, authenticate
from services.intake.config import IntakeConfig
from services.intake.gateway import REASON_STATUS, Gateway, Origin, Report
from services.intake.metrics import WEBHOOKS
from services.intake.tenants import Tenant, Tenants, WebhookAuth, parse_scenario

log = logging.getLogger(__name__)

AUTH_METHODS = {"amazon_connect": ("hmac", "bearer", "firehose"), "genesys_cloud": ("hmac", "bearer"),
                "twilio": ("twilio",), "generic": ("hmac", "bearer")}
CHUNK = 65_536


@dataclass
class Refusal(Exception):
    reason: str
    detail: str

    @property
    def status(self) -> int:
        return REASON_STATUS.get(self.reason, 400)


@dataclass
class Webhooks:
    config: IntakeConfig
    tenants: Tenants
    adapters: dict[str, Adapter]
    gateway: Gateway
    replays: ReplayGuard = field(default_factory=ReplayGuard)

    async def handle(self, request: web.Request) -> web.Response:
        platform = request.match_info["platform"]
        tracer = trace.get_tracer("seatcopilot")
        with tracer.start_as_current_span("intake webhook", kind=trace.SpanKind.SERVER,
                                          attributes={"seatcopilot.stage": "intake",
                                                      "seatcopilot.platform": platform}) as span:
            body, oversized = await _read(request, self.config.max_body_bytes)
            origin = Origin(f"http:{request.path}", "", body, platform if platform in self.adapters else "http")
            try:
                if oversized:
                    raise Refusal("payload_too_large", f"the body exceeds {self.config.max_body_bytes} bytes")
                report = await self._accept(request, platform, body, origin)
                status, payload = report.status(), report.as_dict()
            except Refusal as refusal:
                await self.gateway.dead_letter(origin, refusal.reason, refusal.detail)
                status, payload = refusal.status, {"error": refusal.reason, "detail": refusal.detail}
            span.set_attribute("http.response.status_code", status)
        WEBHOOKS.labels(platform if platform in self.adapters else "unknown", str(status)).inc()
        return web.json_response(_firehose_reply(request, payload, status), status=status)

    async def _accept(self, request: web.Request, platform: str, body: bytes, origin: Origin) -> Report:
        adapter = self.adapters.get(platform)
        if adapter is None:
            raise Refusal("unknown_platform", f"no adapter {platform!r}; known: {', '.join(sorted(self.adapters))}")
        # An unknown tenant is answered as a known one with other credentials: nobody learns which exist.
        tenant = self.tenants.get(request.match_info["tenant"]) or Tenant("", auth=WebhookAuth())
        content_type = request.content_type
        if content_type not in adapter.content_types:
            raise Refusal("unsupported_media_type", f"{content_type or 'no content type'}; this endpoint takes "
                                                    f"{' or '.join(adapter.content_types)}")
        try:
            if platform == "twilio":  # Twilio signs the parsed parameters, so they are read first
                payload = adapter.parse(body, content_type)
                self._authenticate(request, platform, tenant, body, payload)
            else:
                self._authenticate(request, platform, tenant, body, None)
                payload = adapter.parse(body, content_type)
            mapped = adapter.map(payload, Source(tenant, _scenario(request, tenant)))
        except PayloadRejected as rejected:
            raise Refusal(rejected.reason, rejected.detail) from rejected
        report = Report(skipped=mapped.skipped, duplicates=mapped.duplicates)
        await self.gateway.refuse_pieces(mapped.rejected, origin, report)
        return await self.gateway.submit(mapped.events, origin, report)

    def _authenticate(self, request: web.Request, platform: str, tenant: Tenant, body: bytes,
                      params: dict[str, str] | None) -> None:
        url = (self.config.public_base_url.rstrip("/") + request.path_qs) if self.config.public_base_url \
            else str(request.url)
        try:
            authenticate(AUTH_METHODS[platform], tenant.auth, request.headers, body, url=url, params=params,
                         tolerance_s=self.config.signature_tolerance_s, replays=self.replays)
        except Unauthenticated as error:
            raise Refusal("unauthenticated", str(error)) from error


async def _read(request: web.Request, limit: int) -> tuple[bytes, bool]:
    """The body, or its first `limit` bytes and True when it is longer (the rest is not read)."""
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(CHUNK):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _scenario(request: web.Request, tenant: Tenant) -> ev.Scenario:
    value = request.query.get("scenario") or request.headers.get("X-Seatcopilot-Scenario")
    if not value:
        return tenant.scenario
    scenario = parse_scenario(value)
    if scenario is None:
        raise Refusal("bad_scenario", "scenario must be SALES, SERVICE or COLLECTIONS")
    return scenario


def _firehose_reply(request: web.Request, payload: dict[str, Any], status: int) -> dict[str, Any]:
    """Amazon Data Firehose expects its request id and a timestamp back (and errorMessage on failure)."""
    request_id = request.headers.get("X-Amz-Firehose-Request-Id")
    if request_id is None:
        return payload
    reply = {"requestId": request_id, "timestamp": int(time.time() * 1000), **payload}
    if status != 200:
        reply["errorMessage"] = payload.get("detail") or "some records were refused"
    return reply


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def create_app(webhooks: Webhooks) -> web.Application:
    app = web.Application()
    app.router.add_post("/v1/webhooks/{platform}/{tenant}", webhooks.handle)
    app.router.add_get("/healthz", health)
    return app


async def start_http(webhooks: Webhooks, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(create_app(webhooks), access_log=None)  # request lines may carry query values
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("intake webhooks on http://%s:%d/v1/webhooks/{platform}/{tenant}", host, port)
    return runner
