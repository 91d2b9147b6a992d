"""A stage's gRPC face on a real in-process gRPC server, with its health service."""

from __future__ import annotations

from seatcopilot.grpc_util import Health, build_server


async def serve(register, names, checks=None):
    health = Health(names)
    for name, check in (checks or {}).items():
        health.add_check(name, check)
    server = build_server(health, names)
    register(server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health.refresh()
    return server, health, f"127.0.0.1:{port}"
