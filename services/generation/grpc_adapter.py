"""Generation's gRPC face: server streaming, text pieces first and the draft last."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from seatcopilot.contracts.generation.v1 import generation_pb2, generation_pb2_grpc
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.grpc_util import server_streaming

from services.generation.logic import Generator

SERVICE_NAME = generation_pb2.DESCRIPTOR.services_by_name["GenerationService"].full_name
DEADLINE_S = 15.0


class GenerationServicer(generation_pb2_grpc.GenerationServiceServicer):
    def __init__(self, generator: Generator) -> None:
        self.generator = generator

    @server_streaming("generation", DEADLINE_S)
    async def Generate(self, request: rt.GroundedEvent, context: grpc.aio.ServicerContext
                       ) -> AsyncIterator[generation_pb2.GenerateChunk]:
        if not request.call.call_id:
            raise ValueError("call.call_id is required")
        async for chunk in self.generator.stream(request):
            yield chunk


def register(server: grpc.aio.Server, generator: Generator) -> None:
    generation_pb2_grpc.add_GenerationServiceServicer_to_server(GenerationServicer(generator), server)
