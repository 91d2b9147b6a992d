from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message

from seatcopilot.events.v1 import call_event_pb2 as _call_event_pb2

DESCRIPTOR: _descriptor.FileDescriptor

class Classification(_message.Message):
    __slots__ = ("confidence", "intent", "model_version", "stage", "task")
    INTENT_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    TASK_FIELD_NUMBER: _ClassVar[int]
    STAGE_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    intent: str
    confidence: float
    task: str
    stage: str
    model_version: str
    def __init__(self, intent: str | None = ..., confidence: float | None = ..., task: str | None = ..., stage: str | None = ..., model_version: str | None = ...) -> None: ...

class ClassifiedEvent(_message.Message):
    __slots__ = ("classification", "event")
    EVENT_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    event: _call_event_pb2.CallEvent
    classification: Classification
    def __init__(self, event: _call_event_pb2.CallEvent | _Mapping | None = ..., classification: Classification | _Mapping | None = ...) -> None: ...
