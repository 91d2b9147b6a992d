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
from seatcopilot.retrieval.v1 import retrieval_pb2 as _retrieval_pb2

DESCRIPTOR: _descriptor.FileDescriptor

class Backend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_UNSPECIFIED: _ClassVar[Backend]
    BACKEND_LOCAL: _ClassVar[Backend]
    BACKEND_TRITON: _ClassVar[Backend]
    BACKEND_SCRIPTED: _ClassVar[Backend]
BACKEND_UNSPECIFIED: Backend
BACKEND_LOCAL: Backend
BACKEND_TRITON: Backend
BACKEND_SCRIPTED: Backend

class SuggestionDraft(_message.Message):
    __slots__ = ("backend", "call_id", "created_at", "deadline", "degraded", "fallback_reason", "intent", "operator_id", "prompt_version", "scenario", "seq", "sources", "task", "team_id", "tenant", "text")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    INTENT_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    DEADLINE_FIELD_NUMBER: _ClassVar[int]
    PROMPT_VERSION_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASON_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    seq: int
    tenant: str
    scenario: _call_event_pb2.Scenario
    operator_id: str
    team_id: str
    intent: str
    task: str
    text: str
    sources: _containers.RepeatedCompositeFieldContainer[_retrieval_pb2.KnowledgeItem]
    backend: Backend
    degraded: bool
    created_at: _timestamp_pb2.Timestamp
    deadline: _timestamp_pb2.Timestamp
    prompt_version: str
    fallback_reason: str
    def __init__(self, call_id: str | None = ..., seq: int | None = ..., tenant: str | None = ..., scenario: _call_event_pb2.Scenario | str | None = ..., operator_id: str | None = ..., team_id: str | None = ..., intent: str | None = ..., task: str | None = ..., text: str | None = ..., sources: _Iterable[_retrieval_pb2.KnowledgeItem | _Mapping] | None = ..., backend: Backend | str | None = ..., degraded: bool | None = ..., created_at: datetime.datetime | _timestamp_pb2.Timestamp | _Mapping | None = ..., deadline: datetime.datetime | _timestamp_pb2.Timestamp | _Mapping | None = ..., prompt_version: str | None = ..., fallback_reason: str | None = ...) -> None: ...

class GenerateChunk(_message.Message):
    __slots__ = ("draft", "text_delta")
    TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    text_delta: str
    draft: SuggestionDraft
    def __init__(self, text_delta: str | None = ..., draft: SuggestionDraft | _Mapping | None = ...) -> None: ...
