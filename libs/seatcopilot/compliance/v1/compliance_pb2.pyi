import datetime
from collections.abc import Iterable as _Iterable
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper

from seatcopilot.events.v1 import call_event_pb2 as _call_event_pb2
from seatcopilot.generation.v1 import generation_pb2 as _generation_pb2

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
    __slots__ = ("decided_at", "original_text", "policy_version", "rule_ids", "verdict")
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
    def __init__(self, verdict: Verdict | str | None = ..., rule_ids: _Iterable[str] | None = ..., original_text: str | None = ..., policy_version: str | None = ..., decided_at: datetime.datetime | _timestamp_pb2.Timestamp | _Mapping | None = ...) -> None: ...

class SteeredSuggestion(_message.Message):
    __slots__ = ("compliance", "draft", "text")
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_FIELD_NUMBER: _ClassVar[int]
    draft: _generation_pb2.SuggestionDraft
    text: str
    compliance: ComplianceVerdict
    def __init__(self, draft: _generation_pb2.SuggestionDraft | _Mapping | None = ..., text: str | None = ..., compliance: ComplianceVerdict | _Mapping | None = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("audiences", "call_id", "citation", "fix", "message", "operator_id", "rule_ids", "scenario", "seq", "severity", "team_id", "tenant")
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
    def __init__(self, call_id: str | None = ..., seq: int | None = ..., tenant: str | None = ..., scenario: _call_event_pb2.Scenario | str | None = ..., operator_id: str | None = ..., team_id: str | None = ..., rule_ids: _Iterable[str] | None = ..., severity: Severity | str | None = ..., message: str | None = ..., fix: str | None = ..., audiences: _Iterable[Audience | str] | None = ..., citation: str | None = ...) -> None: ...

class AlertBatch(_message.Message):
    __slots__ = ("alerts",)
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    def __init__(self, alerts: _Iterable[Alert | _Mapping] | None = ...) -> None: ...
