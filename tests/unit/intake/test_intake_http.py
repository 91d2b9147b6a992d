"""Intake's webhooks on a real HTTP server (in-process transport): authentication, every adapter's
fixtures end to end, and bad input answered 4xx with the payload redacted on the dead-letter topic."""

import base64
import json
import time

import pytest
from seatcopilot import codec
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from seatcopilot_cli.intake import FIXTURES
from services.intake.auth import SIGNATURE_HEADER, sign
from tests.helpers.intake import SECRETS, scenario
from tests.helpers.platforms import leaked


@pytest.mark.parametrize("platform", ["amazon_connect", "genesys_cloud", "twilio", "generic"])
def test_each_platforms_fixture_comes_out_redacted_and_in_order(platform):
    async def go(intake):
        replies = await intake.replay(platform)
        return replies, intake.drain(intake.transcript, ev.CallEvent), intake.drain(intake.dead_letters,
                                                                                    deadletter_pb2.DeadLetter)

    replies, published, letters = scenario(go)
    assert all(status == 200 for status, _ in replies), replies
    assert published[0].type == ev.EVENT_TYPE_CALL_STARTED
    assert ev.EVENT_TYPE_CALL_ENDED in [e.type for e in published]
    assert [e.seq for e in published] == sorted(e.seq for e in published)
    assert all(e.is_final for e in published)
    blob = b"".join(codec.encode(e) for e in published) + b"".join(d.payload + d.detail.encode() for d in letters)
    assert leaked(blob) == []
    assert any("[" in e.text for e in published)


def test_signed_and_bearer_requests_pass_and_everything_else_is_401():
    body = json.dumps({"call_id": "c-auth", "seq": 1, "type": "CALL_STARTED", "speaker": "OPERATOR"}).encode()
    json_type = {"Content-Type": "application/json"}

    async def go(intake):
        url = intake.url("generic")
        return [
            await intake.post(url, body, {**json_type, SIGNATURE_HEADER: sign(SECRETS["HMAC"], body)}),
            await intake.post(url, body, {**json_type, "Authorization": f"Bearer {SECRETS['BEARER']}"}),
            await intake.post(url, body, {**json_type, SIGNATURE_HEADER: sign("wrong", body)}),
            await intake.post(url, body, {**json_type, SIGNATURE_HEADER: sign(SECRETS["HMAC"], body,
                                                                              at=time.time() - 3600)}),
            await intake.post(url, body, json_type),
            await intake.post(intake.url("twilio"), b"CallSid=CA1",
                              {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": "forged"}),
        ], intake.drain(intake.dead_letters, deadletter_pb2.DeadLetter)

    replies, letters = scenario(go)
    assert [status for status, _ in replies] == [200, 200, 401, 401, 401, 401]
    assert replies[1][1]["duplicates"] == 1
    assert replies[3][1]["detail"].startswith("the signature's timestamp")
    assert replies[4][1] == {"error": "unauthenticated", "detail": "no credentials: this endpoint takes hmac, bearer"}
    assert [d.reason for d in letters] == ["unauthenticated"] * 4


def test_bad_input_is_answered_4xx_and_dead_lettered_redacted():
    card = b"my card is 4111 1111 1111 1111"
    headers = {"Authorization": f"Bearer {SECRETS['BEARER']}", "Content-Type": "application/json"}

    async def go(intake):
        url = intake.url("generic")
        start = json.dumps({"call_id": "c-bad", "seq": 1, "type": "CALL_STARTED", "speaker": "OPERATOR"}).encode()
        end = json.dumps({"call_id": "c-bad", "seq": 2, "type": "CALL_ENDED", "speaker": "OPERATOR"}).encode()
        late = json.dumps({"call_id": "c-bad", "seq": 3, "type": "UTTERANCE", "speaker": "CUSTOMER",
                           "text": card.decode()}).encode()
        await intake.post(url, start, headers)
        await intake.post(url, end, headers)
        return [
            await intake.post(url, b"\xff\xfe" + card, headers),
            await intake.post(url, b'{"call_id": "c-x", "seq": "many", "note": "' + card + b'"}', headers),
            await intake.post(url, b"x" * 5000, headers),
            await intake.post(url, card, {**headers, "Content-Type": "text/plain"}),
            await intake.post(intake.url("generic", tenant="nobody"), card, headers),
            await intake.post(intake.url("skype"), card, headers),
            await intake.post(url, late, headers),
            await intake.post(url, start, {**headers, "X-Seatcopilot-Scenario": "KARAOKE"}),
        ], intake.drain(intake.dead_letters, deadletter_pb2.DeadLetter)

    replies, letters = scenario(go)
    # An unknown tenant is answered as a known one with other credentials (401): nobody learns which exist.
    assert [status for status, _ in replies] == [400, 400, 413, 415, 401, 404, 409, 400]
    assert [body.get("error") or body["rejected"][0]["reason"] for _, body in replies] == [
        "invalid_utf8", "schema_violation", "payload_too_large", "unsupported_media_type", "unauthenticated",
        "unknown_platform", "call_ended", "bad_scenario"]
    assert len(letters) == len(replies)
    for letter in letters:
        assert b"4111 1111 1111 1111" not in letter.payload and "4111" not in letter.detail
    assert b"[CARD]" in letters[0].payload and letters[0].reason == "invalid_utf8"
    assert letters[2].payload == b"x" * 4096


def test_firehose_deliveries_get_firehose_replies():
    async def go(intake):
        path = next((FIXTURES / "amazon_connect").glob("*.jsonl"))
        records = [{"data": base64.b64encode(line.encode()).decode()} for line in path.read_text().splitlines()]
        body = json.dumps({"requestId": "req-7", "timestamp": 1, "records": records}).encode()
        headers = {"Content-Type": "application/json", "X-Amz-Firehose-Request-Id": "req-7",
                   "X-Amz-Firehose-Access-Key": SECRETS["FIREHOSE"]}
        ok = await intake.post(intake.url("amazon_connect"), body, headers)
        bad = await intake.post(intake.url("amazon_connect"), body, {**headers, "X-Amz-Firehose-Access-Key": "no"})
        return ok, bad

    (ok_status, ok), (bad_status, bad) = scenario(go, max_body_bytes=65_536)
    assert ok_status == 200 and ok["requestId"] == "req-7" and ok["received"] > 10 and "errorMessage" not in ok
    assert bad_status == 401 and bad["requestId"] == "req-7" and bad["errorMessage"]
