"""Intake's gRPC face for platforms that push: `Ingest` (one event) and `StreamCallEvents` (a client
stream, typically one per call, answered with counts and every refusal once it closes).

A refused event in a stream is dead-lettered and listed in the answer; the stream goes on. `Ingest`
answers a refusal with a status: INVALID_ARGUMENT (schema), NOT_FOUND (unknown call),
FAILED_PRECONDITION (after CALL_ENDED, late, lifecycle).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
from seatcopilot import codec
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.intake.v1 import intake_pb2, intake_pb2_grpc
from seatcopilot.grpc_util import unary
from seatcopilot.stage_io import Rejected

from services.intake.gateway import Gateway, Origin

SERVICE_NAME = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name
DEADLINE_S = 5.0
STREAM_DEADLINE_CAP_S = 86_400.0  # a stream lives as long as its call; INTAKE_STREAM_MAX_S bounds it


def _origin(method: str, event: ev.CallEvent) -> Origin:
    return Origin(f"grpc:{method}", event.call_id, codec.encode(event), "grpc")


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, gateway: Gateway, stream_max_s: float) -> None:
        self.gateway = gateway
        self.stream_max_s = stream_max_s

    @unary("intake", DEADLINE_S)
    async def Ingest(self, request: ev.CallEvent, context: grpc.aio.ServicerContext) -> intake_pb2.IngestResponse:
        request.source = request.source or "grpc"
        try:
            outcome = await self.gateway.accept(request, _origin("Ingest", request))
        except Rejected as rejection:
            await self.gateway.dead_letter(_origin("Ingest", request), rejection.reason, rejection.detail)
            raise
        if outcome.duplicate:
            return intake_pb2.IngestResponse(accepted=True, detail="duplicate")
        detail = f"published {len(outcome.ready)}" if outcome.ready else "held for ordering or merging"
        return intake_pb2.IngestResponse(accepted=True, detail=detail)

    @unary("intake", STREAM_DEADLINE_CAP_S)
    async def StreamCallEvents(self, request_iterator: AsyncIterator[ev.CallEvent],
                               context: grpc.aio.ServicerContext) -> intake_pb2.StreamCallEventsResponse:
        async with asyncio.timeout(self.stream_max_s):
            return await self._read(request_iterator)

    async def _read(self, request_iterator: AsyncIterator[ev.CallEvent]) -> intake_pb2.StreamCallEventsResponse:
        response = intake_pb2.StreamCallEventsResponse()
        async for event in request_iterator:
            response.received += 1
            event.source = event.source or "grpc"
            try:
                outcome = await self.gateway.accept(event, _origin("StreamCallEvents", event))
            except Rejected as rejection:
                await self.gateway.dead_letter(_origin("StreamCallEvents", event), rejection.reason, rejection.detail)
                response.rejected.add(call_id=event.call_id, seq=event.seq, reason=rejection.reason,
                                      detail=rejection.detail)
                continue
            response.published += len(outcome.ready)
            response.duplicates += outcome.duplicate
        return response


def register(server: grpc.aio.Server, gateway: Gateway, stream_max_s: float = 14_400.0) -> None:
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(gateway, stream_max_s), server)
