"""Indicators' gRPC face: the current window's indicators per team, for the manager view."""

from __future__ import annotations

import grpc
from seatcopilot.contracts.indicators.v1 import indicators_pb2, indicators_pb2_grpc
from seatcopilot.grpc_util import unary

from services.indicators.stage import IndicatorsStage

SERVICE_NAME = indicators_pb2.DESCRIPTOR.services_by_name["IndicatorsService"].full_name
DEADLINE_S = 2.0


class IndicatorsServicer(indicators_pb2_grpc.IndicatorsServiceServicer):
    def __init__(self, stage: IndicatorsStage) -> None:
        self.stage = stage

    @unary("indicators", DEADLINE_S)
    async def GetIndicators(self, request: indicators_pb2.GetIndicatorsRequest, context: grpc.aio.ServicerContext
                            ) -> indicators_pb2.GetIndicatorsResponse:
        return indicators_pb2.GetIndicatorsResponse(snapshots=self.stage.snapshots(request.tenant, request.team_id))


def register(server: grpc.aio.Server, stage: IndicatorsStage) -> None:
    indicators_pb2_grpc.add_IndicatorsServiceServicer_to_server(IndicatorsServicer(stage), server)
