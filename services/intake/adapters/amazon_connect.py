"""Amazon Connect Contact Lens conversational-analytics segment streams (voice).

Contact Lens publishes one JSON event per Kinesis record, keyed by contact: STARTED, then SEGMENTS
events whose `Segments` list holds `Utterance` (partial transcript pieces, linked to their final by
`TranscriptId`), `Transcript` (the final utterance), `Categories` (matched category rules) and
`PostContactSummary`, then COMPLETED or FAILED. The HTTP endpoint takes one event, a JSON list of
events, or an Amazon Data Firehose HTTP-endpoint delivery (`records[].data`, base64 of one event).

Mapping: STARTED → CALL_STARTED; Utterance → partial UTTERANCE (its pieces accumulated, so each
partial carries the text so far); Transcript → final UTTERANCE; Categories → PLATFORM_CATEGORIES;
PostContactSummary (COMPLETED) → PLATFORM_SUMMARY; COMPLETED/FAILED → CALL_ENDED. AGENT and
SUPERVISOR speak for the operator side, CUSTOMER for the customer; SYSTEM and bot prompts are
skipped. Contact Lens does not number events, so intake numbers them per contact in arrival order
(a Kinesis shard keeps one contact in order); segment ids de-duplicate redeliveries.

Who is on the call and when it moves come from two more streams on the same endpoint and topic:
- Contact events (EventBridge, `detail-type` "Amazon Connect Contact Event"; `detail` holds
  `eventType`, `contactId`, `initialContactId`, `previousContactId`, `initiationMethod`, `channel`,
  `agentInfo.agentArn`). A transfer makes a new contact whose `initialContactId` is the first one:
  intake keeps the first contact id as the call id, and maps the new contact's segments to it.
  CONNECTED_TO_AGENT seats the agent (the tenant's operator directory gives operator, team and
  role); a different agent is a TRANSFER to that agent's role. DISCONNECTED of the call's latest
  contact ends the call; of a contact a transfer replaced, it is skipped (so is that contact's
  Contact Lens COMPLETED).
- Agent event streams (Kinesis; `AgentARN`, `EventType` STATE_CHANGE, `CurrentAgentSnapshot` and
  `PreviousAgentSnapshot` with `Contacts[].ContactId/InitialContactId/State`): a voice contact going
  CONNECTED → CONNECTED_ONHOLD is a HOLD, back to CONNECTED a RESUME.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import time
from collections import OrderedDict
from typing import Any

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.topics import PLATFORM_AMAZON_CONNECT

from services.intake.adapters.base import (
    Mapped,
    NumberingJsonAdapter,
    PayloadRejected,
    Source,
    base_event,
    items,
    refuse,
    text_field,
    timestamp,
    unknown_operator,
)

PLATFORM = "amazon_connect"
SPEAKERS = {"AGENT": ev.SPEAKER_OPERATOR, "SUPERVISOR": ev.SPEAKER_OPERATOR, "CUSTOMER": ev.SPEAKER_CUSTOMER}
NOT_PARTIES = frozenset({"SYSTEM", "CUSTOM_BOT", "BOT", "IVR"})
END_EVENTS = frozenset({"COMPLETED", "FAILED"})
CONTACT_EVENT = "Amazon Connect Contact Event"
CONTACT_MEMORY = 50_000


class AmazonConnectAdapter(NumberingJsonAdapter):
    platform = PLATFORM
    topic = PLATFORM_AMAZON_CONNECT

    def __init__(self, adopt_window_s: float) -> None:
        super().__init__(adopt_window_s)
        self._call_of: OrderedDict[str, str] = OrderedDict()  # contact id → call id (its initial contact)
        self._latest: dict[str, str] = {}  # call id → the contact that carries it now

    def map(self, payload: Any, source: Source) -> Mapped:
        mapped = Mapped()
        for event in self.events(payload):
            if event.get("detail-type") == CONTACT_EVENT:
                mapped.extend(self._contact_event(event.get("detail"), source))
            elif "AgentARN" in event:
                mapped.extend(self._agent_event(event, source))
            else:
                mapped.extend(self._event(event, source))
        self.roster.stamp(mapped.events)
        return mapped

    def _link(self, contact: str, initial: str) -> str:
        """The call a contact belongs to; a contact seen for the first time becomes the call's latest."""
        if contact not in self._call_of:
            call = self._call_of.get(initial, initial) if initial else contact
            if len(self._call_of) >= CONTACT_MEMORY:
                dropped = self._call_of.popitem(last=False)[1]
                self._latest.pop(dropped, None)
            self._call_of[contact] = call
            self._latest[call] = contact
        return self._call_of[contact]

    def _replaced(self, call: str, contact: str) -> bool:
        """A contact a transfer replaced: its end is not the call's end."""
        return self._latest.get(call, contact) != contact

    def _contact_event(self, detail: Any, source: Source) -> Mapped:
        contact = text_field(detail, "contactId") if isinstance(detail, dict) else ""
        kind = text_field(detail, "eventType") if isinstance(detail, dict) else ""
        if not contact or not kind:
            return refuse(contact, "schema_violation", "a contact event needs detail.contactId and detail.eventType")
        if str(detail.get("channel", "VOICE")).upper() != "VOICE":
            return Mapped(skipped=1)  # chats, tasks and e-mails are not calls
        call = self._link(contact, text_field(detail, "initialContactId") or text_field(detail, "previousContactId"))
        try:
            if kind == "CONNECTED_TO_AGENT":
                agent = detail.get("agentInfo") or detail.get("AgentInfo") or {}
                arn = text_field(agent, "agentArn") or text_field(agent, "AgentArn")
                operator = source.tenant.directory.find(PLATFORM, arn)
                if operator is None:
                    return unknown_operator(call, PLATFORM, arn)
                return self.seated(call, operator, f"agent:{contact}:{arn}", source, PLATFORM)
            if kind == "DISCONNECTED" and not self._replaced(call, contact):
                mapped = self._lifecycle(call, "ended", ev.EVENT_TYPE_CALL_ENDED, source, source.tenant.language)
                self.sequencer.ended(call)
                return mapped
        except PayloadRejected as rejected:
            return refuse(call, rejected.reason, rejected.detail)
        return Mapped(skipped=1)  # INITIATED, QUEUED, CONTACT_DATA_UPDATED, ...: nothing the copilot shows

    def _agent_event(self, event: dict[str, Any], source: Source) -> Mapped:
        if event.get("EventType") != "STATE_CHANGE":
            return Mapped(skipped=1)  # LOGIN, LOGOUT, HEART_BEAT
        before = {text_field(c, "ContactId"): text_field(c, "State") for c in _contacts(event, "PreviousAgentSnapshot")}
        mapped = Mapped()
        for snapshot in _contacts(event, "CurrentAgentSnapshot"):
            contact, state = text_field(snapshot, "ContactId"), text_field(snapshot, "State")
            if not contact or snapshot.get("Channel", "VOICE") != "VOICE" or state not in HOLD_STATES:
                continue
            on_hold = state == "CONNECTED_ONHOLD"
            if on_hold == (before.get(contact) == "CONNECTED_ONHOLD"):
                continue
            call = self._link(contact, text_field(snapshot, "InitialContactId"))
            piece = f"{state}:{contact}:{text_field(snapshot, 'StateStartTimestamp')}"
            try:
                mapped.extend(self.held(call, on_hold, piece, source, PLATFORM))
            except PayloadRejected as rejected:
                mapped.extend(refuse(call, rejected.reason, rejected.detail))
        return mapped

    @staticmethod
    def events(payload: Any) -> list[dict[str, Any]]:
        """Segment events from one event, a list, or a Firehose delivery (base64 records)."""
        if isinstance(payload, dict) and isinstance(payload.get("records"), list):
            return [_firehose_record(record, index) for index, record in enumerate(payload["records"])]
        return items(payload, "Contact Lens segment event")

    def _event(self, event: dict[str, Any], source: Source) -> Mapped:
        contact = text_field(event, "ContactId")
        kind = text_field(event, "EventType") or text_field(event, "StreamingEventType")
        if not contact or kind not in ("STARTED", "SEGMENTS", *END_EVENTS):
            return refuse(contact, "schema_violation", "a segment event needs ContactId and "
                          "EventType STARTED, SEGMENTS, COMPLETED or FAILED")
        if event.get("Channel", "VOICE") != "VOICE":
            return refuse(contact, "unsupported_channel", f"channel {event.get('Channel')!r}: only "
                          "voice contacts are supported")
        language = text_field(event, "LanguageCode") or source.tenant.language
        call = self._link(contact, "")
        try:
            if kind == "STARTED":
                return self._lifecycle(call, "started", ev.EVENT_TYPE_CALL_STARTED, source, language, start=True)
            if kind in END_EVENTS:
                if self._replaced(call, contact):
                    return Mapped(skipped=1)
                mapped = self._lifecycle(call, "ended", ev.EVENT_TYPE_CALL_ENDED, source, language)
                self.sequencer.ended(call)
                return mapped
            mapped = Mapped()
            for segment in event.get("Segments") or []:
                mapped.extend(self._segment(call, segment, source, language))
            return mapped
        except PayloadRejected as rejected:
            return refuse(call, rejected.reason, rejected.detail)

    def _lifecycle(self, contact: str, piece: str, kind: ev.EventType, source: Source, language: str,
                   start: bool = False) -> Mapped:
        seq = self.sequencer.assign(contact, piece, start=start)
        if seq is None:
            return Mapped(duplicates=1)
        return Mapped(events=[base_event(contact, seq, source, PLATFORM, kind, language=language,
                                         ts=timestamp(time.time()))])

    def _segment(self, contact: str, segment: Any, source: Source, language: str) -> Mapped:
        if not isinstance(segment, dict) or len(segment) != 1:
            return refuse(contact, "schema_violation", "each segment is an object with one key")
        (name, body), = segment.items()
        if not isinstance(body, dict):
            return refuse(contact, "schema_violation", f"segment {name} is not an object")
        if name in ("Utterance", "Transcript"):
            return self._speech(contact, name, body, source, language)
        if name == "Categories":
            matched = [str(c) for c in body.get("MatchedCategories") or []]
            if not matched:
                return Mapped(skipped=1)
            piece = "categories:" + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
            return self._single(contact, piece, source, ev.EVENT_TYPE_PLATFORM_CATEGORIES, language,
                                categories=matched)
        if name == "PostContactSummary":
            content = text_field(body, "Content")
            if body.get("Status") != "COMPLETED" or not content:
                return Mapped(skipped=1)  # FAILED summaries carry no text
            return self._single(contact, "post-contact-summary", source, ev.EVENT_TYPE_PLATFORM_SUMMARY, language,
                                text=content)
        return Mapped(skipped=1)  # a segment type this adapter does not know yet

    def _speech(self, contact: str, name: str, body: dict[str, Any], source: Source, language: str) -> Mapped:
        role = text_field(body, "ParticipantRole")
        piece_id = text_field(body, "Id")
        final = name == "Transcript"
        text = text_field(body, "Content" if final else "PartialContent")
        if role in NOT_PARTIES:
            return Mapped(skipped=1)
        if role not in SPEAKERS or not piece_id or not text.strip():
            return refuse(contact, "schema_violation", f"{name} segment needs Id, ParticipantRole "
                          f"(AGENT or CUSTOMER) and text")
        utterance_id = piece_id if final else text_field(body, "TranscriptId") or piece_id
        seq = self.sequencer.assign(contact, piece_id)
        if seq is None:
            return Mapped(duplicates=1)
        if final:
            self.sequencer.final(contact, utterance_id)
        else:
            text = self.sequencer.partial(contact, utterance_id, text)
        return Mapped(events=[base_event(contact, seq, source, PLATFORM, ev.EVENT_TYPE_UTTERANCE,
                                         speaker=SPEAKERS[role], text=text, is_final=final, language=language,
                                         utterance_id=utterance_id, ts=timestamp(time.time()))])

    def _single(self, contact: str, piece: str, source: Source, kind: ev.EventType, language: str,
                **fields: Any) -> Mapped:
        seq = self.sequencer.assign(contact, piece)
        if seq is None:
            return Mapped(duplicates=1)
        return Mapped(events=[base_event(contact, seq, source, PLATFORM, kind, language=language,
                                         ts=timestamp(time.time()), **fields)])


HOLD_STATES = frozenset({"CONNECTED", "CONNECTED_ONHOLD"})


def _contacts(event: dict[str, Any], snapshot: str) -> list[dict[str, Any]]:
    body = event.get(snapshot)
    contacts = body.get("Contacts") if isinstance(body, dict) else None
    return [c for c in contacts or [] if isinstance(c, dict)]


def _firehose_record(record: Any, index: int) -> dict[str, Any]:
    try:
        data = base64.b64decode(record["data"], validate=True)
        event = json.loads(data.decode("utf-8"))
    except (KeyError, TypeError, binascii.Error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise PayloadRejected("decode_error", f"Firehose record {index}: data is not base64 of a JSON "
                                              f"segment event ({type(error).__name__})") from error
    if not isinstance(event, dict):
        raise PayloadRejected("schema_violation", f"Firehose record {index} is not a segment event object")
    return event
