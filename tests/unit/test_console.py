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


def wrapup_view(call_id="call-w1"):
    from seatcopilot import views
    from seatcopilot.summary.v1 import summary_pb2 as sm

    summary = sm.Summary(kind=sm.SUMMARY_KIND_WRAPUP, call_id=call_id, seq=30, tenant="harbor", operator_id="op-1",
                         team_id="t-1", text="Collections call wrap-up.", disposition="RESOLVED",
                         next_actions=["No follow-up needed."])
    return views.summary_view(summary)


def test_operators_accept_or_edit_a_wrapup_and_the_feedback_is_published_redacted():
    from seatcopilot.summary.v1 import summary_pb2 as sm

    async def scenario():
        hub, sent = ConsoleHub(), []

        async def sink(feedback):
            sent.append(feedback)

        hub.add(wrapup_view())
        async with TestClient(TestServer(create_app(hub))) as client:
            url = "/api/wrapups/call-w1/feedback"
            no_sink = await client.post(url, json={"action": "accept"})
            hub.feedback_sink = sink
            accepted = await client.post(url, json={"action": "accept"})
            edited = await client.post(url, json={
                "action": "edit", "text": "Promise to pay $90 on Friday. Call back on 415-555-0142.",
                "disposition": "promise_to_pay", "next_actions": ["Confirm the payment in writing."]})
            codes = {name: (await client.post(path, **kwargs)).status for name, (path, kwargs) in {
                "unknown_call": ("/api/wrapups/nope/feedback", {"json": {"action": "accept"}}),
                "bad_action": (url, {"json": {"action": "maybe"}}),
                "bad_disposition": (url, {"json": {"action": "edit", "disposition": "not a code!"}}),
                "empty_text": (url, {"json": {"action": "edit", "text": "  "}}),
                "not_json": (url, {"data": b"{nope", "headers": {"Content-Type": "application/json"}}),
            }.items()}
            return no_sink.status, accepted.status, await edited.json(), edited.status, codes, sent

    no_sink, accepted, edited_body, edited_status, codes, sent = asyncio.run(scenario())
    assert no_sink == 503 and accepted == 202 and edited_status == 202
    assert codes == {"unknown_call": 404, "bad_action": 400, "bad_disposition": 400, "empty_text": 400,
                     "not_json": 400}
    accept, edit = sent
    assert accept.action == sm.FEEDBACK_ACTION_ACCEPTED and accept.disposition == "RESOLVED"
    assert accept.text == accept.original_text == "Collections call wrap-up." and accept.wrapup_seq == 30
    assert edit.action == sm.FEEDBACK_ACTION_EDITED and edit.disposition == "PROMISE_TO_PAY"
    assert edit.original_disposition == "RESOLVED" and list(edit.next_actions) == ["Confirm the payment in writing."]
    assert "415-555-0142" not in edit.text and "[PHONE]" in edit.text  # typed PII is redacted like intake's
    assert edited_body == {"status": "recorded", "call_id": "call-w1", "disposition": "PROMISE_TO_PAY"}


def test_manager_reports_are_kept_per_team_and_served():
    from seatcopilot import views
    from seatcopilot.summary.v1 import summary_pb2 as sm

    async def scenario():
        hub = ConsoleHub()
        for calls in (1, 2):
            report = sm.ManagerReport(team_id="t-1")
            report.teams.add(scope="team", id="t-1", calls=calls)
            hub.add(views.manager_report_view(report))
        hub.add(view())
        async with TestClient(TestServer(create_app(hub))) as client:
            return await (await client.get("/api/manager/reports")).json(), hub.overview()

    reports, overview = asyncio.run(scenario())
    assert [r["teams"][0]["calls"] for r in reports["reports"]] == [2]  # the latest report of each team
    assert [c["call_id"] for c in overview] == ["call-1"]  # reports are not calls
