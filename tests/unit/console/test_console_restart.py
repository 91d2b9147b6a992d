"""Operators are never blinded: a browser that reconnects to a restarted console sees its new events at
once; liveness answers for the process alone, readiness for the dependencies."""

import asyncio

from aiohttp.test_utils import TestClient, TestServer
from grpc_health.v1 import health_pb2
from seatcopilot.grpc_util import LIVENESS_SERVICE, Health

from services.console.auth import AccessAudit, Authenticator
from services.console.http_api import create_app
from services.console.logic import ConsoleHub
from tests.helpers.console import OPERATOR_A, PUBLIC_PEM, bearer, view


async def no_feedback(identity, call, body):
    return None


async def read_until(response, marker: bytes, timeout: float = 5.0) -> bytes:
    body = b""

    async def loop():
        nonlocal body
        while marker not in body:
            body += await response.content.readany()
    await asyncio.wait_for(loop(), timeout)
    return body


def ids_in(body: bytes) -> list[int]:
    return [int(line[4:]) for line in body.decode().splitlines() if line.startswith("id: ")]


def test_a_browser_resuming_after_a_console_restart_gets_the_new_events_at_once():
    auth = Authenticator(public_key=PUBLIC_PEM, issuer="https://idp.example", audience="seatcopilot-console")

    async def console_run(hub: ConsoleHub, last_id: int | None, marker: bytes) -> bytes:
        async with TestClient(TestServer(create_app(hub, auth, AccessAudit(None), no_feedback))) as client:
            await client.post("/api/session", headers=bearer(OPERATOR_A))
            headers = {"Last-Event-ID": str(last_id)} if last_id is not None else {}
            response = await client.get("/api/events", headers=headers)
            body = await read_until(response, marker)
            response.close()
            return body

    async def scenario():
        before = ConsoleHub()
        for seq in range(1, 41):  # the first console gave many ids before it went down
            before.add(view(seq=seq, text=f"before {seq}"))
        seen = await console_run(before, None, b"before 40")
        last_id = max(ids_in(seen))
        await asyncio.sleep(0.01)
        after = ConsoleHub()  # the restarted console: empty, its own ids
        after.add(view(seq=41, text="after the restart"))
        return last_id, await console_run(after, last_id, b"after the restart")

    last_id, resumed = asyncio.run(scenario())
    assert b"after the restart" in resumed  # not held back until the new ids pass the old ones
    assert min(ids_in(resumed)) > last_id


def test_liveness_is_the_process_and_readiness_the_dependencies():
    async def scenario():
        health = Health(["seatcopilot.retrieval.v1.RetrievalService"])

        async def neo4j_down() -> bool:
            return False

        health.add_check("neo4j", neo4j_down)
        await health.refresh()

        async def status(name: str) -> int:
            return (await health.servicer.Check(health_pb2.HealthCheckRequest(service=name), None)).status

        return await status(""), await status(LIVENESS_SERVICE)

    ready, live = asyncio.run(scenario())
    assert ready == health_pb2.HealthCheckResponse.NOT_SERVING  # out of rotation: stages fall back
    assert live == health_pb2.HealthCheckResponse.SERVING  # not restarted for a dependency's outage
