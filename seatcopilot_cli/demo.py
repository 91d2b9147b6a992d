"""`seatcopilot demo` (what `make run` starts): the embedded pipeline replaying the bundled calls at
conversational pace, with the console on http://127.0.0.1:8080."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from seatcopilot import codec, telemetry
from seatcopilot.config import CommonConfig, load
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.paths import data_path
from seatcopilot.stage_io import StageIO

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.console import kafka_adapter as console_adapter
from services.console.config import ConsoleConfig
from services.console.http_api import start_http
from services.console.logic import ConsoleHub
from services.console.main import build_app

log = logging.getLogger("seatcopilot.demo")
CALLS = data_path("calls")
MAX_GAP_S = 6.0
PAUSE_BETWEEN_ROUNDS_S = 15.0
QUIT_DRAIN_S = 5.0  # Ctrl-C: finish what is quick, do not wait out the local model's backlog


SIGN_IN_HELP = ("Sign in with the local dev login on that page: operator op-ava (sales), op-ben or op-cara "
                "(servicing, transferred to collections), op-dan (collections), or a manager of team-sales-east, "
                "team-service-west or team-collections-1.")


async def wait_until_served(url: str, timeout_s: float = 60.0) -> None:
    """Returns once the console's page and health answer 200, so the URL printed next really works."""
    import aiohttp

    deadline = asyncio.get_running_loop().time() + timeout_s
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while True:
            try:
                if all([await _status(session, f"{url}{path}") == 200 for path in ("/", "/healthz")]):
                    return
            except aiohttp.ClientError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"the console did not answer on {url} within {timeout_s:.0f} s")
            await asyncio.sleep(0.2)


async def _status(session, url: str) -> int:
    async with session.get(url) as response:
        return response.status


def ready_banner(url: str, metrics_port: int) -> str:
    return (f"\nSeat Copilot is ready. Console: {url}  (metrics: http://127.0.0.1:{metrics_port}/metrics)\n"
            f"{SIGN_IN_HELP}\nThe bundled calls replay in a loop; Ctrl-C stops.\n")


def load_calls() -> list[list[ev.CallEvent]]:
    return [[codec.event_from_json_line(line) for line in path.read_text().splitlines() if line.strip()]
            for path in sorted(CALLS.glob("*.jsonl"))]


async def play_call(pipeline: EmbeddedPipeline, events: list[ev.CallEvent], speed: float, round_no: int,
                    start_delay: float) -> None:
    await asyncio.sleep(start_delay)
    previous = None
    for original in events:
        event = ev.CallEvent()
        event.CopyFrom(original)
        if round_no > 1:
            event.call_id = f"{original.call_id}-r{round_no}"
        event.ts.GetCurrentTime()
        if previous is not None:
            gap = (original.ts.ToNanoseconds() - previous.ts.ToNanoseconds()) / 1e9
            await asyncio.sleep(min(max(gap, 0.2), MAX_GAP_S) / speed)
        previous = original
        await pipeline.publish(event)


async def serve(host: str, port: int, speed: float, once: bool) -> int:
    telemetry.setup_logging("INFO")
    metrics_port = load(CommonConfig).metrics_port
    try:  # the indicators (and every stage's metrics) for Prometheus
        telemetry.start_metrics_server(metrics_port)
    except OSError as error:
        log.warning("metrics endpoint not started on :%d (%s); set METRICS_PORT", metrics_port, error.strerror)
    log.info("loading models (first run builds the local model: about a minute)")
    pipeline = EmbeddedPipeline()
    hub = ConsoleHub()
    pipeline.attach("console", console_adapter, hub)
    # The embedded mode signs in with the local dev login (marked as such on the page).
    config = load(ConsoleConfig, {"CONSOLE_DEV_LOGIN": "true"})
    app = build_app(config, hub, StageIO("console", pipeline.bus))
    await pipeline.start()
    runner = await start_http(app, host, port)
    url = f"http://{host}:{port}"
    await wait_until_served(url)
    print(ready_banner(url, metrics_port), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    calls = load_calls()

    async def rounds() -> None:
        round_no = 1
        while True:
            await asyncio.gather(*(play_call(pipeline, call, speed, round_no, 1.5 * i) for i, call in enumerate(calls)))
            await pipeline.drain()
            log.info("replayed round %d of the bundled calls", round_no)
            if once:
                stop.set()
                return
            round_no += 1
            await asyncio.sleep(PAUSE_BETWEEN_ROUNDS_S)

    player = asyncio.create_task(rounds())
    await stop.wait()
    player.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await player
    await runner.cleanup()
    await pipeline.stop(drain_timeout_s=QUIT_DRAIN_S)
    return 0


def run(host: str, port: int, speed: float, once: bool) -> int:
    return asyncio.run(serve(host, port, speed, once))
