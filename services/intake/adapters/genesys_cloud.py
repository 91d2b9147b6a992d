"""Genesys Cloud transcription notifications: topic `v2.conversations.{id}.transcription`.

A notification is `{"topicName", "version", "eventBody", "metadata"}` as the notification channel
(WebSocket) delivers it; through Amazon EventBridge the same object is the event's `detail`. The
body (TranscriptionMessage) holds `conversationId`, `transcriptionStartTimeMs`, `transcripts` (each:
`utteranceId`, `isFinal`, `channel` INTERNAL = agent side or EXTERNAL = customer, `alternatives`
with `transcript`, `offsetMs`, `durationMs`, `confidence`, and `dialect`) and `status` (`status`
SESSION_ONGOING or SESSION_ENDED, `offsetMs`).

Genesys sends a message without transcripts at the start of each transcription session and every
five minutes after. The first message intake sees for a conversation starts the call (a channel
may subscribe after transcription began), except a late heartbeat (offset over a minute), which is
skipped like the others; SESSION_ENDED ends it. Genesys does not number messages, so intake numbers
them per conversation in arrival order; (utteranceId, isFinal, text) de-duplicates redeliveries.

Who is on the call and when it moves come from conversation notifications on the same endpoint
(topics `v2.users.{id}.conversations[.calls]` or `v2.routing.queues.{id}.conversations[.calls]`;
`eventBody` is the conversation: `id` and `participants[]` with `purpose`, `userId`, and `state`
and `held` either on the participant or on its `calls[]`). Each notification is the whole
conversation, so intake compares it with what it knew: the last connected agent participant holds
the call (the tenant's operator directory maps their `userId`; a different agent than before is a
TRANSFER to that agent's role); that agent's call (or the customer's) `held` flipping is a HOLD or a RESUME; the
customer disconnected ends the call.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.topics import PLATFORM_GENESYS_CLOUD

from services.intake.adapters.base import (
    START_OFFSET_MS,
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

PLATFORM = "genesys_cloud"
TOPIC = re.compile(r"^v2\.conversations\.([^.]+)\.transcription$")
CONVERSATION_TOPIC = re.compile(r"^v2\.(?:users|routing\.queues)\.[^.]+\.conversations(?:\.calls)?$")
SPEAKERS = {"INTERNAL": ev.SPEAKER_OPERATOR, "EXTERNAL": ev.SPEAKER_CUSTOMER}
AGENT_PURPOSES = frozenset({"agent", "user"})
CUSTOMER_PURPOSES = frozenset({"customer", "external"})
GONE = frozenset({"disconnected", "terminated"})


class GenesysCloudAdapter(NumberingJsonAdapter):
    platform = PLATFORM
    topic = PLATFORM_GENESYS_CLOUD

    def map(self, payload: Any, source: Source) -> Mapped:
        mapped = Mapped()
        for notification in items(payload, "Genesys Cloud notification"):
            mapped.extend(self._notification(notification.get("detail", notification), source))
        self.roster.stamp(mapped.events)
        return mapped

    def _notification(self, notification: Any, source: Source) -> Mapped:
        if isinstance(notification, dict) and CONVERSATION_TOPIC.match(text_field(notification, "topicName")):
            body = notification.get("eventBody")
            conversation = text_field(body, "id") if isinstance(body, dict) else ""
            if not conversation or not isinstance(body, dict):
                return refuse("", "schema_violation", "a conversation notification needs eventBody.id")
            try:
                return self._participants(conversation, body, source)
            except PayloadRejected as rejected:
                return refuse(conversation, rejected.reason, rejected.detail)
        topic = TOPIC.match(text_field(notification, "topicName")) if isinstance(notification, dict) else None
        body = notification.get("eventBody") if isinstance(notification, dict) else None
        if topic is None or not isinstance(body, dict):
            return refuse("", "schema_violation", "expected a notification for topic "
                          "v2.conversations.{id}.transcription or a conversations topic with an eventBody")
        conversation = text_field(body, "conversationId") or topic.group(1)
        try:
            return self._body(conversation, body, source)
        except PayloadRejected as rejected:
            return refuse(conversation, rejected.reason, rejected.detail)

    def _body(self, conversation: str, body: dict[str, Any], source: Source) -> Mapped:
        transcripts = body.get("transcripts") or []
        reported = body.get("status")
        status = reported if isinstance(reported, dict) else {}
        mapped = Mapped()
        heartbeat = not transcripts and status.get("status") == "SESSION_ONGOING"
        if not self.sequencer.knows(conversation):
            if heartbeat and int(status.get("offsetMs") or 0) >= START_OFFSET_MS:
                return Mapped(skipped=1)
            mapped.extend(self._lifecycle(conversation, "started", ev.EVENT_TYPE_CALL_STARTED, body, source))
        elif heartbeat:
            return Mapped(skipped=1)
        started_ms = body.get("transcriptionStartTimeMs") or body.get("sessionStartTimeMs")
        for transcript in transcripts:
            mapped.extend(self._transcript(conversation, transcript, started_ms, source))
        if status.get("status") == "SESSION_ENDED":
            mapped.extend(self._lifecycle(conversation, "ended", ev.EVENT_TYPE_CALL_ENDED, body, source))
            self.sequencer.ended(conversation)
        return mapped

    def _participants(self, conversation: str, body: dict[str, Any], source: Source) -> Mapped:
        participants = [p for p in body.get("participants") or [] if isinstance(p, dict)]
        agents = [p for p in participants if p.get("purpose") in AGENT_PURPOSES and text_field(p, "userId")
                  and _call_field(p, "state") == "connected"]
        customer = next((p for p in participants if p.get("purpose") in CUSTOMER_PURPOSES), None)
        mapped = Mapped()
        if agents:
            agent = agents[-1]  # participants are listed in the order they joined: the last one holds the call
            operator = source.tenant.directory.find(PLATFORM, agent["userId"])
            mapped.extend(unknown_operator(conversation, PLATFORM, agent["userId"]) if operator is None else
                          self.seated(conversation, operator, f"agent:{text_field(agent, 'id')}", source, PLATFORM))
        if customer is None:
            return mapped
        if _call_field(customer, "state") in GONE:
            mapped.extend(self._lifecycle(conversation, "ended", ev.EVENT_TYPE_CALL_ENDED, body, source))
            self.sequencer.ended(conversation)
        elif agents and self.roster.operator(conversation) is not None:
            # the agent's call is held when they put the customer on hold (PATCH participant held=true)
            holder = next((p for p in (agents[-1], customer) if _call_field(p, "held") is True), None)
            held = holder is not None
            since = _call_field(holder or agents[-1], "startHoldTime") or time.time_ns()
            piece = f"{'hold' if held else 'resume'}:{since}"
            mapped.extend(self.held(conversation, held, piece, source, PLATFORM))
        return mapped

    def _lifecycle(self, conversation: str, piece: str, kind: ev.EventType, body: dict[str, Any],
                   source: Source) -> Mapped:
        seq = self.sequencer.assign(conversation, piece, start=kind == ev.EVENT_TYPE_CALL_STARTED)
        if seq is None:
            return Mapped(duplicates=1)
        return Mapped(events=[base_event(conversation, seq, source, PLATFORM, kind, ts=timestamp(time.time()))])

    def _transcript(self, conversation: str, transcript: Any, started_ms: Any, source: Source) -> Mapped:
        if not isinstance(transcript, dict):
            return refuse(conversation, "schema_violation", "a transcript is not an object")
        alternatives = [a for a in transcript.get("alternatives") or [] if isinstance(a, dict)]
        text = text_field(alternatives[0], "transcript") if alternatives else ""
        utterance = text_field(transcript, "utteranceId")
        channel = text_field(transcript, "channel")
        if not utterance or not text.strip():
            return refuse(conversation, "schema_violation",
                          "a transcript needs utteranceId and alternatives[0].transcript")
        if channel not in SPEAKERS:
            return refuse(conversation, "speaker_unknown", f"channel {channel or 'missing'}: "
                          "only INTERNAL and EXTERNAL name a speaker")
        final = transcript.get("isFinal") is True
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        seq = self.sequencer.assign(conversation, f"{utterance}:{final}:{digest}")
        if seq is None:
            return Mapped(duplicates=1)
        offset = alternatives[0].get("offsetMs")
        seconds = (started_ms + offset) / 1000 if isinstance(started_ms, int) and isinstance(offset, int) \
            else time.time()
        return Mapped(events=[base_event(
            conversation, seq, source, PLATFORM, ev.EVENT_TYPE_UTTERANCE, speaker=SPEAKERS[channel], text=text,
            is_final=final, utterance_id=utterance, ts=timestamp(seconds),
            language=text_field(transcript, "dialect") or source.tenant.language,
        )])


def _call_field(participant: dict[str, Any], name: str) -> Any:
    """A field of the participant's voice call: on the participant itself, or on its first call."""
    if name in participant:
        return participant[name]
    calls = [c for c in participant.get("calls") or [] if isinstance(c, dict)]
    return calls[0].get(name) if calls else None
