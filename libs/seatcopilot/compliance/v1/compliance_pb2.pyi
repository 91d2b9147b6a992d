import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from seatcopilot.events.v1 import call_event_pb2 as _call_event_pb2
from seatcopilot.generation.v1 import generation_pb2 as _generation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Verdict(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    VERDICT_UNSPECIFIED: _ClassVar[Verdict]
    VERDICT_PASS: _ClassVar[Verdict]
    VERDICT_REWRITTEN: _ClassVar[Verdict]
    VERDICT_BLOCKED: _ClassVar[Verdict]
    VERDICT_EXPIRED: _ClassVar[Verdict]

class Severity(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SEVERITY_UNSPECIFIED: _ClassVar[Severity]
    SEVERITY_LOW: _ClassVar[Severity]
    SEVERITY_MEDIUM: _ClassVar[Severity]
    SEVERITY_HIGH: _ClassVar[Severity]
    SEVERITY_CRITICAL: _ClassVar[Severity]

class Audience(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIENCE_UNSPECIFIED: _ClassVar[Audience]
    AUDIENCE_OPERATOR: _ClassVar[Audience]
    AUDIENCE_MANAGER: _ClassVar[Audience]
VERDICT_UNSPECIFIED: Verdict
VERDICT_PASS: Verdict
VERDICT_REWRITTEN: Verdict
VERDICT_BLOCKED: Verdict
VERDICT_EXPIRED: Verdict
SEVERITY_UNSPECIFIED: Severity
SEVERITY_LOW: Severity
SEVERITY_MEDIUM: Severity
SEVERITY_HIGH: Severity
SEVERITY_CRITICAL: Severity
AUDIENCE_UNSPECIFIED: Audience
AUDIENCE_OPERATOR: Audience
AUDIENCE_MANAGER: Audience

class ComplianceVerdict(_message.Message):
    __slots__ = ("verdict", "rule_ids", "original_text", "policy_version", "decided_at")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TEXT_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    verdict: Verdict
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    original_text: str
    policy_version: str
    decided_at: _timestamp_pb2.Timestamp
    def __init__(self, verdict: _Optional[_Union[Verdict, str]] = ..., rule_ids: _Optional[_Iterable[str]] = ..., original_text: _Optional[str] = ..., policy_version: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SteeredSuggestion(_message.Message):
    __slots__ = ("draft", "text", "compliance")
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_FIELD_NUMBER: _ClassVar[int]
    draft: _generation_pb2.SuggestionDraft
    text: str
    compliance: ComplianceVerdict
    def __init__(self, draft: _Optional[_Union[_generation_pb2.SuggestionDraft, _Mapping]] = ..., text: _Optional[str] = ..., compliance: _Optional[_Union[ComplianceVerdict, _Mapping]] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("call_id", "seq", "tenant", "scenario", "operator_id", "team_id", "rule_ids", "severity", "message", "fix", "audiences", "citation")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIX_FIELD_NUMBER: _ClassVar[int]
    AUDIENCES_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    seq: int
    tenant: str
    scenario: _call_event_pb2.Scenario
    operator_id: str
    team_id: str
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    severity: Severity
    message: str
    fix: str
    audiences: _containers.RepeatedScalarFieldContainer[Audience]
    citation: str
    def __init__(self, call_id: _Optional[str] = ..., seq: _Optional[int] = ..., tenant: _Optional[str] = ..., scenario: _Optional[_Union[_call_event_pb2.Scenario, str]] = ..., operator_id: _Optional[str] = ..., team_id: _Optional[str] = ..., rule_ids: _Optional[_Iterable[str]] = ..., severity: _Optional[_Union[Severity, str]] = ..., message: _Optional[str] = ..., fix: _Optional[str] = ..., audiences: _Optional[_Iterable[_Union[Audience, str]]] = ..., citation: _Optional[str] = ...) -> None: ...

class AlertBatch(_message.Message):
    __slots__ = ("alerts",)
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ...) -> None: ...
