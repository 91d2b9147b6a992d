"""`seatcopilot release-check`: one call through a running release, end to end (the chart's `helm test`).

Publishes a bundled call's events (data/calls/sales_call.jsonl) to the call-events topic under a fresh call
id, as a platform relay would, and waits for a steered suggestion for that call — one carrying a compliance
verdict (PASS, REWRITTEN or BLOCKED) — on the suggestions topic the console reads; the call's end is sent
only after the wait, so no draft expires because the call ended. Exit 0 when one arrives within the
timeout, 1 otherwise. Through the transport abstraction: Kafka in a release, in-process in tests.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from typing import Any, TextIO

from seatcopilot import codec
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.paths import data_path
from seatcopilot.topics import CALL_EVENTS, SUGGESTIONS
from seatcopilot.transport import Message, Transport

STEERED = {cp.VERDICT_PASS, cp.VERDICT_REWRITTEN, cp.VERDICT_BLOCKED}
CALL = data_path("calls", "sales_call.jsonl")


def probe_call(call_id: str) -> list[ev.CallEvent]:
    """The bundled sales call under a new id, stamped now (a fresh call, never a duplicate)."""
    events = [codec.event_from_json_line(line) for line in CALL.read_text().splitlines() if line.strip()]
    now = time.time()
    for event in events:
        event.call_id = call_id
        event.ts.FromNanoseconds(int(now * 1e9))
    return events


async def check(transport: Transport, timeout_s: float, call_id: str = "") -> cp.SteeredSuggestion | None:
    """The first steered suggestion for the probe call, or None after timeout_s. Starts and stops the transport."""
    call_id = call_id or f"release-check-{uuid.uuid4().hex[:12]}"
    found: asyncio.Future[cp.SteeredSuggestion] = asyncio.get_running_loop().create_future()

    async def on_suggestion(message: Message) -> None:
        try:
            steered = codec.decode(message.value, cp.SteeredSuggestion)
        except codec.PayloadError:
            return
        if steered.call.call_id == call_id and steered.compliance.verdict in STEERED and not found.done():
            found.set_result(steered)

    events = probe_call(call_id)
    # The call stays open until a suggestion came (or the time is up): a draft for an ended call is EXPIRED.
    ending = next((i for i, e in enumerate(events) if e.type == ev.EVENT_TYPE_CALL_ENDED), len(events))
    transport.follow(SUGGESTIONS.name, on_suggestion, since_s=60)
    await transport.start()
    try:
        for event in events[:ending]:
            await transport.publish(CALL_EVENTS.name, call_id, codec.encode(event))
        return await asyncio.wait_for(found, timeout_s)
    except TimeoutError:
        return None
    finally:
        for event in events[ending:]:
            await transport.publish(CALL_EVENTS.name, call_id, codec.encode(event))
        await transport.stop()


async def run(transport: Transport, timeout_s: float, out: TextIO = sys.stdout) -> int:
    steered = await check(transport, timeout_s)
    if steered is None:
        print(f"FAIL: no steered suggestion within {timeout_s:.0f} s (check every pod is Ready, then the "
              "dead-letter topic: seatcopilot deadletter list)", file=out)
        return 1
    print(f"OK: {cp.Verdict.Name(steered.compliance.verdict)[8:]} suggestion for {steered.call.call_id} "
          f"seq {steered.call.seq}", file=out)
    return 0


def command(args: Any) -> int:
    from seatcopilot.transport import create

    return asyncio.run(run(create("kafka", f"seatcopilot-release-check-{uuid.uuid4().hex[:8]}", args.bootstrap),
                           args.timeout))


def register(commands: Any) -> None:
    import os

    check_parser = commands.add_parser("release-check", help="send one call through a running release and wait for "
                                                             "a steered suggestion (helm test)")
    check_parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
    check_parser.add_argument("--timeout", type=float, default=240.0, help="seconds to wait (default 240)")
    check_parser.set_defaults(func=command)
