"""The one way a stage runs as its own process (distributed mode).

Start: config validated → logs, traces, metrics → transport + stage + gRPC → health watch.
SIGTERM: health NOT_SERVING → stop consuming → in-flight handlers drain → offsets commit →
producer flushes → gRPC stops within the grace period.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import grpc

from seatcopilot import telemetry, transport
from seatcopilot.config import CommonConfig
from seatcopilot.grpc_tls import TlsFiles, server_credentials
from seatcopilot.grpc_util import Health, build_health_server, build_server
from seatcopilot.stage_io import Background, StageIO
from seatcopilot.threads import limit_blas_threads

log = logging.getLogger(__name__)


@dataclass
class ServiceContext:
    name: str
    common: CommonConfig
    io: StageIO
    health: Health
    server: grpc.aio.Server
    background: list[Background] = field(default_factory=list)
    # Run while draining, before the transport stops: the last messages a service owes (a final audit anchor).
    on_drain: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)


Setup = Callable[[ServiceContext], Awaitable[None]]


async def serve(name: str, common: CommonConfig, grpc_services: list[str], setup: Setup,
                stop: asyncio.Event | None = None) -> None:
    telemetry.setup_logging(common.log_level)
    telemetry.setup_tracing(name, common.otlp_endpoint)
    telemetry.start_metrics_server(common.metrics_port)
    limit_blas_threads(common.blas_threads)
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    bus = transport.create(common.transport, f"seatcopilot-{name}", common.kafka_bootstrap, common.kafka_partitions,
                           common.kafka_replication)
    health = Health(grpc_services, stage=name)
    health.add_check("transport", bus.healthy)
    server = build_server(health, grpc_services, common.grpc_reflection)
    context = ServiceContext(name, common, StageIO(name, bus), health, server)
    await setup(context)
    probes = listen(server, health, common)
    await server.start()
    if probes is not None:
        await probes.start()
    await bus.start()
    jobs = [health.watch, *context.background]
    if hasattr(bus, "export_lag"):
        jobs.append(bus.export_lag)
    tasks = [asyncio.create_task(job()) for job in jobs]
    log.info("%s serving gRPC on :%d, metrics on :%d", name, common.grpc_port, common.metrics_port)

    await stop.wait()
    log.info("%s shutting down: NOT_SERVING, draining", name)
    await health.shut_down()
    for task in tasks:
        task.cancel()
    for hook in context.on_drain:
        try:
            await asyncio.wait_for(hook(), timeout=common.drain_seconds)
        except Exception as error:  # a drain step that fails must not keep the process from stopping
            log.warning("%s: a drain step failed: %s", name, type(error).__name__)
    await bus.stop()
    for hook in context.on_shutdown:
        await hook()
    await server.stop(common.drain_seconds)
    if probes is not None:
        await probes.stop(0)
    log.info("%s stopped", name)


def listen(server: grpc.aio.Server, health: Health, common: CommonConfig) -> grpc.aio.Server | None:
    """Binds the gRPC port (mutual TLS with GRPC_TLS_DIR, else plaintext) and returns the plaintext
    health-only server for probes when GRPC_HEALTH_PORT is set."""
    address = f"0.0.0.0:{common.grpc_port}"
    if common.grpc_tls_dir is not None:
        server.add_secure_port(address, server_credentials(TlsFiles.load(common.grpc_tls_dir)))
    else:
        server.add_insecure_port(address)
    if not common.grpc_health_port:
        return None
    probes = build_health_server(health)
    probes.add_insecure_port(f"0.0.0.0:{common.grpc_health_port}")
    return probes


def run(name: str, common: CommonConfig, grpc_services: list[str], setup: Setup) -> None:
    asyncio.run(serve(name, common, grpc_services, setup))
