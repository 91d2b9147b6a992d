"""Summarizer's gRPC face: summaries and call state on demand, manager summaries over a window."""

from __future__ import annotations

import time

import grpc
from seatcopilot.contracts.summary.v1 import summary_pb2, summary_pb2_grpc
from seatcopilot.grpc_util import unary

from services.summarizer.logic import Summarizer

SERVICE_NAME = summary_pb2.DESCRIPTOR.services_by_name["SummarizerService"].full_name
DEADLINE_S = 30.0  # a summary may wait on the model (its own deadline is SUMMARIZER_MODEL_DEADLINE_S)


class SummarizerServicer(summary_pb2_grpc.SummarizerServiceServicer):
    def __init__(self, summarizer: Summarizer) -> None:
        self.summarizer = summarizer

    @unary("summarizer", DEADLINE_S)
    async def Summarize(self, request: summary_pb2.SummarizeRequest, context: grpc.aio.ServicerContext
                        ) -> summary_pb2.Summary:
        if not request.call_id or not request.tenant:
            raise ValueError("call_id and tenant are required")
        if request.kind == summary_pb2.SUMMARY_KIND_WRAPUP:
            return await self.summarizer.wrapup(request.tenant, request.call_id)
        return await self.summarizer.handover(request.tenant, request.call_id, request.target_role)

    @unary("summarizer", DEADLINE_S)
    async def GetCallState(self, request: summary_pb2.CallStateRequest, context: grpc.aio.ServicerContext
                           ) -> summary_pb2.CallState:
        if not request.call_id or not request.tenant:
            raise ValueError("call_id and tenant are required")
        return self.summarizer.state(request.tenant, request.call_id)

    @unary("summarizer", DEADLINE_S)
    async def ManagerSummary(self, request: summary_pb2.ManagerSummaryRequest, context: grpc.aio.ServicerContext
                             ) -> summary_pb2.ManagerReport:
        end = request.window_end.ToNanoseconds() / 1e9 if request.HasField("window_end") else time.time()
        start = (request.window_start.ToNanoseconds() / 1e9 if request.HasField("window_start")
                 else end - self.summarizer.config.report_window_s)
        return self.summarizer.manager_summary(start, end, request.team_id, request.operator_id, request.tenant)


def register(server: grpc.aio.Server, summarizer: Summarizer) -> None:
    summary_pb2_grpc.add_SummarizerServiceServicer_to_server(SummarizerServicer(summarizer), server)
