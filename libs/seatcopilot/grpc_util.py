"""gRPC scaffolding shared by the services: health reflecting dependencies, reflection, deadlines,
status-code mapping and metrics for every RPC."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import grpc
from grpc_health.v1 import _async as health_async
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from seatcopilot import telemetry
from seatcopilot.codec import PayloadError
from seatcopilot.stage_io import Rejected

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
SERVING = health_pb2.HealthCheckResponse.SERVING
NOT_SERVING = health_pb2.HealthCheckResponse.NOT_SERVING

DependencyCheck = Callable[[], Awaitable[bool]]


# Refusals about the call's state rather than the message itself.
_REJECTION_CODES = {"unknown_call": grpc.StatusCode.NOT_FOUND, "call_ended": grpc.StatusCode.FAILED_PRECONDITION,
                    "late_event": grpc.StatusCode.FAILED_PRECONDITION,
                    "lifecycle_violation": grpc.StatusCode.FAILED_PRECONDITION}


def _status_for(error: BaseException) -> tuple[grpc.StatusCode, str]:
    if isinstance(error, Rejected):
        return _REJECTION_CODES.get(error.reason, grpc.StatusCode.INVALID_ARGUMENT), str(error)
    if isinstance(error, PayloadError | ValueError):
        return grpc.StatusCode.INVALID_ARGUMENT, str(error)
    if isinstance(error, TimeoutError):
        return grpc.StatusCode.DEADLINE_EXCEEDED, "the stage did not finish within the deadline"
    if isinstance(error, LookupError):
        return grpc.StatusCode.NOT_FOUND, str(error)
    if isinstance(error, ConnectionError):  # a dependency is down: the caller may retry later
        return grpc.StatusCode.UNAVAILABLE, str(error)
    return grpc.StatusCode.INTERNAL, "internal error"


def _budget(context: grpc.aio.ServicerContext, default_deadline: float) -> float:
    remaining = context.time_remaining()
    return default_deadline if remaining is None else min(remaining, default_deadline)


@contextlib.asynccontextmanager
async def _observed(stage: str, method: str, context: grpc.aio.ServicerContext) -> AsyncIterator[None]:
    """Metrics for one RPC, and any error turned into a status code with a clear message."""
    started, code = time.perf_counter(), grpc.StatusCode.OK
    try:
        yield
    except grpc.aio.AbortError:
        raise
    except Exception as error:  # mapped to a status, never a crash
        code, detail = _status_for(error)
        if code == grpc.StatusCode.INTERNAL:
            log.exception("%s.%s failed", stage, method)
        await context.abort(code, detail)
    finally:
        telemetry.RPCS.labels(stage, method, code.name).inc()
        telemetry.RPC_LATENCY.labels(stage, method).observe(time.perf_counter() - started)


def unary(stage: str, default_deadline: float) -> Callable[[F], F]:
    """Wraps a unary or client-streaming handler (one response): a deadline when the caller set none,
    metrics, errors as status codes."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        async def handler(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
            async with _observed(stage, method.__name__, context):
                return await asyncio.wait_for(method(self, request, context), _budget(context, default_deadline))

        return handler  # type: ignore[return-value]

    return decorate


def server_streaming(stage: str, default_deadline: float) -> Callable[[F], F]:
    """The same for a server-streaming handler (an async generator)."""

    def decorate(method: F) -> F:
        @functools.wraps(method)
        async def handler(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            deadline = time.monotonic() + _budget(context, default_deadline)
            async with _observed(stage, method.__name__, context):
                async for item in method(self, request, context):
                    if time.monotonic() > deadline:
                        raise TimeoutError
                    yield item

        return handler  # type: ignore[return-value]

    return decorate


LIVENESS_SERVICE = "liveness"
"""The health service name a liveness probe asks: SERVING while the process runs (and is not shutting down),
whatever its dependencies. Readiness asks "" (or the service's own name), which follows the dependencies, so a
Neo4j or Triton outage takes a pod out of rotation (and the stages fall back) instead of restarting it."""


class Health:
    """gRPC health whose status follows the service's dependencies (Kafka, Neo4j, Triton...)."""

    def __init__(self, service_names: list[str], stage: str = "") -> None:
        self.servicer = health_async.HealthServicer()
        self.service_names = service_names
        self.stage = stage
        self.checks: dict[str, DependencyCheck] = {}
        self.last: dict[str, bool] = {}
        self._shutting_down = False

    def add_check(self, name: str, check: DependencyCheck) -> None:
        self.checks[name] = check

    async def refresh(self) -> bool:
        if self._shutting_down:
            return False
        results = await asyncio.gather(*(self._run(check) for check in self.checks.values()))
        self.last = dict(zip(self.checks, results, strict=True))
        for dependency, up in self.last.items():  # for the dependency-down alert
            telemetry.DEPENDENCY_UP.labels(self.stage or "unknown", dependency).set(1 if up else 0)
        status = SERVING if all(results) else NOT_SERVING
        for name in ["", *self.service_names]:
            await self.servicer.set(name, status)
        await self.servicer.set(LIVENESS_SERVICE, SERVING)
        return all(results)

    @staticmethod
    async def _run(check: DependencyCheck) -> bool:
        try:
            return bool(await asyncio.wait_for(check(), timeout=3))
        except Exception:  # a failing check is an unhealthy dependency
            return False

    async def watch(self, interval: float = 2.0) -> None:
        while not self._shutting_down:
            await self.refresh()
            await asyncio.sleep(interval)

    async def shut_down(self) -> None:
        self._shutting_down = True
        await self.servicer.enter_graceful_shutdown()


class _Undecodable:
    def __init__(self, error: Exception) -> None:
        self.detail = f"the request is not a valid protobuf message: {type(error).__name__}"


class DecodeGuard(grpc.aio.ServerInterceptor):
    """A request that does not parse is the caller's error: INVALID_ARGUMENT, not the UNKNOWN that grpc answers
    when the generated deserializer raises."""

    async def intercept_service(self, continuation: Callable[..., Any],
                                handler_call_details: grpc.HandlerCallDetails) -> Any:
        handler = await continuation(handler_call_details)
        if handler is None or handler.request_streaming or handler.request_deserializer is None:
            return handler
        decode = handler.request_deserializer

        def safe_decode(raw: bytes) -> Any:
            try:
                return decode(raw)
            except Exception as error:  # any parse failure is the caller's bad input
                return _Undecodable(error)

        if handler.unary_unary is not None:
            inner = handler.unary_unary

            async def unary(request: Any, context: grpc.aio.ServicerContext) -> Any:
                if isinstance(request, _Undecodable):
                    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.detail)
                return await inner(request, context)

            return grpc.unary_unary_rpc_method_handler(unary, safe_decode, handler.response_serializer)
        inner_stream = handler.unary_stream
        if inspect.isasyncgenfunction(inner_stream):
            async def stream(request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
                if isinstance(request, _Undecodable):
                    await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.detail)
                async for item in inner_stream(request, context):
                    yield item

            return grpc.unary_stream_rpc_method_handler(stream, safe_decode, handler.response_serializer)

        async def writes(request: Any, context: grpc.aio.ServicerContext) -> None:  # answers with context.write
            if isinstance(request, _Undecodable):
                await context.abort(grpc.StatusCode.INVALID_ARGUMENT, request.detail)
            await inner_stream(request, context)

        return grpc.unary_stream_rpc_method_handler(writes, safe_decode, handler.response_serializer)


def build_server(health: Health, service_names: list[str], with_reflection: bool = False) -> grpc.aio.Server:
    server = grpc.aio.server(options=[("grpc.max_receive_message_length", 4 * 1024 * 1024)],
                             interceptors=[DecodeGuard()])
    health_pb2_grpc.add_HealthServicer_to_server(health.servicer, server)
    if with_reflection:  # a development aid: it lists every service and message to anyone who can connect
        reflection.enable_server_reflection(
            [*service_names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            server,
        )
    return server


def build_health_server(health: Health) -> grpc.aio.Server:
    """gRPC health alone (for probes on a plaintext port beside a mutual-TLS one)."""
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(health.servicer, server)
    return server
