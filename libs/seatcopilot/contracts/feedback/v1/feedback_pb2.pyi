import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ACTION_UNSPECIFIED: _ClassVar[Action]
    ACTION_ACCEPTED: _ClassVar[Action]
    ACTION_EDITED: _ClassVar[Action]
    ACTION_DISMISSED: _ClassVar[Action]
    ACTION_NOT_A_VIOLATION: _ClassVar[Action]

class Subject(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SUBJECT_UNSPECIFIED: _ClassVar[Subject]
    SUBJECT_SUGGESTION: _ClassVar[Subject]
    SUBJECT_WRAPUP: _ClassVar[Subject]
    SUBJECT_ALERT: _ClassVar[Subject]
ACTION_UNSPECIFIED: Action
ACTION_ACCEPTED: Action
ACTION_EDITED: Action
ACTION_DISMISSED: Action
ACTION_NOT_A_VIOLATION: Action
SUBJECT_UNSPECIFIED: Subject
SUBJECT_SUGGESTION: Subject
SUBJECT_WRAPUP: Subject
SUBJECT_ALERT: Subject

class Feedback(_message.Message):
    __slots__ = ("call", "action", "ts", "subject", "edited_text", "seconds_to_act", "disposition", "rule_id")
    CALL_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TS_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    EDITED_TEXT_FIELD_NUMBER: _ClassVar[int]
    SECONDS_TO_ACT_FIELD_NUMBER: _ClassVar[int]
    DISPOSITION_FIELD_NUMBER: _ClassVar[int]
    RULE_ID_FIELD_NUMBER: _ClassVar[int]
    call: _call_event_pb2.CallRef
    action: Action
    ts: _timestamp_pb2.Timestamp
    subject: Subject
    edited_text: str
    seconds_to_act: float
    disposition: str
    rule_id: str
    def __init__(self, call: _Optional[_Union[_call_event_pb2.CallRef, _Mapping]] = ..., action: _Optional[_Union[Action, str]] = ..., ts: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., subject: _Optional[_Union[Subject, str]] = ..., edited_text: _Optional[str] = ..., seconds_to_act: _Optional[float] = ..., disposition: _Optional[str] = ..., rule_id: _Optional[str] = ...) -> None: ...
