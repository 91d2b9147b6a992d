"""Conversions between protobuf messages, Kafka payloads and the JSON-lines file format.

In the JSON form enum values are written bare (``"type": "UTTERANCE"``); the reader also accepts
the prefixed proto names (``"EVENT_TYPE_UTTERANCE"``).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from google.protobuf import json_format
from google.protobuf.descriptor import EnumDescriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

M = TypeVar("M", bound=Message)


class PayloadError(ValueError):
    """A payload that cannot be decoded into the expected message."""


def _enum_prefix(enum: EnumDescriptor) -> str:
    first = enum.values_by_number[0].name  # e.g. EVENT_TYPE_UNSPECIFIED
    return first[: -len("UNSPECIFIED")]


def bare_enum_name(enum: EnumDescriptor, number: int) -> str:
    name = enum.values_by_number[number].name
    prefix = _enum_prefix(enum)
    return name[len(prefix):] if name.startswith(prefix) else name


def _walk(message_descriptor, data: Any, transform) -> Any:
    if not isinstance(data, dict):
        return data
    for field in message_descriptor.fields:
        if field.name not in data:
            continue
        value = data[field.name]
        if field.type == FieldDescriptor.TYPE_ENUM:
            data[field.name] = ([transform(field.enum_type, v) for v in value]
                                if isinstance(value, list) else transform(field.enum_type, value))
        elif field.type == FieldDescriptor.TYPE_MESSAGE and field.message_type.full_name.startswith("seatcopilot"):
            items = value if isinstance(value, list) else [value]
            for item in items:
                _walk(field.message_type, item, transform)
    return data


def _strip(enum: EnumDescriptor, value: Any) -> Any:
    if isinstance(value, str) and value in enum.values_by_name:
        return bare_enum_name(enum, enum.values_by_name[value].number)
    return value


def _prefix(enum: EnumDescriptor, value: Any) -> Any:
    if isinstance(value, str) and value not in enum.values_by_name:
        prefixed = _enum_prefix(enum) + value
        if prefixed in enum.values_by_name:
            return prefixed
    return value


# Fields intake adds to call events (adapter bookkeeping, experiment exposure): not part of the platform
# contract, so the
# JSON form shows them only when set and stays exactly the contract's fields otherwise.
INTERNAL_STAMPS = {"seatcopilot.events.v1.CallEvent": ("utterance_id", "categories", "source", "experiment_id", "arm")}


def to_dict(message: Message) -> dict[str, Any]:
    data = json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
    for name in INTERNAL_STAMPS.get(message.DESCRIPTOR.full_name, ()):
        if not data.get(name):
            data.pop(name, None)
    return _walk(message.DESCRIPTOR, data, _strip)


def from_dict(data: dict[str, Any], message_type: type[M]) -> M:
    if not isinstance(data, dict):
        raise PayloadError("expected a JSON object")
    prepared = _walk(message_type.DESCRIPTOR, json.loads(json.dumps(data)), _prefix)
    try:
        return json_format.ParseDict(prepared, message_type())
    except json_format.ParseError as error:
        raise PayloadError(str(error)) from error


def event_from_json_line(line: str) -> ev.CallEvent:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise PayloadError(f"not valid JSON: {error.msg} at column {error.colno}") from error
    return from_dict(data, ev.CallEvent)


def decode(payload: bytes, message_type: type[M]) -> M:
    message = message_type()
    try:
        message.ParseFromString(payload)
    except DecodeError as error:
        raise PayloadError(f"cannot decode {message_type.DESCRIPTOR.full_name}: {error}") from error
    return message


def encode(message: Message) -> bytes:
    return message.SerializeToString(deterministic=True)
