"""Twilio real-time transcription status callbacks (`<Start><Transcription statusCallbackUrl=...>`).

Twilio POSTs form parameters per event: `TranscriptionEvent` (transcription-started,
transcription-content, transcription-stopped, transcription-error), `CallSid`, `TranscriptionSid`,
`SequenceId`, `Timestamp`, and for content `Track` (inbound_track / outbound_track), `Final`
("true"/"false", partials when partialResults is on), `LanguageCode` and `TranscriptionData`
(JSON: `transcript`, `confidence`). Requests are signed with X-Twilio-Signature.

Mapping: started → CALL_STARTED, content → UTTERANCE (partials merge by speaker, in seq order),
stopped or error → CALL_ENDED (no more transcript will come). Twilio's SequenceId is the seq, so
retried callbacks are duplicates and out-of-order deliveries are reordered. Which track is the
customer depends on the leg the transcription runs on: the tenant's `twilio_inbound_track`.

Who is on the call and when it moves come from two more callbacks on the same endpoint:
- TaskRouter event callbacks (`EventType`, `TaskSid`, `TaskAttributes` JSON with the call's
  `call_sid`, `WorkerSid`, `ReservationSid`): `reservation.accepted` seats the worker (the tenant's
  operator directory maps the WorkerSid); a different worker accepting a reservation for the same
  call is a TRANSFER to that worker's role. Other TaskRouter events are skipped.
- Conference status callbacks (`StatusCallbackEvent` participant-hold / participant-unhold with the
  held participant's `CallSid`): the customer's leg held is a HOLD, unheld a RESUME.
These carry no SequenceId, yet must fall between the transcription's numbers: each is numbered just
after the highest SequenceId seen so far for the call, and the transcription's later numbers shift
up by one for each inserted event, so the call's numbers stay gap-free and out-of-order
transcription callbacks still reorder.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.topics import PLATFORM_TWILIO

from services.intake.adapters.base import (
    Mapped,
    PayloadRejected,
    Sequencer,
    Source,
    base_event,
    parse_json,
    refuse,
    timestamp,
    unknown_operator,
)
from services.intake.directory import Roster, transfer_fields

PLATFORM = "twilio"
FORM = "application/x-www-form-urlencoded"
LIFECYCLE = {"transcription-started": ev.EVENT_TYPE_CALL_STARTED, "transcription-stopped": ev.EVENT_TYPE_CALL_ENDED,
             "transcription-error": ev.EVENT_TYPE_CALL_ENDED}
OTHER_SPEAKER = {ev.SPEAKER_CUSTOMER: ev.SPEAKER_OPERATOR, ev.SPEAKER_OPERATOR: ev.SPEAKER_CUSTOMER}
CONFERENCE_HOLD = {"participant-hold": True, "participant-unhold": False}
CALL_MEMORY = 50_000


@dataclass
class _Numbering:
    """A call's inserted events: where each went (the highest SequenceId seen then)."""

    highest: int = 0
    inserted_after: list[int] = field(default_factory=list)
    pieces: set[str] = field(default_factory=set)

    def transcription(self, sequence_id: int) -> int:
        self.highest = max(self.highest, sequence_id)
        return sequence_id + bisect.bisect_left(self.inserted_after, sequence_id)

    def insert(self) -> int:
        bisect.insort(self.inserted_after, self.highest)
        return self.highest + bisect.bisect_right(self.inserted_after, self.highest)


class TwilioAdapter:
    platform = PLATFORM
    topic = PLATFORM_TWILIO
    content_types: tuple[str, ...] = (FORM, "application/json")

    def __init__(self, adopt_window_s: float) -> None:
        self.sequencer = Sequencer(adopt_window_s)  # only for callbacks without a SequenceId
        self.roster = Roster()
        self._numbering: OrderedDict[str, _Numbering] = OrderedDict()

    def parse(self, body: bytes, content_type: str) -> dict[str, str]:
        if content_type == "application/json":
            payload = parse_json(body)
            if not isinstance(payload, dict):
                raise PayloadRejected("schema_violation", "expected a JSON object of callback parameters")
            return {str(k): str(v) for k, v in payload.items()}
        try:
            return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(body)))
        except UnicodeDecodeError as error:
            raise PayloadRejected("invalid_utf8", f"the body is not valid UTF-8 (byte {error.start})") from error
        except ValueError as error:
            raise PayloadRejected("decode_error", f"not form-encoded parameters: {error}") from error

    def map(self, payload: Any, source: Source) -> Mapped:
        if "EventType" in payload:
            mapped = self._taskrouter(payload, source)
        elif "StatusCallbackEvent" in payload:
            mapped = self._conference(payload, source)
        else:
            mapped = self._transcription(payload, source)
        self.roster.stamp(mapped.events)
        return mapped

    def _numbers(self, call: str) -> _Numbering:
        numbering = self._numbering.get(call)
        if numbering is None:
            if len(self._numbering) >= CALL_MEMORY:
                self._numbering.popitem(last=False)
            numbering = self._numbering[call] = _Numbering()
        self._numbering.move_to_end(call)
        return numbering

    def _inserted(self, call: str, piece: str, kind: ev.EventType, source: Source, params: dict[str, str],
                  **fields: Any) -> Mapped:
        numbering = self._numbers(call)
        if piece in numbering.pieces:
            return Mapped(duplicates=1)
        numbering.pieces.add(piece)
        return Mapped(events=[base_event(call, numbering.insert(), source, PLATFORM, kind,
                                         ts=timestamp(_time(params.get("Timestamp", ""))), **fields)])

    def _taskrouter(self, params: dict[str, str], source: Source) -> Mapped:
        if params["EventType"] != "reservation.accepted":
            return Mapped(skipped=1)
        try:
            attributes = json.loads(params.get("TaskAttributes") or "{}")
        except json.JSONDecodeError as error:
            return refuse("", "decode_error", f"TaskAttributes is not JSON: {error.msg}")
        call = attributes.get("call_sid") if isinstance(attributes, dict) else None
        if not isinstance(call, str) or not call:
            return Mapped(skipped=1)  # not a voice task
        worker = params.get("WorkerSid", "")
        operator = source.tenant.directory.find(PLATFORM, worker)
        if operator is None:
            return unknown_operator(call, PLATFORM, worker)
        piece = f"reservation:{params.get('ReservationSid', '')}"
        if piece in self._numbers(call).pieces:
            return Mapped(duplicates=1)  # a retried callback
        previous = self.roster.seat(call, operator)
        if previous is None or previous == operator:
            self._numbers(call).pieces.add(piece)
            return Mapped(skipped=1)
        self.roster.hold(call, False)  # a transfer ends a hold
        return self._inserted(call, piece, ev.EVENT_TYPE_TRANSFER, source, params, **transfer_fields(operator))

    def _conference(self, params: dict[str, str], source: Source) -> Mapped:
        call = params.get("CallSid", "")
        on_hold = CONFERENCE_HOLD.get(params["StatusCallbackEvent"])
        if on_hold is None or self.roster.operator(call) is None:
            return Mapped(skipped=1)  # another conference event, or an agent's leg rather than a seated call
        if not self.roster.hold(call, on_hold):
            return Mapped(skipped=1)
        kind = ev.EVENT_TYPE_HOLD if on_hold else ev.EVENT_TYPE_RESUME
        piece = f"{params['StatusCallbackEvent']}:{params.get('SequenceNumber', '')}:{params.get('Timestamp', '')}"
        return self._inserted(call, piece, kind, source, params)

    def _transcription(self, params: dict[str, str], source: Source) -> Mapped:
        call = params.get("CallSid", "")
        event_name = params.get("TranscriptionEvent", "")
        if not call or (event_name not in LIFECYCLE and event_name != "transcription-content"):
            return refuse(call, "schema_violation", "a callback needs CallSid and TranscriptionEvent "
                          "transcription-started|-content|-stopped|-error")
        try:
            seq = self._seq(params, call, event_name)
            if seq is None:
                return Mapped(duplicates=1)
            stamp = timestamp(_time(params.get("Timestamp", "")))
            language = params.get("LanguageCode") or source.tenant.language
            if event_name in LIFECYCLE:
                return Mapped(events=[base_event(call, seq, source, PLATFORM, LIFECYCLE[event_name], ts=stamp,
                                                 language=language)])
            return Mapped(events=[self._utterance(params, call, seq, stamp, language, source)])
        except PayloadRejected as rejected:
            return refuse(call, rejected.reason, rejected.detail)

    def _seq(self, params: dict[str, str], call: str, event_name: str) -> int | None:
        sequence = params.get("SequenceId", "")
        if sequence:
            if not sequence.isdigit() or int(sequence) < 1:
                raise PayloadRejected("schema_violation", "SequenceId must be a positive integer")
            return self._numbers(call).transcription(int(sequence))
        piece = f"{params.get('TranscriptionSid', '')}:{event_name}:{params.get('Timestamp', '')}"
        return self.sequencer.assign(call, piece, start=event_name == "transcription-started")

    @staticmethod
    def _utterance(params: dict[str, str], call: str, seq: int, stamp: Any, language: str,
                   source: Source) -> ev.CallEvent:
        try:
            data = json.loads(params.get("TranscriptionData") or "{}")
        except (json.JSONDecodeError, RecursionError) as error:
            detail = error.msg if isinstance(error, json.JSONDecodeError) else "nested too deeply"
            raise PayloadRejected("decode_error", f"TranscriptionData is not JSON: {detail}") from error
        text = data.get("transcript") if isinstance(data, dict) else None
        track = params.get("Track", "")
        if not isinstance(text, str) or not text.strip() or track not in ("inbound_track", "outbound_track"):
            raise PayloadRejected("schema_violation", "transcription-content needs TranscriptionData.transcript "
                                                      "and Track inbound_track or outbound_track")
        inbound = source.tenant.twilio_inbound_speaker
        speaker = inbound if track == "inbound_track" else OTHER_SPEAKER[inbound]
        return base_event(call, seq, source, PLATFORM, ev.EVENT_TYPE_UTTERANCE, speaker=speaker, text=text,
                          is_final=params.get("Final", "true").lower() != "false", ts=stamp, language=language)


def _time(value: str) -> float:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return time.time()
