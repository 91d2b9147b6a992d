"""Each platform adapter on fixtures made from the vendor's documented payloads (data/platforms/)."""

import base64
import json
from urllib.parse import urlencode

import pytest
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from seatcopilot_cli.intake import FIXTURES
from services.intake.adapters import PayloadRejected, Source, build_adapters
from services.intake.config import IntakeConfig
from services.intake.logic import IntakeStage
from services.intake.tenants import Tenant

TENANT = Tenant(id="harbor")
SOURCE = Source(TENANT, ev.SCENARIO_SERVICE)


def lines(platform):
    path = next((FIXTURES / platform).glob("*.jsonl"))
    return [line for line in path.read_text().splitlines() if line.strip()]


def run(platform, adapter=None):
    adapter = adapter or build_adapters(300)[platform]
    events, rejected, skipped, duplicates = [], [], 0, 0
    for line in lines(platform):
        if platform == "twilio":
            payload = adapter.parse(urlencode(json.loads(line)).encode(), "application/x-www-form-urlencoded")
        else:
            payload = adapter.parse(line.encode(), "application/json")
        mapped = adapter.map(payload, SOURCE)
        events += mapped.events
        rejected += mapped.rejected
        skipped += mapped.skipped
        duplicates += mapped.duplicates
    return events, rejected, skipped, duplicates


def shape(events):
    return [(ev.EventType.Name(e.type)[11:], ev.Speaker.Name(e.speaker)[8:], e.is_final) for e in events]


def test_contact_lens_segments_map_to_the_contract():
    events, rejected, skipped, _ = run("amazon_connect")
    assert not rejected
    assert skipped == 1  # the SYSTEM prompt
    assert shape(events)[:4] == [("CALL_STARTED", "OPERATOR", True), ("UTTERANCE", "OPERATOR", False),
                                 ("UTTERANCE", "OPERATOR", False), ("UTTERANCE", "OPERATOR", True)]
    assert events[2].text == "Thank you for calling Harbor Lending, this call may be recorded. My name is Adam. " \
                             "How can I help you?"  # partial pieces accumulate
    assert events[2].utterance_id == events[3].utterance_id
    card_partials = [e.text for e in events if not e.is_final and "five" in e.text]
    assert card_partials[-1].endswith("five five five five, four four four four.")
    kinds = [e.type for e in events]
    assert ev.EVENT_TYPE_PLATFORM_CATEGORIES in kinds and ev.EVENT_TYPE_PLATFORM_SUMMARY in kinds
    assert kinds[-1] == ev.EVENT_TYPE_CALL_ENDED
    assert [e.seq for e in events] == list(range(events[0].seq, events[0].seq + len(events)))
    assert all(e.source == "amazon_connect" and e.tenant == "harbor" for e in events)


def test_contact_lens_redelivered_records_are_duplicates_and_firehose_batches_unwrap():
    adapter = build_adapters(300)["amazon_connect"]
    first = run("amazon_connect", adapter)
    again = run("amazon_connect", adapter)
    assert again[0] == [] and again[3] == len(first[0])
    records = [{"data": base64.b64encode(line.encode()).decode()} for line in lines("amazon_connect")]
    envelope = {"requestId": "req-1", "timestamp": 1, "records": records}
    fresh = build_adapters(300)["amazon_connect"]
    assert len(fresh.map(envelope, SOURCE).events) == len(first[0])
    with pytest.raises(PayloadRejected):
        fresh.map({"requestId": "req-2", "records": [{"data": "not base64!"}]}, SOURCE)


def test_genesys_notifications_map_to_the_contract():
    events, rejected, skipped, _ = run("genesys_cloud")
    assert [r.reason for r in rejected] == ["speaker_unknown"]  # channel BOTH
    assert skipped == 1  # the five-minute heartbeat
    assert shape(events)[0] == ("CALL_STARTED", "OPERATOR", True)
    assert shape(events)[-1] == ("CALL_ENDED", "OPERATOR", True)
    partial, final = events[2], events[3]
    assert (partial.is_final, final.is_final, partial.utterance_id) == (False, True, final.utterance_id)
    assert final.speaker == ev.SPEAKER_CUSTOMER and events[1].speaker == ev.SPEAKER_OPERATOR
    assert final.ts.seconds == (1795964646000 + 5600) // 1000


def test_genesys_via_eventbridge_is_the_same_notification():
    adapter = build_adapters(300)["genesys_cloud"]
    notification = json.loads(lines("genesys_cloud")[1])
    bridged = {"version": "0", "detail-type": notification["topicName"], "source": "aws.partner/genesys.com",
               "detail": notification}
    assert [e.text for e in adapter.map(bridged, SOURCE).events][1:] == \
        [notification["eventBody"]["transcripts"][0]["alternatives"][0]["transcript"]]


def test_twilio_callbacks_map_with_their_sequence_ids():
    events, rejected, _, _ = run("twilio")
    assert not rejected
    assert [e.seq for e in events] == [1, 2, 3, 5, 4, 6, 7, 8, 9, 10, 10, 11, 12]
    assert events[1].speaker == ev.SPEAKER_OPERATOR and events[2].speaker == ev.SPEAKER_CUSTOMER
    assert [e.is_final for e in events[2:5]] == [False, True, False]


def test_twilio_inbound_track_can_be_the_operator():
    adapter = build_adapters(300)["twilio"]
    params = json.loads(lines("twilio")[2])
    flipped = Source(Tenant(id="harbor", twilio_inbound_speaker=ev.SPEAKER_OPERATOR), ev.SCENARIO_SERVICE)
    assert adapter.map(params, flipped).events[0].speaker == ev.SPEAKER_OPERATOR


def test_generic_events_take_the_tenant_and_refuse_another():
    events, rejected, _, _ = run("generic")
    assert not rejected and len(events) == 11
    adapter = build_adapters(300)["generic"]
    mapped = adapter.map({"call_id": "c9", "seq": 1, "type": "UTTERANCE", "tenant": "other", "text": "hi"}, SOURCE)
    assert [r.reason for r in mapped.rejected] == ["tenant_mismatch"]


@pytest.mark.parametrize(("platform", "body", "content_type", "reason"), [
    ("amazon_connect", b"{not json", "application/json", "decode_error"),
    ("genesys_cloud", b"\xff\xfe{}", "application/json", "invalid_utf8"),
    ("twilio", b"CallSid=CA1&%zz", "application/x-www-form-urlencoded", "decode_error"),
    ("generic", b"42", "application/json", "schema_violation"),
])
def test_malformed_payloads_are_refused_with_the_reason(platform, body, content_type, reason):
    adapter = build_adapters(300)[platform]
    with pytest.raises(PayloadRejected) as rejected:
        adapter.map(adapter.parse(body, content_type), SOURCE)
    assert rejected.value.reason == reason


def test_a_platform_call_intake_never_saw_start_is_unknown_after_the_adopt_window():
    adapter = build_adapters(adopt_window_s=0)["amazon_connect"]
    adapter.sequencer.started_at -= 10
    segment = json.loads(lines("amazon_connect")[2])
    mapped = adapter.map(segment, SOURCE)
    assert [r.reason for r in mapped.rejected] == ["unknown_call"]


def test_a_number_split_across_partial_segments_without_a_final_is_still_redacted():
    adapter = build_adapters(300)["amazon_connect"]
    common = {"Version": "1.0.0", "Channel": "VOICE", "ContactId": "c-split", "LanguageCode": "en-US"}

    def piece(piece_id, text):
        return {**common, "EventType": "SEGMENTS", "Segments": [{"Utterance": {
            "Id": piece_id, "TranscriptId": "t-1", "ParticipantRole": "CUSTOMER", "PartialContent": text}}]}

    records = [{**common, "EventType": "STARTED"}, piece("p1", "my card is four one one one one one one one"),
               piece("p2", "one one one one one one one one"), {**common, "EventType": "COMPLETED"}]
    stage = IntakeStage(IntakeConfig())
    published = [e for record in records for event in adapter.map(record, SOURCE).events
                 for e in stage.accept(event).ready]
    assert [(ev.EventType.Name(e.type)[11:], e.text) for e in published] == [
        ("CALL_STARTED", ""), ("UTTERANCE", "my card is [CARD]"), ("CALL_ENDED", "")]
