"""Summarizer's gRPC face: a handover summary on demand."""

from __future__ import annotations

import grpc
from seatcopilot.grpc_util import unary
from seatcopilot.summary.v1 import summary_pb2, summary_pb2_grpc

from services.summarizer.logic import Summarizer

SERVICE_NAME = summary_pb2.DESCRIPTOR.services_by_name["SummarizerService"].full_name
DEADLINE_S = 2.0


class SummarizerServicer(summary_pb2_grpc.SummarizerServiceServicer):
    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    @unary("summarizer", DEADLINE_S)
    async def Summarize(self, request: summary_pb2.SummarizeRequest, context: grpc.aio.ServicerContext
                        ) -> summary_pb2.Summary:
        if not request.call_id:
            raise ValueError("call_id is required")
        return self.summarizer.handover(request.call_id, request.target_role)


def register(server: grpc.aio.Server, summarizer: Summarizer) -> None:
    summary_pb2_grpc.add_SummarizerServiceServicer_to_server(SummarizerServicer(summarizer), server)
