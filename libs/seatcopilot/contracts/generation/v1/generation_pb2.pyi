import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as _retrieval_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Backend(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    BACKEND_UNSPECIFIED: _ClassVar[Backend]
    BACKEND_LOCAL: _ClassVar[Backend]
    BACKEND_TRITON: _ClassVar[Backend]
    BACKEND_SCRIPTED: _ClassVar[Backend]

class CardKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CARD_KIND_UNSPECIFIED: _ClassVar[CardKind]
    CARD_KIND_ANSWER: _ClassVar[CardKind]
    CARD_KIND_NEXT_ACTION: _ClassVar[CardKind]
    CARD_KIND_WARNING: _ClassVar[CardKind]
    CARD_KIND_GUIDANCE: _ClassVar[CardKind]
BACKEND_UNSPECIFIED: Backend
BACKEND_LOCAL: Backend
BACKEND_TRITON: Backend
BACKEND_SCRIPTED: Backend
CARD_KIND_UNSPECIFIED: CardKind
CARD_KIND_ANSWER: CardKind
CARD_KIND_NEXT_ACTION: CardKind
CARD_KIND_WARNING: CardKind
CARD_KIND_GUIDANCE: CardKind

class SuggestionDraft(_message.Message):
    __slots__ = ("call", "intent", "task", "text", "sources", "backend", "degraded", "created_at", "deadline", "prompt_version", "fallback_reason", "card_kind", "answer_type", "answer_facts", "partial", "part")
    CALL_FIELD_NUMBER: _ClassVar[int]
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
    CARD_KIND_FIELD_NUMBER: _ClassVar[int]
    ANSWER_TYPE_FIELD_NUMBER: _ClassVar[int]
    ANSWER_FACTS_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_FIELD_NUMBER: _ClassVar[int]
    PART_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
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
    card_kind: CardKind
    answer_type: str
    answer_facts: _containers.RepeatedScalarFieldContainer[str]
    partial: bool
    part: int
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., intent: _Optional[str] = ..., task: _Optional[str] = ..., text: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[_retrieval_pb2.KnowledgeItem, _Mapping]]] = ..., backend: _Optional[_Union[Backend, str]] = ..., degraded: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., deadline: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., prompt_version: _Optional[str] = ..., fallback_reason: _Optional[str] = ..., card_kind: _Optional[_Union[CardKind, str]] = ..., answer_type: _Optional[str] = ..., answer_facts: _Optional[_Iterable[str]] = ..., partial: _Optional[bool] = ..., part: _Optional[int] = ...) -> None: ...

class GenerateChunk(_message.Message):
    __slots__ = ("text_delta", "draft", "partial_draft")
    TEXT_DELTA_FIELD_NUMBER: _ClassVar[int]
    DRAFT_FIELD_NUMBER: _ClassVar[int]
    PARTIAL_DRAFT_FIELD_NUMBER: _ClassVar[int]
    text_delta: str
    draft: SuggestionDraft
    partial_draft: SuggestionDraft
    def __init__(self, text_delta: _Optional[str] = ..., draft: _Optional[_Union[SuggestionDraft, _Mapping]] = ..., partial_draft: _Optional[_Union[SuggestionDraft, _Mapping]] = ...) -> None: ...
