"""Bad input at the public edges: deeply nested JSON, huge integers and wrong types answered 400, never 5xx;
webhook replays refused; no answer tells an outsider whether a tenant or a call exists."""

import json

import pytest
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import FEEDBACK
from seatcopilot.transport import InProcessTransport

from services.console import kafka_adapter as console_kafka
from services.console.auth import AccessAudit, Authenticator
from services.console.http_api import create_app
from services.console.logic import ConsoleHub
from services.intake.auth import SIGNATURE_HEADER, sign
from tests.helpers.console import OPERATOR_A, PUBLIC_PEM, bearer, view
from tests.helpers.intake import SECRETS, scenario

JSON = {"Content-Type": "application/json"}
DEEP_LIST = b"[" * 5000 + b"]" * 5000
DEEP_OBJECT = b'{"a":' * 3000 + b"1" + b"}" * 3000


def console_statuses(requests):
    """Each (path, JSON-able body or raw bytes) posted by the operator on call-a; the real feedback sink."""
    import asyncio

    from aiohttp.test_utils import TestClient, TestServer

    async def run():
        bus = InProcessTransport()
        topic = bus.tap(FEEDBACK.name)
        await bus.start()
        hub = ConsoleHub()
        hub.add(view(call_id="call-a"))
        auth = Authenticator(public_key=PUBLIC_PEM, issuer="https://idp.example", audience="seatcopilot-console")
        app = create_app(hub, auth, AccessAudit(None), console_kafka.feedback_sink(StageIO("console", bus)))
        statuses = []
        async with TestClient(TestServer(app)) as client:
            for path, body in requests:
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                response = await client.post(path, data=data, headers={**JSON, **bearer(OPERATOR_A)})
                statuses.append(response.status)
        await bus.stop()
        return statuses, topic.qsize()
    return asyncio.run(run())


@pytest.mark.parametrize("body", [
    {"seq": 2**70, "action": "accepted"},  # past the message's uint64
    {"seq": True, "action": "accepted"},
    {"seq": 1, "action": ["accepted"]},  # unhashable
    {"seq": 1, "action": "accepted", "subject": {"x": 1}},
    {"seq": 1, "action": "edited", "edited_text": 42},
    {"seq": 1, "action": "accepted", "seconds_to_act": "soon"},
    {"seq": 1, "action": "accepted", "seconds_to_act": 1e300},
    {"seq": 1, "action": "accepted", "subject": "wrapup", "disposition": ["PTP"]},
    DEEP_LIST, DEEP_OBJECT,
])
def test_feedback_with_wrong_types_huge_numbers_or_deep_nesting_is_400(body):
    statuses, published = console_statuses([("/api/calls/call-a/feedback", body)])
    assert statuses == [400] and published == 0


def test_well_formed_feedback_still_reaches_the_topic():
    statuses, published = console_statuses([("/api/calls/call-a/feedback",
                                              {"seq": 1, "action": "accepted", "seconds_to_act": 2.5})])
    assert statuses == [201] and published == 1


def test_a_webhook_with_deeply_nested_json_is_400_not_500():
    async def go(intake):
        headers = {**JSON, "Authorization": f"Bearer {SECRETS['BEARER']}"}
        return [(await intake.post(intake.url("generic"), body, headers))[0] for body in (DEEP_LIST[:4000],
                                                                                           DEEP_OBJECT[:4000])]
    # The bodies are cut to fit max_body_bytes; still ~2000 levels deep, past the parser's limit.
    assert scenario(go) == [400, 400]


def test_a_replayed_signed_webhook_is_refused():
    body = json.dumps({"call_id": "c-replay", "seq": 1, "type": "CALL_STARTED", "speaker": "OPERATOR"}).encode()

    async def go(intake):
        headers = {**JSON, SIGNATURE_HEADER: sign(SECRETS["HMAC"], body)}
        first = await intake.post(intake.url("generic"), body, headers)
        again = await intake.post(intake.url("generic"), body, headers)  # the same signature, inside the window
        return first, again

    first, again = scenario(go)
    assert first[0] == 200
    assert again[0] == 401 and "replay" in again[1]["detail"]


def test_an_unknown_tenant_answers_as_a_known_one_with_other_credentials():
    body = json.dumps({"call_id": "c-x", "seq": 1, "type": "CALL_STARTED", "speaker": "OPERATOR"}).encode()

    async def go(intake):
        replies = []
        for tenant in ("harbor", "no-such-bank"):
            for headers in ({**JSON, "Authorization": "Bearer guess"}, JSON,
                            {**JSON, SIGNATURE_HEADER: sign("guess", body)}):
                replies.append(await intake.post(intake.url("generic", tenant=tenant), body, headers))
        return replies

    replies = scenario(go)
    assert replies[:3] == replies[3:]
    assert all(status == 401 for status, _ in replies)
