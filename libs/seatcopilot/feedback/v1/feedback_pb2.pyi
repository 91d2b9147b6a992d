import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeedbackAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_ACTION_UNSPECIFIED: _ClassVar[FeedbackAction]
    FEEDBACK_ACTION_ACCEPTED: _ClassVar[FeedbackAction]
    FEEDBACK_ACTION_EDITED: _ClassVar[FeedbackAction]
    FEEDBACK_ACTION_DISMISSED: _ClassVar[FeedbackAction]
FEEDBACK_ACTION_UNSPECIFIED: FeedbackAction
FEEDBACK_ACTION_ACCEPTED: FeedbackAction
FEEDBACK_ACTION_EDITED: FeedbackAction
FEEDBACK_ACTION_DISMISSED: FeedbackAction

class SuggestionFeedback(_message.Message):
    __slots__ = ("call_id", "seq", "tenant", "operator_id", "team_id", "action", "ts")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    TENANT_FIELD_NUMBER: _ClassVar[int]
    OPERATOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEAM_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TS_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    seq: int
    tenant: str
    operator_id: str
    team_id: str
    action: FeedbackAction
    ts: _timestamp_pb2.Timestamp
    def __init__(self, call_id: _Optional[str] = ..., seq: _Optional[int] = ..., tenant: _Optional[str] = ..., operator_id: _Optional[str] = ..., team_id: _Optional[str] = ..., action: _Optional[_Union[FeedbackAction, str]] = ..., ts: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
