"""The console in a real browser (headless Chromium driven by Playwright) on a replayed call.
Screenshots are kept under artifacts/screenshots/."""

import asyncio
import dataclasses
import shutil
import threading
import time

import pytest
from seatcopilot import codec
from seatcopilot.calls import call_ref
from seatcopilot.config import load
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.feedback.v1 import feedback_pb2
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import FEEDBACK, SUGGESTIONS
from seatcopilot.verdicts import VerdictSigner, keys_for

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.console import kafka_adapter as console_adapter
from services.console.config import ConsoleConfig
from services.console.http_api import start_http
from services.console.logic import ConsoleHub
from services.console.main import build_app
from tests.helpers import ROOT, free_port, load_call, steered_suggestion

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def now_stamped(events):
    """The call as if it were happening now (as `make run` replays it): one indicators window holds it all."""
    for event in events:
        event.ts.GetCurrentTime()
    return events


class DroppableProxy:
    """A TCP proxy in front of the console, for a real dropped connection: drop() cuts every open
    connection and refuses new ones until restore()."""

    def __init__(self, target_port: int) -> None:
        self.port, self.target = free_port(), target_port
        self.links: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._link, "127.0.0.1", self.port)

    async def drop(self) -> None:
        self.server.close()
        for writer in list(self.links):
            writer.transport.abort()
        self.links.clear()

    async def _link(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.transport.abort()
            return
        self.links.update((writer, up_writer))

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, RuntimeError):
                pass
            finally:
                sink.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.links.difference_update((writer, up_writer))


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
        self.pipeline = EmbeddedPipeline({"GENERATION_BACKEND": "scripted", "SUMMARIZER_BACKEND": "none",
                                          "INDICATORS_PUBLISH_INTERVAL_S": "0.5"})
        self.hub = hub = ConsoleHub()
        self.pipeline.attach("console", console_adapter, hub)
        self.taps = self.pipeline.bus.tap(FEEDBACK.name)
        config = load(ConsoleConfig, {"CONSOLE_DEV_LOGIN": "true"})
        app = build_app(config, hub, StageIO("console", self.pipeline.bus))
        await self.pipeline.start()
        self.runner = await start_http(app, "127.0.0.1", self.port)
        self.proxy = DroppableProxy(self.port)
        await self.proxy.restore()
        self.call = now_stamped(load_call("sales_call.jsonl"))
        await self.publish(self.call[:14])  # up to the operator's slip and the answer after it

    async def publish(self, events) -> None:
        for event in events:
            await self.pipeline.publish(event)
        await self.pipeline.drain()

    def history(self, call_id: str) -> list[dict]:
        """The console's views of a call, read on the server's loop (it is the one that writes them)."""
        async def read():
            return [view for _, view in self.hub.call_history("harbor", call_id)]
        return self.run(read())

    def overview(self, call_id: str):
        async def read():
            return dataclasses.replace(self.hub.calls[("harbor", call_id)])
        return self.run(read())

    async def indicators(self, tenant: str, team: str):
        return self.pipeline.stages["indicators"].snapshots(tenant, team)

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=timeout)

    def feedback_messages(self) -> list[feedback_pb2.Feedback]:
        async def drain():
            while not self.taps.empty():
                self.feedback.append(codec.decode(self.taps.get_nowait().value, feedback_pb2.Feedback))
        asyncio.run_coroutine_threadsafe(drain(), self.loop).result(timeout=10)
        return self.feedback

    def stop(self) -> None:
        async def shutdown():
            await self.proxy.drop()
            await self.runner.cleanup()
            await self.pipeline.stop()
            rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in rest:  # e.g. a stream whose browser went away with the proxy
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
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


def sign_in(browser, server, role, operator="", team="", port=None):
    page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"http://127.0.0.1:{port or server.port}/")
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
    shown = '#suggestions li.suggestion[data-verdict]:not([data-verdict="BLOCKED"])'  # a blocked card has no text
    page.wait_for_selector(shown)
    first = page.locator(shown).first
    # Sampled in the page every 20 ms while the words come in: the text grows, nothing moves.
    samples = page.evaluate("""() => new Promise((done) => {
        const seen = [];
        const timer = setInterval(() => {
          const card = document.querySelector('#suggestions li.suggestion:not([data-verdict="BLOCKED"])');
          const alerts = document.getElementById('alerts').getBoundingClientRect().top;
          seen.push([card.querySelector('.shown').textContent.length, card.getBoundingClientRect().height, alerts]);
          if (seen.length >= 150) { clearInterval(timer); done(seen); }
        }, 20); })""")
    lengths = [length for length, _, _ in samples]
    assert lengths == sorted(lengths) and lengths[-1] == len(first.locator(".sizer").text_content())
    assert len({(height, alerts) for _, height, alerts in samples}) == 1  # no layout jump while it streams
    assert page.locator("#transcript li").count() > 5
    assert "[EMAIL]" in page.locator("#transcript").inner_text() or "@" not in page.locator("#transcript").inner_text()
    owed = page.locator("#owed li[data-status]")  # compliance's live state for this call
    owed.first.wait_for()
    statuses = dict(zip(owed.evaluate_all("items => items.map(i => i.dataset.obligation)"),
                        owed.evaluate_all("items => items.map(i => i.dataset.status)"), strict=True))
    latest = [v for v in server.history("call-sales-0001") if v["kind"] == "compliance_state"][-1]
    assert statuses == {o["id"]: o["status"] for o in latest["obligations"]}
    page.screenshot(path=str(SHOTS / "operator-suggestions.png"))
    seq = int(first.get_attribute("data-seq"))
    page.keyboard.press("a")
    page.wait_for_selector("#suggestions li.suggestion.done")
    deadline = time.time() + 10
    while not server.feedback_messages() and time.time() < deadline:
        time.sleep(0.2)
    recorded = server.feedback_messages()
    assert recorded and recorded[-1].action == feedback_pb2.ACTION_ACCEPTED
    assert recorded[-1].call.seq == seq and recorded[-1].call.operator_id == "op-ava"
    page.screenshot(path=str(SHOTS / "operator-accepted.png"))


def test_manager_sees_the_operators_alert(browser, server):
    page = sign_in(browser, server, "manager", team="team-sales-east")
    page.wait_for_selector("#manager-alerts li.alert")
    assert "UDAAP-GUARANTEED-APPROVAL" in page.locator("#manager-alerts").inner_text()
    assert "call-sales-0001" in page.locator("#floor").inner_text()
    cells = page.locator("#floor tbody tr").first.locator("td").all_inner_texts()
    overview = server.overview("call-sales-0001")
    assert (cells[2], cells[6]) == (overview.stage, overview.sentiment) and overview.stage  # stage, live mood
    page.screenshot(path=str(SHOTS / "manager-floor.png"))


def test_manager_sees_the_indicators_services_values(browser, server):
    page = sign_in(browser, server, "manager", team="team-sales-east")
    row = page.locator('#indicators tr[data-indicator="copilot.acceptance_rate"]')
    row.wait_for()
    expected = {}
    deadline = time.time() + 20
    while time.time() < deadline:  # the snapshot after the accepted suggestion (published every 0.5 s)
        snapshots = server.run(server.indicators("harbor", "team-sales-east"))
        expected = {v.name: v for s in snapshots for v in s.values}
        shown = row.locator("td.value").inner_text()
        if expected["copilot.acceptance_rate"].defined and shown == f"{expected['copilot.acceptance_rate'].value:.0%}":
            break
        time.sleep(0.5)
    accepted = sum(v["kind"] == "feedback" and v["action"] == "accepted" for v in server.history("call-sales-0001"))
    assert expected["copilot.acceptance_rate"].numerator == accepted  # the console's feedback reached the indicators
    assert row.locator("td.value").inner_text() == f"{expected['copilot.acceptance_rate'].value:.0%}"
    scenarios = set(page.locator("#indicators tbody td:first-child").all_inner_texts())
    assert scenarios == {"Sales", "Servicing", "Collections", "Compliance", "Copilot use"}
    assert page.locator("#kpis .kpi svg").count() == 6
    page.locator("#indicators").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "manager-indicators.png"))


def test_an_operator_cannot_open_another_operators_call(browser, server):
    page = sign_in(browser, server, "operator", operator="op-ben", team="team-service-west")
    page.wait_for_selector("#connection.conn-live")
    time.sleep(1)
    assert "call-sales-0001" not in page.locator("#calls").inner_text()
    token = page.evaluate("sessionStorage.getItem('seatcopilot-token')")
    status = page.evaluate("""async (token) => (await fetch('/api/calls/call-sales-0001',
        {headers: {Authorization: 'Bearer ' + token}})).status""", token)
    assert status == 404  # answered as an unknown call: nobody learns which calls exist
    page.screenshot(path=str(SHOTS / "operator-denied.png"))


def test_a_dropped_connection_is_shown_and_no_event_is_lost(browser, server):
    page = sign_in(browser, server, "operator", operator="op-ava", port=server.proxy.port)
    page.wait_for_selector("#connection.conn-live")
    page.wait_for_selector("#suggestions li.suggestion")
    page.evaluate("""() => { window.connectionStates = [];
        new MutationObserver(() => window.connectionStates.push(document.getElementById('connection').className))
          .observe(document.getElementById('connection'), {childList: true, characterData: true, subtree: true,
                                                           attributes: true}); }""")
    server.run(server.proxy.drop())
    page.wait_for_selector("#connection:not(.conn-live)")
    page.screenshot(path=str(SHOTS / "operator-reconnecting.png"))
    server.run(server.publish(server.call[14:]))  # the rest of the call happens while the link is down
    time.sleep(1)
    server.run(server.proxy.restore())
    page.wait_for_selector("#connection.conn-live", timeout=30_000)
    expected = server.history("call-sales-0001")
    transcript = sum(1 for v in expected if v["kind"] == "transcript")
    page.wait_for_function(f"document.querySelectorAll('#transcript li').length >= {transcript}", timeout=15_000)
    assert page.locator("#transcript li").count() == transcript  # every event once: none lost, none twice
    assert "call ended" in page.locator("#transcript").inner_text()
    cards = sum(1 for v in expected if v["kind"] == "suggestion" and not v["partial"])  # a part shares its card
    assert page.locator("#suggestions li.suggestion").count() == cards
    assert page.locator("#wrapup-form").is_visible()  # the wrap-up written while the browser was away
    acted = sum(1 for v in expected if v["kind"] == "feedback" and v["subject"] == "suggestion")
    assert page.locator("#suggestions li.suggestion.done").count() == acted  # e.g. accepted in another tab
    states = page.evaluate("window.connectionStates")
    assert any("conn-connecting" in s or "conn-down" in s for s in states) and "conn-live" in states[-1]
    page.screenshot(path=str(SHOTS / "operator-reconnected.png"))


def test_a_partial_card_is_replaced_by_its_whole_draft_and_never_by_an_earlier_part(browser, server):
    signer = VerdictSigner(keys_for(server.pipeline.bus))  # compliance's key in the embedded pipeline
    seq = 900  # past the replayed call's events
    call = call_ref(server.call[0])
    call.seq = seq

    def steered(text, part, partial):
        draft = gen.SuggestionDraft(call=call, text=text, intent="rate_inquiry", backend=gen.BACKEND_SCRIPTED,
                                    card_kind=gen.CARD_KIND_ANSWER, part=part, partial=partial)
        draft.deadline.FromNanoseconds(time.time_ns() + 120 * 10**9)
        return signer.sign(steered_suggestion(draft, text=text, compliance=cp.ComplianceVerdict(
            verdict=cp.VERDICT_PASS)))

    async def publish(*messages):
        for message in messages:
            await server.pipeline.bus.publish(SUGGESTIONS.name, call.call_id, codec.encode(message))
        await server.pipeline.drain()

    page = sign_in(browser, server, "operator", operator="op-ava")
    page.wait_for_selector("#connection.conn-live")
    first = steered("Our rates start at 7.99% APR.", 1, True)
    server.run(publish(first))
    card = page.locator(f'#suggestions li.suggestion[data-seq="{seq}"]')
    card.wait_for()
    page.wait_for_function(f"""() => document.querySelector('#suggestions li[data-seq="{seq}"]')
        .textContent.includes('more to come')""")
    assert card.locator("button").count() == 0  # no actions on a part: the operator acts on the whole draft
    server.run(publish(steered("Our rates start at 7.99% APR. Would you like a quote?", 2, False)))
    page.wait_for_function(f"""() => !document.querySelector('#suggestions li[data-seq="{seq}"]')
        .textContent.includes('more to come')""")
    server.run(publish(steered("Our rates", 1, True)))  # an earlier part arriving late never comes back
    time.sleep(1)
    assert card.count() == 1 and card.locator(".sizer").text_content() == (
        "Our rates start at 7.99% APR. Would you like a quote?")
    assert card.locator("button").count() == 3
