"""The console in a real browser (headless Chromium driven by Playwright) on a replayed call.
Screenshots are kept under artifacts/screenshots/."""

import asyncio
import shutil
import socket
import threading
import time

import pytest
from seatcopilot import codec
from seatcopilot.config import load
from seatcopilot.feedback.v1 import feedback_pb2
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import FEEDBACK

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.console import kafka_adapter as console_adapter
from services.console.config import ConsoleConfig
from services.console.http_api import start_http
from services.console.logic import ConsoleHub
from services.console.main import build_app
from tests.conftest import ROOT, load_call

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ConsoleServer:
    """The embedded pipeline and the console in a background event loop, replaying the sales call."""

    def __init__(self) -> None:
        self.port = free_port()
        self.feedback: list[feedback_pb2.Feedback] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=180)

    async def _start(self) -> None:
        self.pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted"})
        hub = ConsoleHub()
        self.pipeline.attach("console", console_adapter, hub)
        self.taps = self.pipeline.bus.tap(FEEDBACK.name)
        config = load(ConsoleConfig, {"CONSOLE_DEV_LOGIN": "true"})
        app = build_app(config, hub, StageIO("console", self.pipeline.bus))
        await self.pipeline.start()
        self.runner = await start_http(app, "127.0.0.1", self.port)
        for event in load_call("sales_call.jsonl")[:14]:  # up to the operator's slip and the answer after it
            await self.pipeline.publish(event)
        await self.pipeline.drain()

    def feedback_messages(self) -> list[feedback_pb2.Feedback]:
        async def drain():
            while not self.taps.empty():
                self.feedback.append(codec.decode(self.taps.get_nowait().value, feedback_pb2.Feedback))
        asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=10)
        return self.feedback

    def stop(self) -> None:
        async def shutdown():
            await self.runner.cleanup()
            await self.pipeline.stop()
        asyncio.run_coroutine_threadsafe(shutdown(), self.loop).result(timeout=60)
        self.loop.call_soon_threadsafe(self.loop.stop)


@pytest.fixture(scope="module")
def server():
    console = ConsoleServer()
    yield console
    console.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def sign_in(browser, server, role, operator="", team=""):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"http://127.0.0.1:{server.port}/")
    page.wait_for_selector("#dev-form", state="visible")
    page.select_option("#dev-role", role)
    page.fill("#dev-operator", operator)
    page.fill("#dev-team", team)
    page.click("#dev-form button")
    page.wait_for_selector("#app", state="visible")
    return page


def test_operator_sees_a_streamed_suggestion_and_accepting_it_is_recorded(browser, server):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = sign_in(browser, server, "operator", operator="op-ava")
    page.wait_for_selector("#connection.conn-live")
    page.wait_for_selector("#suggestions li.suggestion[data-verdict]")
    first = page.locator("#suggestions li.suggestion").first
    text_now = first.locator(".text").inner_text()
    time.sleep(1.5)
    assert len(first.locator(".text").inner_text()) >= len(text_now)  # revealed progressively, never shrinking
    assert page.locator("#transcript li").count() > 5
    assert "[EMAIL]" in page.locator("#transcript").inner_text() or "@" not in page.locator("#transcript").inner_text()
    page.screenshot(path=str(SHOTS / "operator-suggestions.png"))
    seq = int(first.get_attribute("data-seq"))
    page.keyboard.press("a")
    page.wait_for_selector("#suggestions li.suggestion.done")
    deadline = time.time() + 10
    while not server.feedback_messages() and time.time() < deadline:
        time.sleep(0.2)
    recorded = server.feedback_messages()
    assert recorded and recorded[-1].action == feedback_pb2.ACTION_ACCEPTED
    assert recorded[-1].seq == seq and recorded[-1].operator_id == "op-ava"
    page.screenshot(path=str(SHOTS / "operator-accepted.png"))


def test_manager_sees_the_operators_alert(browser, server):
    page = sign_in(browser, server, "manager", team="team-sales-east")
    page.wait_for_selector("#manager-alerts li.alert")
    assert "UDAAP-GUARANTEED-APPROVAL" in page.locator("#manager-alerts").inner_text()
    assert "call-sales-0001" in page.locator("#floor").inner_text()
    page.screenshot(path=str(SHOTS / "manager-floor.png"))


def test_an_operator_cannot_open_another_operators_call(browser, server):
    page = sign_in(browser, server, "operator", operator="op-ben", team="team-service-west")
    page.wait_for_selector("#connection.conn-live")
    time.sleep(1)
    assert "call-sales-0001" not in page.locator("#calls").inner_text()
    token = page.evaluate("sessionStorage.getItem('seatcopilot-token')")
    status = page.evaluate("""async (token) => (await fetch('/api/calls/call-sales-0001',
        {headers: {Authorization: 'Bearer ' + token}})).status""", token)
    assert status == 403
    page.screenshot(path=str(SHOTS / "operator-denied.png"))
