from collections.abc import Iterable as _Iterable
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from google.protobuf.internal import containers as _containers

from seatcopilot.classification.v1 import classification_pb2 as _classification_pb2

DESCRIPTOR: _descriptor.FileDescriptor

class KnowledgeItem(_message.Message):
    __slots__ = ("effective_date", "id", "kind", "score", "source", "text", "title", "version")
    ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_DATE_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    id: str
    kind: str
    title: str
    text: str
    source: str
    version: str
    effective_date: str
    score: float
    def __init__(self, id: str | None = ..., kind: str | None = ..., title: str | None = ..., text: str | None = ..., source: str | None = ..., version: str | None = ..., effective_date: str | None = ..., score: float | None = ...) -> None: ...

class GroundedEvent(_message.Message):
    __slots__ = ("classified", "degraded", "items")
    CLASSIFIED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    classified: _classification_pb2.ClassifiedEvent
    items: _containers.RepeatedCompositeFieldContainer[KnowledgeItem]
    degraded: bool
    def __init__(self, classified: _classification_pb2.ClassifiedEvent | _Mapping | None = ..., items: _Iterable[KnowledgeItem | _Mapping] | None = ..., degraded: bool | None = ...) -> None: ...
