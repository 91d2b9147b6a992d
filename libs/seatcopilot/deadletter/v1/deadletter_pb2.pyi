import datetime
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar

from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from google.protobuf import timestamp_pb2 as _timestamp_pb2

DESCRIPTOR: _descriptor.FileDescriptor

class DeadLetter(_message.Message):
    __slots__ = ("detail", "failed_at", "key", "payload", "reason", "source_topic", "stage")
    STAGE_FIELD_NUMBER: _ClassVar[int]
    SOURCE_TOPIC_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    stage: str
    source_topic: str
    reason: str
    detail: str
    payload: bytes
    key: str
    failed_at: _timestamp_pb2.Timestamp
    def __init__(self, stage: str | None = ..., source_topic: str | None = ..., reason: str | None = ..., detail: str | None = ..., payload: bytes | None = ..., key: str | None = ..., failed_at: datetime.datetime | _timestamp_pb2.Timestamp | _Mapping | None = ...) -> None: ...
