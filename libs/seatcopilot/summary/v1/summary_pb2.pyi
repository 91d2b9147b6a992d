from seatcopilot.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

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
    __slots__ = ("kind", "call_id", "seq", "tenant", "scenario", "operator_id", "team_id", "target_role", "text", "intents", "commitments", "disclosures_given", "disclosures_owed", "compliance_rule_ids", "disposition", "next_actions")
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
    def __init__(self, kind: _Optional[_Union[SummaryKind, str]] = ..., call_id: _Optional[str] = ..., seq: _Optional[int] = ..., tenant: _Optional[str] = ..., scenario: _Optional[_Union[_call_event_pb2.Scenario, str]] = ..., operator_id: _Optional[str] = ..., team_id: _Optional[str] = ..., target_role: _Optional[_Union[_call_event_pb2.Role, str]] = ..., text: _Optional[str] = ..., intents: _Optional[_Iterable[str]] = ..., commitments: _Optional[_Iterable[str]] = ..., disclosures_given: _Optional[_Iterable[str]] = ..., disclosures_owed: _Optional[_Iterable[str]] = ..., compliance_rule_ids: _Optional[_Iterable[str]] = ..., disposition: _Optional[str] = ..., next_actions: _Optional[_Iterable[str]] = ...) -> None: ...

class SummarizeRequest(_message.Message):
    __slots__ = ("call_id", "target_role")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ROLE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    target_role: _call_event_pb2.Role
    def __init__(self, call_id: _Optional[str] = ..., target_role: _Optional[_Union[_call_event_pb2.Role, str]] = ...) -> None: ...
