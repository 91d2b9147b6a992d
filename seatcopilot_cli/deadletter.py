"""`seatcopilot deadletter list` / `redrive`: inspect the dead-letter topic and send letters back.

Both read `seatcopilot.dead-letter.v1` through the transport abstraction (Kafka in production; the
in-process transport in tests), from `--since` ago until the topic has been quiet for `--idle`
seconds. A letter names the stage that refused it, the reason, the topic it came from, its key and
the refused payload (intake scrubs personal data from payloads before dead-lettering them).

`redrive` publishes each selected letter's payload back to its source topic, under its key: once
the cause is fixed (a tenant added, a service back, a bug deployed), the stages take the messages
again. Consumers de-duplicate on (call, seq), so a re-driven message that had in fact been handled
is dropped, not doubled. Letters whose source is not a pipeline topic (webhook requests: the
platform retries those itself) are left out. Platform topics read the tenant from a header the
letter does not keep: `--tenant` sets it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

from seatcopilot import codec
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.topics import ALL, DEAD_LETTER
from seatcopilot.transport import Message, Transport

TENANT_HEADER = "seatcopilot-tenant"
REDRIVE_HEADER = "seatcopilot-redriven-from"
PIPELINE_TOPICS = frozenset(topic.name for topic in ALL) - {DEAD_LETTER.name}


@dataclass(frozen=True)
class Selection:
    """Which letters: by stage, reason, key (empty: any), at most `limit` (0: all)."""

    stage: str = ""
    reason: str = ""
    key: str = ""
    limit: int = 0

    def matches(self, letter: deadletter_pb2.DeadLetter) -> bool:
        return all(not wanted or wanted == value for wanted, value in
                   ((self.stage, letter.stage), (self.reason, letter.reason), (self.key, letter.key)))


def decode_letters(messages: list[Message], selection: Selection) -> list[deadletter_pb2.DeadLetter]:
    letters = []
    for message in messages:
        try:
            letter = codec.decode(message.value, deadletter_pb2.DeadLetter)
        except codec.PayloadError:
            continue  # not a letter: nothing to inspect or re-drive
        if selection.matches(letter):
            letters.append(letter)
    return letters[: selection.limit] if selection.limit else letters


def letter_row(letter: deadletter_pb2.DeadLetter) -> dict[str, Any]:
    """What `list` shows: never the payload itself, only its size."""
    failed_at = letter.failed_at.ToDatetime().isoformat(timespec="seconds") + "Z" if letter.HasField(
        "failed_at") else ""
    return {"failed_at": failed_at, "stage": letter.stage, "reason": letter.reason, "source_topic": letter.source_topic,
            "key": letter.key, "detail": letter.detail, "payload_bytes": len(letter.payload),
            "redrivable": letter.source_topic in PIPELINE_TOPICS}


async def collect(transport: Transport, since_s: float, idle_s: float, clock: Callable[[], float] = time.monotonic,
                  ) -> list[Message]:
    """The dead-letter topic's messages of the last `since_s`, read until quiet for `idle_s`. The transport
    must not be started yet; it is left started (the caller may publish, then stops it)."""
    received: list[Message] = []
    last = [clock()]

    async def handle(message: Message) -> None:
        received.append(message)
        last[0] = clock()

    transport.follow(DEAD_LETTER.name, handle, since_s)
    await transport.start()
    last[0] = clock()
    while clock() - last[0] < idle_s:
        await asyncio.sleep(min(0.05, idle_s))
    return received


async def redrive(transport: Transport, letters: list[deadletter_pb2.DeadLetter], tenant: str = "",
                  dry_run: bool = False) -> tuple[int, int]:
    """Publishes each letter's payload back to its source topic; returns (sent, left out)."""
    sent = left_out = 0
    for letter in letters:
        if letter.source_topic not in PIPELINE_TOPICS:
            left_out += 1
            continue
        headers = {REDRIVE_HEADER: letter.stage.encode()}
        if tenant:
            headers[TENANT_HEADER] = tenant.encode()
        if not dry_run:
            await transport.publish(letter.source_topic, letter.key or "unknown", letter.payload, headers)
        sent += 1
    return sent, left_out


async def run_list(transport: Transport, selection: Selection, since_s: float, idle_s: float, as_json: bool,
                   out: TextIO = sys.stdout) -> int:
    try:
        letters = decode_letters(await collect(transport, since_s, idle_s), selection)
    finally:
        await transport.stop()
    for letter in letters:
        row = letter_row(letter)
        print(json.dumps(row) if as_json else
              f"{row['failed_at']}  {row['stage']:<11} {row['reason']:<20} {row['source_topic']}  key={row['key']}  "
              f"{row['payload_bytes']} B  {row['detail'][:120]}", file=out)
    print(f"{len(letters)} dead letters", file=sys.stderr if as_json else out)
    return 0


async def run_redrive(transport: Transport, selection: Selection, since_s: float, idle_s: float, tenant: str,
                      dry_run: bool, out: TextIO = sys.stdout) -> int:
    try:
        letters = decode_letters(await collect(transport, since_s, idle_s), selection)
        sent, left_out = await redrive(transport, letters, tenant, dry_run)
    finally:
        await transport.stop()
    verb = "would re-drive" if dry_run else "re-drove"
    print(f"{verb} {sent} of {len(letters)} dead letters; {left_out} left out (not from a pipeline topic)", file=out)
    return 0


def _transport(args: Any) -> Transport:
    from seatcopilot.transport import create

    return create("kafka", "seatcopilot-deadletter-cli", args.bootstrap)


def _selection(args: Any) -> Selection:
    return Selection(args.stage, args.reason, args.key, args.limit)


def list_command(args: Any) -> int:
    return asyncio.run(run_list(_transport(args), _selection(args), args.since * 3600, args.idle, args.json))


def redrive_command(args: Any) -> int:
    return asyncio.run(run_redrive(_transport(args), _selection(args), args.since * 3600, args.idle, args.tenant,
                                   args.dry_run))


def register(commands: Any) -> None:
    import os

    group = commands.add_parser("deadletter", help="inspect and re-drive the dead-letter topic").add_subparsers(
        dest="deadletter_command", required=True)
    for name, handler, summary in (("list", list_command, "the dead letters (never their payloads)"),
                                   ("redrive", redrive_command, "publish dead letters back to their source topic")):
        command = group.add_parser(name, help=summary)
        command.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP", "127.0.0.1:9092"))
        command.add_argument("--since", type=float, default=24.0, help="hours back (default 24)")
        command.add_argument("--idle", type=float, default=5.0, help="stop reading after this many quiet seconds")
        command.add_argument("--stage", default="", help="only letters from this stage")
        command.add_argument("--reason", default="", help="only letters with this reason code")
        command.add_argument("--key", default="", help="only letters with this key (a call id)")
        command.add_argument("--limit", type=int, default=0, help="at most this many (0: all)")
        if name == "list":
            command.add_argument("--json", action="store_true", help="one JSON object per letter")
        else:
            command.add_argument("--tenant", default="", help="the seatcopilot-tenant header for platform topics")
            command.add_argument("--dry-run", action="store_true", help="count what would be re-driven, send nothing")
        command.set_defaults(func=handler)
