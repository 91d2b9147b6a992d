import asyncio

from aiohttp.test_utils import TestClient, TestServer

from services.console.http_api import create_app
from services.console.logic import ConsoleHub


def view(kind="suggestion", seq=1, call_id="call-1", **extra):
    return {"kind": kind, "call_id": call_id, "seq": seq, "scenario": "SALES", "operator_id": "op-1",
            "team_id": "t-1", "text": "hello", **extra}


def test_hub_numbers_events_and_replays_what_a_browser_missed():
    hub = ConsoleHub(history=10)
    ids = [hub.add(view(seq=i)) for i in range(1, 5)]
    assert ids == [1, 2, 3, 4]
    assert [v["seq"] for _, v in hub.since(2)] == [3, 4]


def test_overview_counts_alerts_and_follows_the_lifecycle():
    hub = ConsoleHub()
    hub.add(view(kind="alert", rule_ids=["R1"]))
    hub.add(view(kind="transcript", type="TRANSFER"))
    call = hub.overview()[0]
    assert call["alerts"] == 1 and call["rule_ids"] == ["R1"] and call["status"] == "transferred"


def test_sse_stream_resumes_from_last_event_id():
    async def scenario():
        hub = ConsoleHub()
        for seq in range(1, 4):
            hub.add(view(seq=seq))
        async with TestClient(TestServer(create_app(hub))) as client:
            page = await client.get("/")
            response = await client.get("/api/events", headers={"Last-Event-ID": "2"})
            body = b""
            while b"id: 3" not in body:
                body += await response.content.readany()
            response.close()
            bad = await client.get("/api/events", headers={"Last-Event-ID": "abc"})
            calls = await (await client.get("/api/calls")).json()
            return page.status, body.decode(), bad.status, calls

    page_status, body, bad_status, calls = asyncio.run(scenario())
    assert page_status == 200
    assert "id: 3" in body and "id: 2\n" not in body and "event: suggestion" in body
    assert bad_status == 400
    assert calls["calls"][0]["call_id"] == "call-1"
