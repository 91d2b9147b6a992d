import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as _dialogue_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
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

class Fact(_message.Message):
    __slots__ = ("kind", "value", "seq", "speaker")
    KIND_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    kind: str
    value: str
    seq: int
    speaker: _call_event_pb2.Speaker
    def __init__(self, kind: _Optional[str] = ..., value: _Optional[str] = ..., seq: _Optional[int] = ..., speaker: _Optional[_Union[_call_event_pb2.Speaker, str]] = ...) -> None: ...

class PromiseToPay(_message.Message):
    __slots__ = ("amount", "date", "seq", "schedule")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    amount: str
    date: str
    seq: int
    schedule: str
    def __init__(self, amount: _Optional[str] = ..., date: _Optional[str] = ..., seq: _Optional[int] = ..., schedule: _Optional[str] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("when", "seq", "requested_by")
    WHEN_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    when: str
    seq: int
    requested_by: _call_event_pb2.Speaker
    def __init__(self, when: _Optional[str] = ..., seq: _Optional[int] = ..., requested_by: _Optional[_Union[_call_event_pb2.Speaker, str]] = ...) -> None: ...

class OpenItem(_message.Message):
    __slots__ = ("kind", "text", "seq")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    kind: str
    text: str
    seq: int
    def __init__(self, kind: _Optional[str] = ..., text: _Optional[str] = ..., seq: _Optional[int] = ...) -> None: ...

class ComplianceEvent(_message.Message):
    __slots__ = ("rule_ids", "severity", "seq", "operator_id")
    RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    SEVERITY_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    rule_ids: _containers.RepeatedScalarFieldContainer[str]
    severity: str
    seq: int
    operator_id: str
    def __init__(self, rule_ids: _Optional[_Iterable[str]] = ..., severity: _Optional[str] = ..., seq: _Optional[int] = ..., operator_id: _Optional[str] = ...) -> None: ...

class SentimentPoint(_message.Message):
    __slots__ = ("seq", "score")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    seq: int
    score: float
    def __init__(self, seq: _Optional[int] = ..., score: _Optional[float] = ...) -> None: ...

class Turn(_message.Message):
    __slots__ = ("seq", "speaker", "text", "intent")
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    seq: int
    speaker: _call_event_pb2.Speaker
    text: str
    intent: str
    def __init__(self, seq: _Optional[int] = ..., speaker: _Optional[_Union[_call_event_pb2.Speaker, str]] = ..., text: _Optional[str] = ..., intent: _Optional[str] = ...) -> None: ...

class CallState(_message.Message):
    __slots__ = ("call_id", "tenant", "scenario", "operator_ids", "team_id", "started_at", "ended_at", "last_seq", "intents", "facts", "promises", "callbacks", "disclosures_given", "open_items", "sentiment", "compliance_events", "transfers", "turns", "customer_turns", "operator_turns", "on_hold", "ended", "alert_keys", "current_role", "platform_disposition", "turns_dropped", "dialogue")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_IDS_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    INTENTS_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    PROMISES_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURES_GIVEN_FIELD_NUMBER: _ClassVar[int]
    OPEN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_EVENTS_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    CUSTOMER_TURNS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_TURNS_FIELD_NUMBER: _ClassVar[int]
    ON_HOLD_FIELD_NUMBER: _ClassVar[int]
    ENDED_FIELD_NUMBER: _ClassVar[int]
    ALERT_KEYS_FIELD_NUMBER: _ClassVar[int]
    CURRENT_ROLE_FIELD_NUMBER: _ClassVar[int]
    PLATFORM_DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    TURNS_DROPPED_FIELD_NUMBER: _ClassVar[int]
    DIALOGUE_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    tenant: str
    scenario: _call_event_pb2.Scenario
    operator_ids: _containers.RepeatedScalarFieldContainer[str]
    team_id: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    last_seq: int
    intents: _containers.RepeatedScalarFieldContainer[str]
    facts: _containers.RepeatedCompositeFieldContainer[Fact]
    promises: _containers.RepeatedCompositeFieldContainer[PromiseToPay]
    callbacks: _containers.RepeatedCompositeFieldContainer[Callback]
    disclosures_given: _containers.RepeatedScalarFieldContainer[str]
    open_items: _containers.RepeatedCompositeFieldContainer[OpenItem]
    sentiment: _containers.RepeatedCompositeFieldContainer[SentimentPoint]
    compliance_events: _containers.RepeatedCompositeFieldContainer[ComplianceEvent]
    transfers: _containers.RepeatedScalarFieldContainer[_call_event_pb2.Role]
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    customer_turns: int
    operator_turns: int
    on_hold: bool
    ended: bool
    alert_keys: _containers.RepeatedScalarFieldContainer[str]
    current_role: _call_event_pb2.Role
    platform_disposition: str
    turns_dropped: int
    dialogue: _dialogue_pb2.DialogueState
    def __init__(self, call_id: _Optional[str] = ..., tenant: _Optional[str] = ..., scenario: _Optional[_Union[_call_event_pb2.Scenario, str]] = ..., operator_ids: _Optional[_Iterable[str]] = ..., team_id: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_seq: _Optional[int] = ..., intents: _Optional[_Iterable[str]] = ..., facts: _Optional[_Iterable[_Union[Fact, _Mapping]]] = ..., promises: _Optional[_Iterable[_Union[PromiseToPay, _Mapping]]] = ..., callbacks: _Optional[_Iterable[_Union[Callback, _Mapping]]] = ..., disclosures_given: _Optional[_Iterable[str]] = ..., open_items: _Optional[_Iterable[_Union[OpenItem, _Mapping]]] = ..., sentiment: _Optional[_Iterable[_Union[SentimentPoint, _Mapping]]] = ..., compliance_events: _Optional[_Iterable[_Union[ComplianceEvent, _Mapping]]] = ..., transfers: _Optional[_Iterable[_Union[_call_event_pb2.Role, str]]] = ..., turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ..., customer_turns: _Optional[int] = ..., operator_turns: _Optional[int] = ..., on_hold: _Optional[bool] = ..., ended: _Optional[bool] = ..., alert_keys: _Optional[_Iterable[str]] = ..., current_role: _Optional[_Union[_call_event_pb2.Role, str]] = ..., platform_disposition: _Optional[str] = ..., turns_dropped: _Optional[int] = ..., dialogue: _Optional[_Union[_dialogue_pb2.DialogueState, _Mapping]] = ...) -> None: ...

class Summary(_message.Message):
    __slots__ = ("kind", "call", "target_role", "text", "intents", "commitments", "disclosures_given", "disclosures_owed", "compliance_rule_ids", "disposition", "next_actions", "facts", "promises", "callbacks", "open_items", "sentiment_trend", "compliance_events", "unverified_sentences", "generated_by", "prompt_version", "fallback_reason", "started_at", "ended_at", "handle_time_s", "narrative", "transfers", "operator_ids", "manager_note")
    KIND_FIELD_NUMBER: _ClassVar[int]
    CALL_FIELD_NUMBER: _ClassVar[int]
    TARGET_ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    INTENTS_FIELD_NUMBER: _ClassVar[int]
    COMMITMENTS_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURES_GIVEN_FIELD_NUMBER: _ClassVar[int]
    DISCLOSURES_OWED_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    NEXT_ACTIONS_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    PROMISES_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_FIELD_NUMBER: _ClassVar[int]
    OPEN_ITEMS_FIELD_NUMBER: _ClassVar[int]
    SENTIMENT_TREND_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_EVENTS_FIELD_NUMBER: _ClassVar[int]
    UNVERIFIED_SENTENCES_FIELD_NUMBER: _ClassVar[int]
    GENERATED_BY_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    HANDLE_TIME_S_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_IDS_FIELD_NUMBER: _ClassVar[int]
    MANAGER_NOTE_FIELD_NUMBER: _ClassVar[int]
    kind: SummaryKind
    call: _call_event_pb2.CallRef
    target_role: _call_event_pb2.Role
    text: str
    intents: _containers.RepeatedScalarFieldContainer[str]
    commitments: _containers.RepeatedScalarFieldContainer[str]
    disclosures_given: _containers.RepeatedScalarFieldContainer[str]
    disclosures_owed: _containers.RepeatedScalarFieldContainer[str]
    compliance_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    disposition: str
    next_actions: _containers.RepeatedScalarFieldContainer[str]
    facts: _containers.RepeatedCompositeFieldContainer[Fact]
    promises: _containers.RepeatedCompositeFieldContainer[PromiseToPay]
    callbacks: _containers.RepeatedCompositeFieldContainer[Callback]
    open_items: _containers.RepeatedCompositeFieldContainer[OpenItem]
    sentiment_trend: str
    compliance_events: _containers.RepeatedCompositeFieldContainer[ComplianceEvent]
    unverified_sentences: _containers.RepeatedScalarFieldContainer[str]
    generated_by: str
    prompt_version: str
    fallback_reason: str
    started_at: _timestamp_pb2.Timestamp
    ended_at: _timestamp_pb2.Timestamp
    handle_time_s: float
    narrative: str
    transfers: _containers.RepeatedScalarFieldContainer[_call_event_pb2.Role]
    operator_ids: _containers.RepeatedScalarFieldContainer[str]
    manager_note: str
    def __init__(self, kind: _Optional[_Union[SummaryKind, str]] = ..., call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., target_role: _Optional[_Union[_call_event_pb2.Role, str]] = ..., text: _Optional[str] = ..., intents: _Optional[_Iterable[str]] = ..., commitments: _Optional[_Iterable[str]] = ..., disclosures_given: _Optional[_Iterable[str]] = ..., disclosures_owed: _Optional[_Iterable[str]] = ..., compliance_rule_ids: _Optional[_Iterable[str]] = ..., disposition: _Optional[str] = ..., next_actions: _Optional[_Iterable[str]] = ..., facts: _Optional[_Iterable[_Union[Fact, _Mapping]]] = ..., promises: _Optional[_Iterable[_Union[PromiseToPay, _Mapping]]] = ..., callbacks: _Optional[_Iterable[_Union[Callback, _Mapping]]] = ..., open_items: _Optional[_Iterable[_Union[OpenItem, _Mapping]]] = ..., sentiment_trend: _Optional[str] = ..., compliance_events: _Optional[_Iterable[_Union[ComplianceEvent, _Mapping]]] = ..., unverified_sentences: _Optional[_Iterable[str]] = ..., generated_by: _Optional[str] = ..., prompt_version: _Optional[str] = ..., fallback_reason: _Optional[str] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., handle_time_s: _Optional[float] = ..., narrative: _Optional[str] = ..., transfers: _Optional[_Iterable[_Union[_call_event_pb2.Role, str]]] = ..., operator_ids: _Optional[_Iterable[str]] = ..., manager_note: _Optional[str] = ...) -> None: ...

class CallNote(_message.Message):
    __slots__ = ("call_id", "operator_id", "text", "compliance_rule_ids", "ended_at")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_RULE_IDS_FIELD_NUMBER: _ClassVar[int]
    ENDED_AT_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    operator_id: str
    text: str
    compliance_rule_ids: _containers.RepeatedScalarFieldContainer[str]
    ended_at: _timestamp_pb2.Timestamp
    def __init__(self, call_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., text: _Optional[str] = ..., compliance_rule_ids: _Optional[_Iterable[str]] = ..., ended_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GroupSummary(_message.Message):
    __slots__ = ("scope", "id", "team_id", "calls", "handle_time_s_total", "handle_time_s_mean", "sales_calls", "conversions", "conversion_rate", "collections_calls", "promises_to_pay", "promise_rate", "dispositions", "compliance_events", "rule_counts", "coaching_notes", "wrapups_accepted", "wrapups_edited", "transfers", "missed_disclosures", "tenant")
    class DispositionsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class RuleCountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class MissedDisclosuresEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    HANDLE_TIME_S_TOTAL_FIELD_NUMBER: _ClassVar[int]
    HANDLE_TIME_S_MEAN_FIELD_NUMBER: _ClassVar[int]
    SALES_CALLS_FIELD_NUMBER: _ClassVar[int]
    CONVERSIONS_FIELD_NUMBER: _ClassVar[int]
    CONVERSION_RATE_FIELD_NUMBER: _ClassVar[int]
    COLLECTIONS_CALLS_FIELD_NUMBER: _ClassVar[int]
    PROMISES_TO_PAY_FIELD_NUMBER: _ClassVar[int]
    PROMISE_RATE_FIELD_NUMBER: _ClassVar[int]
    DISPOSITIONS_FIELD_NUMBER: _ClassVar[int]
    COMPLIANCE_EVENTS_FIELD_NUMBER: _ClassVar[int]
    RULE_COUNTS_FIELD_NUMBER: _ClassVar[int]
    COACHING_NOTES_FIELD_NUMBER: _ClassVar[int]
    WRAPUPS_ACCEPTED_FIELD_NUMBER: _ClassVar[int]
    WRAPUPS_EDITED_FIELD_NUMBER: _ClassVar[int]
    TRANSFERS_FIELD_NUMBER: _ClassVar[int]
    MISSED_DISCLOSURES_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    scope: str
    id: str
    team_id: str
    calls: int
    handle_time_s_total: float
    handle_time_s_mean: float
    sales_calls: int
    conversions: int
    conversion_rate: float
    collections_calls: int
    promises_to_pay: int
    promise_rate: float
    dispositions: _containers.ScalarMap[str, int]
    compliance_events: int
    rule_counts: _containers.ScalarMap[str, int]
    coaching_notes: _containers.RepeatedScalarFieldContainer[str]
    wrapups_accepted: int
    wrapups_edited: int
    transfers: int
    missed_disclosures: _containers.ScalarMap[str, int]
    tenant: str
    def __init__(self, scope: _Optional[str] = ..., id: _Optional[str] = ..., team_id: _Optional[str] = ..., calls: _Optional[int] = ..., handle_time_s_total: _Optional[float] = ..., handle_time_s_mean: _Optional[float] = ..., sales_calls: _Optional[int] = ..., conversions: _Optional[int] = ..., conversion_rate: _Optional[float] = ..., collections_calls: _Optional[int] = ..., promises_to_pay: _Optional[int] = ..., promise_rate: _Optional[float] = ..., dispositions: _Optional[_Mapping[str, int]] = ..., compliance_events: _Optional[int] = ..., rule_counts: _Optional[_Mapping[str, int]] = ..., coaching_notes: _Optional[_Iterable[str]] = ..., wrapups_accepted: _Optional[int] = ..., wrapups_edited: _Optional[int] = ..., transfers: _Optional[int] = ..., missed_disclosures: _Optional[_Mapping[str, int]] = ..., tenant: _Optional[str] = ...) -> None: ...

class ManagerReport(_message.Message):
    __slots__ = ("window_start", "window_end", "team_id", "teams", "operators", "generated_at", "tenant", "call_notes")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TEAMS_FIELD_NUMBER: _ClassVar[int]
    OPERATORS_FIELD_NUMBER: _ClassVar[int]
    GENERATED_AT_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    CALL_NOTES_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    team_id: str
    teams: _containers.RepeatedCompositeFieldContainer[GroupSummary]
    operators: _containers.RepeatedCompositeFieldContainer[GroupSummary]
    generated_at: _timestamp_pb2.Timestamp
    tenant: str
    call_notes: _containers.RepeatedCompositeFieldContainer[CallNote]
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., team_id: _Optional[str] = ..., teams: _Optional[_Iterable[_Union[GroupSummary, _Mapping]]] = ..., operators: _Optional[_Iterable[_Union[GroupSummary, _Mapping]]] = ..., generated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant: _Optional[str] = ..., call_notes: _Optional[_Iterable[_Union[CallNote, _Mapping]]] = ...) -> None: ...

class SummarizeRequest(_message.Message):
    __slots__ = ("call_id", "target_role", "kind", "tenant")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_ROLE_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    target_role: _call_event_pb2.Role
    kind: SummaryKind
    tenant: str
    def __init__(self, call_id: _Optional[str] = ..., target_role: _Optional[_Union[_call_event_pb2.Role, str]] = ..., kind: _Optional[_Union[SummaryKind, str]] = ..., tenant: _Optional[str] = ...) -> None: ...

class CallStateRequest(_message.Message):
    __slots__ = ("call_id", "tenant")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    tenant: str
    def __init__(self, call_id: _Optional[str] = ..., tenant: _Optional[str] = ...) -> None: ...

class ManagerSummaryRequest(_message.Message):
    __slots__ = ("window_start", "window_end", "team_id", "operator_id", "tenant")
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    team_id: str
    operator_id: str
    tenant: str
    def __init__(self, window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., team_id: _Optional[str] = ..., operator_id: _Optional[str] = ..., tenant: _Optional[str] = ...) -> None: ...
