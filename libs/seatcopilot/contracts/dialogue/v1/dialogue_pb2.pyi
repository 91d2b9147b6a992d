from seatcopilot.contracts.events.v1 import call_event_pb2 as _call_event_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Slot(_message.Message):
    __slots__ = ("name", "number", "text", "seq", "speaker")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    SPEAKER_FIELD_NUMBER: _ClassVar[int]
    name: str
    number: float
    text: str
    seq: int
    speaker: _call_event_pb2.Speaker
    def __init__(self, name: _Optional[str] = ..., number: _Optional[float] = ..., text: _Optional[str] = ..., seq: _Optional[int] = ..., speaker: _Optional[_Union[_call_event_pb2.Speaker, str]] = ...) -> None: ...

class PaymentPromise(_message.Message):
    __slots__ = ("amount", "date", "schedule", "seq")
    AMOUNT_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    amount: float
    date: str
    schedule: str
    seq: int
    def __init__(self, amount: _Optional[float] = ..., date: _Optional[str] = ..., schedule: _Optional[str] = ..., seq: _Optional[int] = ...) -> None: ...

class Callback(_message.Message):
    __slots__ = ("when", "seq", "requested_by")
    WHEN_FIELD_NUMBER: _ClassVar[int]
    SEQ_FIELD_NUMBER: _ClassVar[int]
    REQUESTED_BY_FIELD_NUMBER: _ClassVar[int]
    when: str
    seq: int
    requested_by: _call_event_pb2.Speaker
    def __init__(self, when: _Optional[str] = ..., seq: _Optional[int] = ..., requested_by: _Optional[_Union[_call_event_pb2.Speaker, str]] = ...) -> None: ...

class DialogueState(_message.Message):
    __slots__ = ("call_id", "last_seq", "slots", "replaced", "mentions", "products", "promises", "callbacks", "hardship", "third_party", "identity_verified", "card_details_offered", "card_details_seq", "third_party_seq")
    CALL_ID_FIELD_NUMBER: _ClassVar[int]
    LAST_SEQ_FIELD_NUMBER: _ClassVar[int]
    SLOTS_FIELD_NUMBER: _ClassVar[int]
    REPLACED_FIELD_NUMBER: _ClassVar[int]
    MENTIONS_FIELD_NUMBER: _ClassVar[int]
    PRODUCTS_FIELD_NUMBER: _ClassVar[int]
    PROMISES_FIELD_NUMBER: _ClassVar[int]
    CALLBACKS_FIELD_NUMBER: _ClassVar[int]
    HARDSHIP_FIELD_NUMBER: _ClassVar[int]
    THIRD_PARTY_FIELD_NUMBER: _ClassVar[int]
    IDENTITY_VERIFIED_FIELD_NUMBER: _ClassVar[int]
    CARD_DETAILS_OFFERED_FIELD_NUMBER: _ClassVar[int]
    CARD_DETAILS_SEQ_FIELD_NUMBER: _ClassVar[int]
    THIRD_PARTY_SEQ_FIELD_NUMBER: _ClassVar[int]
    call_id: str
    last_seq: int
    slots: _containers.RepeatedCompositeFieldContainer[Slot]
    replaced: _containers.RepeatedCompositeFieldContainer[Slot]
    mentions: _containers.RepeatedCompositeFieldContainer[Slot]
    products: _containers.RepeatedScalarFieldContainer[str]
    promises: _containers.RepeatedCompositeFieldContainer[PaymentPromise]
    callbacks: _containers.RepeatedCompositeFieldContainer[Callback]
    hardship: bool
    third_party: bool
    identity_verified: bool
    card_details_offered: bool
    card_details_seq: int
    third_party_seq: int
    def __init__(self, call_id: _Optional[str] = ..., last_seq: _Optional[int] = ..., slots: _Optional[_Iterable[_Union[Slot, _Mapping]]] = ..., replaced: _Optional[_Iterable[_Union[Slot, _Mapping]]] = ..., mentions: _Optional[_Iterable[_Union[Slot, _Mapping]]] = ..., products: _Optional[_Iterable[str]] = ..., promises: _Optional[_Iterable[_Union[PaymentPromise, _Mapping]]] = ..., callbacks: _Optional[_Iterable[_Union[Callback, _Mapping]]] = ..., hardship: _Optional[bool] = ..., third_party: _Optional[bool] = ..., identity_verified: _Optional[bool] = ..., card_details_offered: _Optional[bool] = ..., card_details_seq: _Optional[int] = ..., third_party_seq: _Optional[int] = ...) -> None: ...
