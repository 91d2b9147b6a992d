"""`make run` announces the console only once its page really answers, with how to sign in."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from aiohttp import web

from seatcopilot_cli.demo import SIGN_IN_HELP, ready_banner, wait_until_served


async def _serve_after(ready_after_s: float) -> tuple[web.AppRunner, str, list[float]]:
    """A page that answers 503 until `ready_after_s` has passed; records when each request came."""
    loop = asyncio.get_running_loop()
    started, seen = loop.time(), []

    async def handler(_request: web.Request) -> web.Response:
        seen.append(loop.time() - started)
        return web.Response(status=200 if loop.time() - started >= ready_after_s else 503)

    app = web.Application()
    app.router.add_get("/", handler)
    app.router.add_get("/healthz", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # the ephemeral port the OS chose
    return runner, f"http://127.0.0.1:{port}", seen


def test_waits_until_the_page_answers():
    async def scenario() -> list[float]:
        runner, url, seen = await _serve_after(0.6)
        try:
            await wait_until_served(url, timeout_s=10)
        finally:
            await runner.cleanup()
        return seen

    seen = asyncio.run(scenario())
    assert seen[-1] >= 0.6 and len(seen) > 2  # it polled through the 503s and returned on the first 200s


def test_gives_up_with_a_reason_when_the_page_never_answers():
    async def scenario() -> None:
        runner, url, _ = await _serve_after(3600)
        try:
            await wait_until_served(url, timeout_s=0.5)
        finally:
            await runner.cleanup()

    with pytest.raises(RuntimeError, match="did not answer"):
        asyncio.run(scenario())


def test_the_banner_names_the_url_and_the_sign_in():
    banner = ready_banner("http://127.0.0.1:8080", 9464)
    assert "http://127.0.0.1:8080" in banner and SIGN_IN_HELP in banner and "op-ava" in banner


def test_version_flag():
    done = subprocess.run([sys.executable, "-m", "seatcopilot_cli", "--version"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("seatcopilot 0.")
