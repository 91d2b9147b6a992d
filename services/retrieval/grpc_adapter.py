"""Retrieval's gRPC face: ground one classified event; check eligibility for explicit attributes."""

from __future__ import annotations

import grpc
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2, retrieval_pb2_grpc
from seatcopilot.grpc_util import unary

from services.retrieval.logic import Retriever

SERVICE_NAME = retrieval_pb2.DESCRIPTOR.services_by_name["RetrievalService"].full_name
DEADLINE_S = 2.0


class RetrievalServicer(retrieval_pb2_grpc.RetrievalServiceServicer):
    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    @unary("retrieval", DEADLINE_S)
    async def Retrieve(self, request: cl.ClassifiedEvent, context: grpc.aio.ServicerContext
                       ) -> retrieval_pb2.GroundedEvent:
        if not request.call.call_id:
            raise ValueError("call.call_id is required")
        return await self.retriever.retrieve(request)

    @unary("retrieval", DEADLINE_S)
    async def CheckEligibility(self, request: retrieval_pb2.EligibilityRequest, context: grpc.aio.ServicerContext
                               ) -> retrieval_pb2.EligibilityResponse:
        return await self.retriever.check_eligibility(request)


def register(server: grpc.aio.Server, retriever: Retriever) -> None:
    retrieval_pb2_grpc.add_RetrievalServiceServicer_to_server(RetrievalServicer(retriever), server)
