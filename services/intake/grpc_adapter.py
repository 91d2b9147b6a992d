"""Intake's gRPC face: platforms that push events call Ingest."""

from __future__ import annotations

import grpc
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.grpc_util import unary
from seatcopilot.intake.v1 import intake_pb2, intake_pb2_grpc
from seatcopilot.stage_io import StageIO

from services.intake.kafka_adapter import publish_ready
from services.intake.logic import IntakeStage

SERVICE_NAME = intake_pb2.DESCRIPTOR.services_by_name["IntakeService"].full_name
DEADLINE_S = 5.0


class IntakeServicer(intake_pb2_grpc.IntakeServiceServicer):
    def __init__(self, stage: IntakeStage, io: StageIO) -> None:
        self.stage = stage
        self.io = io

    @unary("intake", DEADLINE_S)
    async def Ingest(self, request: ev.CallEvent, context: grpc.aio.ServicerContext) -> intake_pb2.IngestResponse:
        ready = self.stage.accept(request)
        await publish_ready(self.io, ready)
        detail = "published" if ready else "held for ordering or duplicate"
        return intake_pb2.IngestResponse(accepted=True, detail=detail)


def register(server: grpc.aio.Server, stage: IntakeStage, io: StageIO) -> None:
    intake_pb2_grpc.add_IntakeServiceServicer_to_server(IntakeServicer(stage, io), server)
