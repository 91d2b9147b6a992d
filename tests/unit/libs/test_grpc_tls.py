"""Mutual TLS on a service's gRPC, through the same `service.serve` every stage runs: a client with a
certificate the CA signed is served; one without, or with another CA's, is refused; probes get health alone in
plaintext on their own port; reflection is off unless asked for."""

import asyncio
import socket

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from seatcopilot import service
from seatcopilot.config import CommonConfig, ConfigError, load
from seatcopilot.grpc_tls import TlsFiles, channel, channel_credentials, make_dev_ca


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def health(chan: grpc.aio.Channel, service_name: str = "liveness") -> int:
    reply = await health_pb2_grpc.HealthStub(chan).Check(health_pb2.HealthCheckRequest(service=service_name),
                                                        timeout=3)
    return reply.status


async def refused(chan: grpc.aio.Channel) -> grpc.StatusCode | None:
    try:
        await health(chan)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return None


def test_only_clients_with_a_certificate_from_the_ca_are_served(tmp_path):
    tls, other = make_dev_ca(tmp_path / "tls"), make_dev_ca(tmp_path / "other")
    port, probe_port = free_port(), free_port()
    common = load(CommonConfig, {"SEATCOPILOT_TRANSPORT": "inprocess", "GRPC_PORT": str(port), "METRICS_PORT": "0",
                                 "GRPC_TLS_DIR": str(tls), "GRPC_HEALTH_PORT": str(probe_port)})

    async def scenario():
        stop = asyncio.Event()

        async def setup(ctx: service.ServiceContext) -> None:
            return None

        running = asyncio.create_task(service.serve("tls-test", common, [], setup, stop))
        target = f"127.0.0.1:{port}"
        try:
            for _ in range(50):
                await asyncio.sleep(0.1)
                async with channel(target, tls) as chan:
                    if await refused(chan) is None:
                        break
            async with channel(target, tls) as chan:
                served = await health(chan)
                reflection = reflection_pb2_grpc.ServerReflectionStub(chan).ServerReflectionInfo(
                    iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=3)
                try:
                    async for _ in reflection:
                        pass
                    reflected = None
                except grpc.aio.AioRpcError as error:
                    reflected = error.code()
            async with grpc.aio.insecure_channel(target) as chan:
                plaintext = await refused(chan)
            foreign = TlsFiles.load(other)
            mixed = grpc.ssl_channel_credentials(TlsFiles.load(tls).ca, foreign.key, foreign.cert)
            async with grpc.aio.secure_channel(target, mixed) as chan:  # trusts the server, not trusted back
                wrong_ca = await refused(chan)
            async with grpc.aio.secure_channel(target, channel_credentials(foreign)) as chan:
                other_server = await refused(chan)
            async with grpc.aio.insecure_channel(f"127.0.0.1:{probe_port}") as chan:
                probed = await health(chan)
        finally:
            stop.set()
            await running
        return served, reflected, plaintext, wrong_ca, other_server, probed

    served, reflected, plaintext, wrong_ca, other_server, probed = asyncio.run(scenario())
    assert served == health_pb2.HealthCheckResponse.SERVING
    assert reflected == grpc.StatusCode.UNIMPLEMENTED  # reflection is a development flag (GRPC_REFLECTION)
    assert plaintext == grpc.StatusCode.UNAVAILABLE
    assert wrong_ca == grpc.StatusCode.UNAVAILABLE
    assert other_server == grpc.StatusCode.UNAVAILABLE
    assert probed == health_pb2.HealthCheckResponse.SERVING  # the probe port: health only, no certificate


def test_a_tls_folder_without_its_files_stops_the_start_with_their_names(tmp_path):
    (tmp_path / "ca.crt").write_text("x")
    with pytest.raises(ConfigError, match=r"tls\.crt, tls\.key"):
        TlsFiles.load(tmp_path)
