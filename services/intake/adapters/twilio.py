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
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any
from urllib.parse import parse_qsl

from seatcopilot.events.v1 import call_event_pb2 as ev
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
)

PLATFORM = "twilio"
FORM = "application/x-www-form-urlencoded"
LIFECYCLE = {"transcription-started": ev.EVENT_TYPE_CALL_STARTED, "transcription-stopped": ev.EVENT_TYPE_CALL_ENDED,
             "transcription-error": ev.EVENT_TYPE_CALL_ENDED}
OTHER_SPEAKER = {ev.SPEAKER_CUSTOMER: ev.SPEAKER_OPERATOR, ev.SPEAKER_OPERATOR: ev.SPEAKER_CUSTOMER}


class TwilioAdapter:
    platform = PLATFORM
    topic = PLATFORM_TWILIO
    content_types = (FORM, "application/json")

    def __init__(self, adopt_window_s: float) -> None:
        self.sequencer = Sequencer(adopt_window_s)  # only for callbacks without a SequenceId

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
        params = payload
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
            return int(sequence)
        piece = f"{params.get('TranscriptionSid', '')}:{event_name}:{params.get('Timestamp', '')}"
        return self.sequencer.assign(call, piece, start=event_name == "transcription-started")

    @staticmethod
    def _utterance(params: dict[str, str], call: str, seq: int, stamp: Any, language: str,
                   source: Source) -> ev.CallEvent:
        try:
            data = json.loads(params.get("TranscriptionData") or "{}")
        except (json.JSONDecodeError, RecursionError) as error:
            raise PayloadRejected("decode_error", f"TranscriptionData is not JSON: {error.msg}") from error
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
