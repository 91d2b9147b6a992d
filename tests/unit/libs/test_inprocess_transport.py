"""The in-process transport: a stop drains the queues unless a drain timeout says how long to wait."""

import asyncio

from seatcopilot.transport import InProcessTransport


def run_until_stopped(drain_timeout_s):
    handled: list[str] = []

    async def scenario():
        bus = InProcessTransport()

        async def slow(message):
            await asyncio.sleep(0.3)
            handled.append(message.key)

        bus.subscribe("topic", slow)
        await bus.start()
        for key in "abcde":
            await bus.publish("topic", key, b"")
        await asyncio.wait_for(bus.stop(drain_timeout_s), timeout=30)
        assert not await bus.healthy()

    asyncio.run(scenario())
    return handled


def test_a_plain_stop_handles_everything_queued_in_order():
    assert run_until_stopped(None) == list("abcde")


def test_a_stop_with_a_drain_timeout_drops_the_backlog():
    handled = run_until_stopped(0.1)
    assert len(handled) < 5 and handled == list("abcde")[:len(handled)]
