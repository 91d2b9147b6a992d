"""Compliance's gRPC face: steer one draft, check one transcript event, read a call's state."""

from __future__ import annotations

import grpc
from seatcopilot.contracts.compliance.v1 import compliance_pb2, compliance_pb2_grpc
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.grpc_util import unary

from services.compliance.logic import ComplianceEngine

SERVICE_NAME = compliance_pb2.DESCRIPTOR.services_by_name["ComplianceService"].full_name
DEADLINE_S = 1.0


def _require_call_id(call_id: str) -> None:
    if not call_id:
        raise ValueError("call_id is required")


class ComplianceServicer(compliance_pb2_grpc.ComplianceServiceServicer):
    def __init__(self, engine: ComplianceEngine) -> None:
        self.engine = engine

    @unary("compliance", DEADLINE_S)
    async def SteerDraft(self, request: gen.SuggestionDraft, context: grpc.aio.ServicerContext
                         ) -> compliance_pb2.SteeredSuggestion:
        _require_call_id(request.call.call_id)
        return self.engine.steer(request)

    @unary("compliance", DEADLINE_S)
    async def CheckEvent(self, request: ev.CallEvent, context: grpc.aio.ServicerContext
                         ) -> compliance_pb2.AlertBatch:
        _require_call_id(request.call_id)
        return compliance_pb2.AlertBatch(alerts=self.engine.check_event(request))

    @unary("compliance", DEADLINE_S)
    async def GetCallState(self, request: compliance_pb2.CallStateRequest, context: grpc.aio.ServicerContext
                           ) -> compliance_pb2.CallComplianceState:
        _require_call_id(request.call_id)
        return self.engine.call_state(request.call_id, request.tenant)


def register(server: grpc.aio.Server, engine: ComplianceEngine) -> None:
    compliance_pb2_grpc.add_ComplianceServiceServicer_to_server(ComplianceServicer(engine), server)
