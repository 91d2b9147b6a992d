from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as _dialogue_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Classification(_message.Message):
    __slots__ = ("intent", "confidence", "task", "stage", "model_version")
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
    def __init__(self, intent: _Optional[str] = ..., confidence: _Optional[float] = ..., task: _Optional[str] = ..., stage: _Optional[str] = ..., model_version: _Optional[str] = ...) -> None: ...

class ClassifiedEvent(_message.Message):
    __slots__ = ("call", "event", "classification", "dialogue", "utterance_embedding", "embedding_model")
    CALL_FIELD_NUMBER: _ClassVar[int]
    EVENT_FIELD_NUMBER: _ClassVar[int]
    CLASSIFICATION_FIELD_NUMBER: _ClassVar[int]
    DIALOGUE_FIELD_NUMBER: _ClassVar[int]
    UTTERANCE_EMBEDDING_FIELD_NUMBER: _ClassVar[int]
    EMBEDDING_MODEL_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    event: _call_event_pb2.CallEvent
    classification: Classification
    dialogue: _dialogue_pb2.DialogueState
    utterance_embedding: _containers.RepeatedScalarFieldContainer[float]
    embedding_model: str
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., event: _Optional[_Union[_call_event_pb2.CallEvent, _Mapping]] = ..., classification: _Optional[_Union[Classification, _Mapping]] = ..., dialogue: _Optional[_Union[_dialogue_pb2.DialogueState, _Mapping]] = ..., utterance_embedding: _Optional[_Iterable[float]] = ..., embedding_model: _Optional[str] = ...) -> None: ...
