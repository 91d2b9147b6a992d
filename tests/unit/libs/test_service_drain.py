"""A stopping service runs its drain steps while its transport still delivers (compliance and the console
publish their audit log's final anchor there), then stops the transport, then its shutdown hooks."""

import asyncio
import socket

from seatcopilot import codec, service
from seatcopilot.audit_log import AuditLog, anchor_once, anchor_sink, from_message, load_or_create_key
from seatcopilot.config import CommonConfig, load
from seatcopilot.contracts.audit.v1 import audit_pb2
from seatcopilot.topics import AUDIT_ANCHORS


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_final_anchor_is_published_while_draining_before_the_transport_stops(tmp_path):
    common = load(CommonConfig, {"SEATCOPILOT_TRANSPORT": "inprocess", "GRPC_PORT": str(free_port()),
                                 "METRICS_PORT": "0"})
    log = AuditLog(tmp_path / "audit", load_or_create_key(tmp_path / "keys" / "audit.key"), "drain")
    order, anchors = [], []

    async def scenario():
        stop = asyncio.Event()

        async def setup(ctx: service.ServiceContext) -> None:
            async def received(message) -> None:
                anchors.append(from_message(codec.decode(message.value, audit_pb2.AuditAnchor)))

            ctx.io.transport.subscribe(AUDIT_ANCHORS.name, received)
            stopping = ctx.io.transport.stop

            async def transport_stop(*args, **kwargs):
                order.append("transport stopped")
                await stopping(*args, **kwargs)

            ctx.io.transport.stop = transport_stop

            async def final_anchor() -> None:
                log.write({"call_id": "c1", "decision": "CLEAR"})  # a last decision, not yet anchored
                await anchor_once(log, anchor_sink(ctx.io))
                order.append("anchored")

            async def shutdown() -> None:
                order.append("shut down")

            ctx.on_drain.append(final_anchor)
            ctx.on_shutdown.append(shutdown)

        running = asyncio.create_task(service.serve("drain-test", common, [], setup, stop))
        await asyncio.sleep(0.5)
        stop.set()
        await asyncio.wait_for(running, 30)

    asyncio.run(scenario())
    log.close()
    assert order == ["anchored", "transport stopped", "shut down"]
    assert [(a.segment, a.records) for a in anchors] == [(log.path.name, 1)]
