import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Scenario(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SCENARIO_UNSPECIFIED: _ClassVar[Scenario]
    SCENARIO_SALES: _ClassVar[Scenario]
    SCENARIO_SERVICE: _ClassVar[Scenario]
    SCENARIO_COLLECTIONS: _ClassVar[Scenario]

class EventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EVENT_TYPE_UNSPECIFIED: _ClassVar[EventType]
    EVENT_TYPE_CALL_STARTED: _ClassVar[EventType]
    EVENT_TYPE_UTTERANCE: _ClassVar[EventType]
    EVENT_TYPE_HOLD: _ClassVar[EventType]
    EVENT_TYPE_RESUME: _ClassVar[EventType]
    EVENT_TYPE_TRANSFER: _ClassVar[EventType]
    EVENT_TYPE_CALL_ENDED: _ClassVar[EventType]
    EVENT_TYPE_DISPOSITION: _ClassVar[EventType]
    EVENT_TYPE_PLATFORM_CATEGORIES: _ClassVar[EventType]
    EVENT_TYPE_PLATFORM_SUMMARY: _ClassVar[EventType]

class Speaker(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPEAKER_UNSPECIFIED: _ClassVar[Speaker]
    SPEAKER_CUSTOMER: _ClassVar[Speaker]
    SPEAKER_OPERATOR: _ClassVar[Speaker]

class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ROLE_UNSPECIFIED: _ClassVar[Role]
    ROLE_SALES: _ClassVar[Role]
    ROLE_SERVICE: _ClassVar[Role]
    ROLE_COLLECTIONS: _ClassVar[Role]
    ROLE_SUPERVISOR: _ClassVar[Role]
SCENARIO_UNSPECIFIED: Scenario
SCENARIO_SALES: Scenario
SCENARIO_SERVICE: Scenario
SCENARIO_COLLECTIONS: Scenario
EVENT_TYPE_UNSPECIFIED: EventType
EVENT_TYPE_CALL_STARTED: EventType
EVENT_TYPE_UTTERANCE: EventType
EVENT_TYPE_HOLD: EventType
EVENT_TYPE_RESUME: EventType
EVENT_TYPE_TRANSFER: EventType
EVENT_TYPE_CALL_ENDED: EventType
EVENT_TYPE_DISPOSITION: EventType
EVENT_TYPE_PLATFORM_CATEGORIES: EventType
EVENT_TYPE_PLATFORM_SUMMARY: EventType
SPEAKER_UNSPECIFIED: Speaker
SPEAKER_CUSTOMER: Speaker
SPEAKER_OPERATOR: Speaker
ROLE_UNSPECIFIED: Role
ROLE_SALES: Role
ROLE_SERVICE: Role
ROLE_COLLECTIONS: Role
ROLE_SUPERVISOR: Role

class CallRef(_message.Message):
    __slots__ = ("tenant", "call_id", "seq", "scenario", "operator_id", "team_id", "experiment_id", "arm")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARM_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    call_id: str
    seq: int
    scenario: Scenario
    operator_id: str
    team_id: str
    experiment_id: str
    arm: str
    def __init__(self, tenant: _Optional[str] = ..., call_id: _Optional[str] = ..., seq: _Optional[int] = ..., scenario: _Optional[_Union[Scenario, str]] = ..., operator_id: _Optional[str] = ..., team_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., arm: _Optional[str] = ...) -> None: ...

class CallEvent(_message.Message):
    __slots__ = ("call_id", "seq", "ts", "tenant", "scenario", "type", "speaker", "text", "is_final", "language", "operator_id", "team_id", "transfer_to_role", "utterance_id", "categories", "source", "experiment_id", "arm")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TS_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    IS_FINAL_FIELD_NUMBER: _ClassVar[int]
    LANGUAGE_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFER_TO_ROLE_FIELD_NUMBER: _ClassVar[int]
    UTTERANCE_ID_FIELD_NUMBER: _ClassVar[int]
    CATEGORIES_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARM_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    seq: int
    ts: _timestamp_pb2.Timestamp
    tenant: str
    scenario: Scenario
    type: EventType
    speaker: Speaker
    text: str
    is_final: bool
    language: str
    operator_id: str
    team_id: str
    transfer_to_role: Role
    utterance_id: str
    categories: _containers.RepeatedScalarFieldContainer[str]
    source: str
    experiment_id: str
    arm: str
    def __init__(self, call_id: _Optional[str] = ..., seq: _Optional[int] = ..., ts: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., tenant: _Optional[str] = ..., scenario: _Optional[_Union[Scenario, str]] = ..., type: _Optional[_Union[EventType, str]] = ..., speaker: _Optional[_Union[Speaker, str]] = ..., text: _Optional[str] = ..., is_final: _Optional[bool] = ..., language: _Optional[str] = ..., operator_id: _Optional[str] = ..., team_id: _Optional[str] = ..., transfer_to_role: _Optional[_Union[Role, str]] = ..., utterance_id: _Optional[str] = ..., categories: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ..., experiment_id: _Optional[str] = ..., arm: _Optional[str] = ...) -> None: ...
