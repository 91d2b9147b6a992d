"""`seatcopilot replay FILE --json`: run the embedded pipeline over a JSON-lines file of call events."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TextIO

from seatcopilot import codec, views
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.stage_io import Rejected
from seatcopilot.topics import ALERTS, DEAD_LETTER, SUGGESTIONS, SUMMARIES

from seatcopilot_cli.embedded import EmbeddedPipeline
from services.intake.logic import validate

OUTPUT_TOPICS = (SUGGESTIONS.name, ALERTS.name, SUMMARIES.name)


def read_events(path: Path, errors: TextIO, max_text_chars: int) -> list[ev.CallEvent]:
    events = []
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                event = codec.event_from_json_line(line)
                validate(event, max_text_chars)
            except (codec.PayloadError, Rejected) as error:
                print(f"{path}:{number}: skipped: {error}", file=errors)
                continue
            events.append(event)
    return events


def render_text(view: dict) -> str:
    head = f"[{view['kind']}] {view['call_id']}#{view['seq']}"
    if view["kind"] == "suggestion":
        head += f" {view['compliance']['verdict']}"
        head += f" (part {view['part']}, more to come)" if view["partial"] else ""
    elif view["kind"] == "alert":
        head += f" {view['severity']} {','.join(view['rule_ids'])}"
    return f"{head}: {view['text']}"


async def replay(path: Path, as_json: bool, out: TextIO = sys.stdout, errors: TextIO = sys.stderr,
                 overrides: dict[str, str] | None = None) -> int:
    pipeline = EmbeddedPipeline(overrides)
    events = read_events(path, errors, pipeline.stages["intake"].config.max_text_chars)
    taps = {topic: pipeline.bus.tap(topic) for topic in (*OUTPUT_TOPICS, DEAD_LETTER.name)}
    expired = 0

    def flush() -> None:
        nonlocal expired
        for topic, queue in taps.items():
            while not queue.empty():
                message = queue.get_nowait()
                if topic == DEAD_LETTER.name:
                    letter = codec.decode(message.value, deadletter_pb2.DeadLetter)
                    print(f"dead-lettered by {letter.stage}: {letter.reason}: {letter.detail}", file=errors)
                    continue
                view = views.view_of(topic, message.value)
                if view["kind"] == "suggestion" and view["compliance"]["verdict"] == "EXPIRED":
                    expired += 1
                    continue
                print(json.dumps(view) if as_json else render_text(view), file=out, flush=True)

    await pipeline.start()
    try:
        for event in events:
            await pipeline.publish(event)
            await pipeline.drain()
            flush()
    finally:
        await pipeline.stop()
    flush()
    if expired:
        print(f"{expired} suggestions expired before compliance and were not shown", file=errors)
    return 0


def run(path: Path, as_json: bool) -> int:
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    return asyncio.run(replay(path, as_json))
