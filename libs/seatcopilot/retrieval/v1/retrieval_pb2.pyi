from seatcopilot.classification.v1 import classification_pb2 as _classification_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KnowledgeItem(_message.Message):
    __slots__ = ("id", "kind", "title", "text", "source", "version", "effective_date", "score")
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
    def __init__(self, id: _Optional[str] = ..., kind: _Optional[str] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., source: _Optional[str] = ..., version: _Optional[str] = ..., effective_date: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class GroundedEvent(_message.Message):
    __slots__ = ("classified", "items", "degraded")
    CLASSIFIED_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    classified: _classification_pb2.ClassifiedEvent
    items: _containers.RepeatedCompositeFieldContainer[KnowledgeItem]
    degraded: bool
    def __init__(self, classified: _Optional[_Union[_classification_pb2.ClassifiedEvent, _Mapping]] = ..., items: _Optional[_Iterable[_Union[KnowledgeItem, _Mapping]]] = ..., degraded: _Optional[bool] = ...) -> None: ...
