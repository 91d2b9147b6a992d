"""Faust's stream with a micro-batch that sleeps while nothing is waiting.

faust's `Stream.take_events(max_, within)` waits for a full buffer with `within` as its timeout, in a loop, whether
or not anything is buffered: with the stages' 1-2 ms windows every batching subscription woke 500-1,000 times a
second on an idle bus. Measured on `make up` with no traffic: 70-104 ms of CPU a second in each of the classifier,
retrieval, generation and compliance, nearly all on the event loop's thread (docs/journal/2026-12-07-idle-wakeups.md).

`QuietStream.batches` keeps take_events' contract (at most `max_` events a batch, acknowledged only after the
batch is handled, the buffer closed to new events while a batch is out) and changes when the window runs: it
waits with no timeout until the first event is buffered, then at most `within` for the batch to fill. Written here
rather than configured: faust offers no setting for it. It uses faust's stream internals (`add_processor`,
`_enable_passive`, `_tracks_buffer_agen`) as take_events does; faust-streaming is pinned, and
tests/integration/test_kafka_batching.py runs it on a real broker."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any, cast

import faust
from faust.streams import _tracks_buffer_agen
from faust.types import ChannelT
from mode.utils.aiter import aiter
from mode.utils.locks import Event


class QuietStream(faust.Stream):
    @_tracks_buffer_agen
    async def batches(self, max_: int, within: float) -> AsyncGenerator[list[Any], None]:
        """Lists of at most max_ events: each list goes out when full, or `within` seconds after its first event
        arrived. Events are acknowledged once the consumer of a list asks for the next one."""
        events: list[Any] = []
        started, full, room = Event(), Event(), Event()  # room: the buffer takes events (not full, no batch out)
        room.set()

        async def add(value: Any) -> Any:
            if not room.is_set():
                await self.wait(room)  # this event joins the next batch
            if self.current_event is None:
                raise RuntimeError("a buffered value without its event")
            events.append(self.current_event)
            started.set()
            if len(events) >= max_:
                full.set()
                room.clear()  # never more than max_ in one batch
            return value

        acks_before, self.enable_acks = self.enable_acks, False  # acknowledged below, after the batch is handled
        self.add_processor(add)
        self._enable_passive(cast(ChannelT, aiter(self.channel)))
        try:
            while not self.should_stop:
                await self.wait_for_stopped(started)  # no timer while nothing is waiting
                if self.should_stop:
                    break
                await self.wait_for_stopped(full, timeout=within)
                room.clear()
                try:
                    yield list(events)
                finally:
                    for event in events:
                        await self.ack(event)
                    events.clear()
                    started.clear()
                    full.clear()
                    room.set()
        finally:
            self.enable_acks = acks_before
            self._processors.remove(add)
