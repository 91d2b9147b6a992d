import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Direction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIRECTION_UNSPECIFIED: _ClassVar[Direction]
    DIRECTION_HIGHER_IS_BETTER: _ClassVar[Direction]
    DIRECTION_LOWER_IS_BETTER: _ClassVar[Direction]
DIRECTION_UNSPECIFIED: Direction
DIRECTION_HIGHER_IS_BETTER: Direction
DIRECTION_LOWER_IS_BETTER: Direction

class IndicatorValue(_message.Message):
    __slots__ = ("name", "scenario", "unit", "direction", "value", "numerator", "denominator", "defined")
    NAME_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    DIRECTION_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    NUMERATOR_FIELD_NUMBER: _ClassVar[int]
    DENOMINATOR_FIELD_NUMBER: _ClassVar[int]
    DEFINED_FIELD_NUMBER: _ClassVar[int]
    name: str
    scenario: str
    unit: str
    direction: Direction
    value: float
    numerator: float
    denominator: float
    defined: bool
    def __init__(self, name: _Optional[str] = ..., scenario: _Optional[str] = ..., unit: _Optional[str] = ..., direction: _Optional[_Union[Direction, str]] = ..., value: _Optional[float] = ..., numerator: _Optional[float] = ..., denominator: _Optional[float] = ..., defined: _Optional[bool] = ...) -> None: ...

class IndicatorSnapshot(_message.Message):
    __slots__ = ("tenant", "team_id", "experiment_id", "arm", "window_start", "window_end", "values")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    EXPERIMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ARM_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    VALUES_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    team_id: str
    experiment_id: str
    arm: str
    window_start: _timestamp_pb2.Timestamp
    window_end: _timestamp_pb2.Timestamp
    values: _containers.RepeatedCompositeFieldContainer[IndicatorValue]
    def __init__(self, tenant: _Optional[str] = ..., team_id: _Optional[str] = ..., experiment_id: _Optional[str] = ..., arm: _Optional[str] = ..., window_start: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., window_end: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., values: _Optional[_Iterable[_Union[IndicatorValue, _Mapping]]] = ...) -> None: ...

class GetIndicatorsRequest(_message.Message):
    __slots__ = ("tenant", "team_id")
    TENANT_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    tenant: str
    team_id: str
    def __init__(self, tenant: _Optional[str] = ..., team_id: _Optional[str] = ...) -> None: ...

class GetIndicatorsResponse(_message.Message):
    __slots__ = ("snapshots",)
    SNAPSHOTS_FIELD_NUMBER: _ClassVar[int]
    snapshots: _containers.RepeatedCompositeFieldContainer[IndicatorSnapshot]
    def __init__(self, snapshots: _Optional[_Iterable[_Union[IndicatorSnapshot, _Mapping]]] = ...) -> None: ...
