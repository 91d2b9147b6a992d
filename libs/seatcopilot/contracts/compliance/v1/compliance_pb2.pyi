import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from seatcopilot.contracts.generation.v1 import generation_pb2 as _generation_pb2
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

class AlertKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ALERT_KIND_UNSPECIFIED: _ClassVar[AlertKind]
    ALERT_KIND_RULE: _ClassVar[AlertKind]
    ALERT_KIND_OBLIGATION_OVERDUE: _ClassVar[AlertKind]
    ALERT_KIND_SIGNAL: _ClassVar[AlertKind]
    ALERT_KIND_CALLING_HOURS: _ClassVar[AlertKind]
    ALERT_KIND_POLICY_MISSING: _ClassVar[AlertKind]

class Audience(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    AUDIENCE_UNSPECIFIED: _ClassVar[Audience]
    AUDIENCE_OPERATOR: _ClassVar[Audience]
    AUDIENCE_MANAGER: _ClassVar[Audience]

class ObligationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    OBLIGATION_STATUS_UNSPECIFIED: _ClassVar[ObligationStatus]
    OBLIGATION_STATUS_NOT_TRIGGERED: _ClassVar[ObligationStatus]
    OBLIGATION_STATUS_OWED: _ClassVar[ObligationStatus]
    OBLIGATION_STATUS_GIVEN: _ClassVar[ObligationStatus]
    OBLIGATION_STATUS_OVERDUE: _ClassVar[ObligationStatus]
    OBLIGATION_STATUS_SUSPENDED: _ClassVar[ObligationStatus]
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
ALERT_KIND_UNSPECIFIED: AlertKind
ALERT_KIND_RULE: AlertKind
ALERT_KIND_OBLIGATION_OVERDUE: AlertKind
ALERT_KIND_SIGNAL: AlertKind
ALERT_KIND_CALLING_HOURS: AlertKind
ALERT_KIND_POLICY_MISSING: AlertKind
AUDIENCE_UNSPECIFIED: Audience
AUDIENCE_OPERATOR: Audience
AUDIENCE_MANAGER: Audience
OBLIGATION_STATUS_UNSPECIFIED: ObligationStatus
OBLIGATION_STATUS_NOT_TRIGGERED: ObligationStatus
OBLIGATION_STATUS_OWED: ObligationStatus
OBLIGATION_STATUS_GIVEN: ObligationStatus
OBLIGATION_STATUS_OVERDUE: ObligationStatus
OBLIGATION_STATUS_SUSPENDED: ObligationStatus

class Finding(_message.Message):
    __slots__ = ("rule_id", "family", "severity", "remedy", "citation", "method", "score", "sentence")
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    FAMILY_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    REMEDY_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    SENTENCE_FIELD_NUMBER: _ClassVar[int]
    rule_id: str
    family: str
    severity: Severity
    remedy: str
    citation: str
    method: str
    score: float
    sentence: int
    def __init__(self, rule_id: _Optional[str] = ..., family: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., remedy: _Optional[str] = ..., citation: _Optional[str] = ..., method: _Optional[str] = ..., score: _Optional[float] = ..., sentence: _Optional[int] = ...) -> None: ...

class ComplianceVerdict(_message.Message):
    __slots__ = ("verdict", "rule_ids", "original_text", "policy_version", "decided_at", "findings", "decision_ms")
    VERDICT_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    ORIGINAL_TEXT_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    DECIDED_AT_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    DECISION_MS_FIELD_NUMBER: _ClassVar[int]
    verdict: Verdict
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    original_text: str
    policy_version: str
    decided_at: _timestamp_pb2.Timestamp
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    decision_ms: float
    def __init__(self, verdict: _Optional[_Union[Verdict, str]] = ..., rule_ids: _Optional[_Iterable[str]] = ..., original_text: _Optional[str] = ..., policy_version: _Optional[str] = ..., decided_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ..., decision_ms: _Optional[float] = ...) -> None: ...

class SteeredSuggestion(_message.Message):
    __slots__ = ("call", "draft", "text", "compliance", "signature", "key_id")
    CALL_FIELD_NUMBER: _ClassVar[int]
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    draft: _generation_pb2.SuggestionDraft
    text: str
    compliance: ComplianceVerdict
    signature: str
    key_id: str
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., draft: _Optional[_Union[_generation_pb2.SuggestionDraft, _Mapping]] = ..., text: _Optional[str] = ..., compliance: _Optional[_Union[ComplianceVerdict, _Mapping]] = ..., signature: _Optional[str] = ..., key_id: _Optional[str] = ...) -> None: ...

class Alert(_message.Message):
    __slots__ = ("call", "rule_ids", "severity", "message", "fix", "audiences", "citation", "kind", "findings")
    CALL_FIELD_NUMBER: _ClassVar[int]
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    FIX_FIELD_NUMBER: _ClassVar[int]
    AUDIENCES_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    FINDINGS_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    severity: Severity
    message: str
    fix: str
    audiences: _containers.RepeatedScalarFieldContainer[Audience]
    citation: str
    kind: AlertKind
    findings: _containers.RepeatedCompositeFieldContainer[Finding]
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., rule_ids: _Optional[_Iterable[str]] = ..., severity: _Optional[_Union[Severity, str]] = ..., message: _Optional[str] = ..., fix: _Optional[str] = ..., audiences: _Optional[_Iterable[_Union[Audience, str]]] = ..., citation: _Optional[str] = ..., kind: _Optional[_Union[AlertKind, str]] = ..., findings: _Optional[_Iterable[_Union[Finding, _Mapping]]] = ...) -> None: ...

class AlertBatch(_message.Message):
    __slots__ = ("alerts",)
    ALERTS_FIELD_NUMBER: _ClassVar[int]
    alerts: _containers.RepeatedCompositeFieldContainer[Alert]
    def __init__(self, alerts: _Optional[_Iterable[_Union[Alert, _Mapping]]] = ...) -> None: ...

class ObligationState(_message.Message):
    __slots__ = ("id", "status", "citation", "severity", "due_within_operator_turns", "owed_since_turn", "given_seq", "overdue_seq", "given_late")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CITATION_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    DUE_WITHIN_OPERATOR_TURNS_FIELD_NUMBER: _ClassVar[int]
    OWED_SINCE_TURN_FIELD_NUMBER: _ClassVar[int]
    GIVEN_SEQ_FIELD_NUMBER: _ClassVar[int]
    OVERDUE_SEQ_FIELD_NUMBER: _ClassVar[int]
    GIVEN_LATE_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: ObligationStatus
    citation: str
    severity: Severity
    due_within_operator_turns: int
    owed_since_turn: int
    given_seq: int
    overdue_seq: int
    given_late: bool
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[ObligationStatus, str]] = ..., citation: _Optional[str] = ..., severity: _Optional[_Union[Severity, str]] = ..., due_within_operator_turns: _Optional[int] = ..., owed_since_turn: _Optional[int] = ..., given_seq: _Optional[int] = ..., overdue_seq: _Optional[int] = ..., given_late: _Optional[bool] = ...) -> None: ...

class CallStateRequest(_message.Message):
    __slots__ = ("call_id", "tenant")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    tenant: str
    def __init__(self, call_id: _Optional[str] = ..., tenant: _Optional[str] = ...) -> None: ...

class CallComplianceState(_message.Message):
    __slots__ = ("call", "policy_version", "operator_turns", "obligations", "active_signals", "ended")
    CALL_FIELD_NUMBER: _ClassVar[int]
    POLICY_VERSION_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_TURNS_FIELD_NUMBER: _ClassVar[int]
    OBLIGATIONS_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_SIGNALS_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    policy_version: str
    operator_turns: int
    obligations: _containers.RepeatedCompositeFieldContainer[ObligationState]
    active_signals: _containers.RepeatedScalarFieldContainer[str]
    ended: bool
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., policy_version: _Optional[str] = ..., operator_turns: _Optional[int] = ..., obligations: _Optional[_Iterable[_Union[ObligationState, _Mapping]]] = ..., active_signals: _Optional[_Iterable[str]] = ..., ended: _Optional[bool] = ...) -> None: ...
