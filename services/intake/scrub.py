"""Dead-lettered payloads keep their shape but lose their PII, whatever their format.

A protobuf call event has its text redacted; a platform's JSON has every string redacted (base64
records, as Firehose delivers them, are opened and scrubbed too); form parameters (Twilio) have every
value redacted; anything else, including bytes that are not UTF-8, is redacted as text.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from google.protobuf.message import DecodeError
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.redaction import redact

_FORM = re.compile(r"^[A-Za-z0-9_.%+\-]+=[^&]*(?:&[A-Za-z0-9_.%+\-]+=[^&]*)*$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{16,}={0,2}$")
MAX_DEPTH = 32


def scrub_payload(payload: bytes) -> bytes:
    text = payload.decode("utf-8", errors="replace")
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            return json.dumps(_scrub_json(json.loads(stripped), 0), ensure_ascii=False).encode()
        except (json.JSONDecodeError, RecursionError):
            pass
    elif _FORM.match(stripped):
        pairs = parse_qsl(stripped, keep_blank_values=True)
        return urlencode([(k, redact(v).text) for k, v in pairs]).encode()
    elif "\ufffd" in text or not text.isprintable():
        scrubbed = _scrub_call_event(payload)
        if scrubbed is not None:
            return scrubbed
    return redact(text).text.encode()


def _scrub_call_event(payload: bytes) -> bytes | None:
    event = ev.CallEvent()
    try:
        event.ParseFromString(payload)
    except DecodeError:
        return None
    if not event.call_id:
        return None
    event.DiscardUnknownFields()
    for descriptor, value in event.ListFields():  # bytes that merely parse as an event get no free pass
        if descriptor.type == descriptor.TYPE_STRING:
            if descriptor.is_repeated:
                getattr(event, descriptor.name)[:] = [redact(v).text for v in value]
            else:
                setattr(event, descriptor.name, redact(value).text)
    return event.SerializeToString(deterministic=True)


def _scrub_json(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return "[TRUNCATED]"
    if isinstance(value, dict):
        return {redact(key).text: _scrub_json(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub_json(item, depth + 1) for item in value]
    if isinstance(value, str):
        return _scrub_string(value, depth)
    return value


def _scrub_string(value: str, depth: int) -> str:
    if _BASE64.match(value):
        try:
            inner = base64.b64decode(value, validate=True).decode("utf-8")
            if inner.lstrip()[:1] in ("{", "["):
                scrubbed = _scrub_json(json.loads(inner), depth + 1)
                return base64.b64encode(json.dumps(scrubbed, ensure_ascii=False).encode()).decode()
        except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError):
            pass
    return redact(value).text
