from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper

from seatcopilot.events.v1 import call_event_pb2 as _call_event_pb2

DESCRIPTOR: _descriptor.FileDescriptor

class SummaryKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUMMARY_KIND_UNSPECIFIED: _ClassVar[SummaryKind]
    SUMMARY_KIND_HANDOVER: _ClassVar[SummaryKind]
    SUMMARY_KIND_WRAPUP: _ClassVar[SummaryKind]
SUMMARY_KIND_UNSPECIFIED: SummaryKind
SUMMARY_KIND_HANDOVER: SummaryKind
SUMMARY_KIND_WRAPUP: SummaryKind

class Summary(_message.Message):
    __slots__ = ("call_id", "commitments", "compliance_rule_ids", "disclosures_given", "disclosures_owed", "disposition", "intents", "kind", "next_actions", "operator_id", "scenario", "seq", "target_role", "team_id", "tenant", "text")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    INTENTS_FIELD_NUMBER: _ClassVar[int]
    COMMITMENTS_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURES_GIVEN_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURES_OWED_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    NEXT_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    kind: SummaryKind
    call_id: str
    seq: int
    tenant: str
    scenario: _call_event_pb2.Scenario
    operator_id: str
    team_id: str
    target_role: _call_event_pb2.Role
    text: str
    intents: _containers.RepeatedScalarFieldContainer[str]
    commitments: _containers.RepeatedScalarFieldContainer[str]
    disclosures_given: _containers.RepeatedScalarFieldContainer[str]
    disclosures_owed: _containers.RepeatedScalarFieldContainer[str]
    compliance_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    disposition: str
    next_actions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, kind: SummaryKind | str | None = ..., call_id: str | None = ..., seq: int | None = ..., tenant: str | None = ..., scenario: _call_event_pb2.Scenario | str | None = ..., operator_id: str | None = ..., team_id: str | None = ..., target_role: _call_event_pb2.Role | str | None = ..., text: str | None = ..., intents: _Iterable[str] | None = ..., commitments: _Iterable[str] | None = ..., disclosures_given: _Iterable[str] | None = ..., disclosures_owed: _Iterable[str] | None = ..., compliance_rule_ids: _Iterable[str] | None = ..., disposition: str | None = ..., next_actions: _Iterable[str] | None = ...) -> None: ...

class SummarizeRequest(_message.Message):
    __slots__ = ("call_id", "target_role")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ROLE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    target_role: _call_event_pb2.Role
    def __init__(self, call_id: str | None = ..., target_role: _call_event_pb2.Role | str | None = ...) -> None: ...
