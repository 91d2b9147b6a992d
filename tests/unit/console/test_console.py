"""The console API: authentication, the authorization matrix (denials included), audit, feedback, SSE."""

import asyncio
import time

import jwt
import pytest
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from services.console.auth import Authenticator
from services.console.logic import ConsoleHub
from tests.helpers import classified_event, load_call, make_event
from tests.helpers.console import (
    ADMIN,
    MANAGER_A,
    MANAGER_B,
    OPERATOR_A,
    OPERATOR_B,
    OTHER_TENANT_ADMIN,
    bearer,
    oidc_token,
    run,
    view,
)
from tests.helpers.summarizer import events, summarizer


@pytest.mark.parametrize(("identity", "call_id", "status"), [
    # A call one may not see answers as one that does not exist: nobody learns which calls exist.
    (OPERATOR_A, "call-a", 200), (OPERATOR_A, "call-b", 404), (OPERATOR_B, "call-a", 404),
    (MANAGER_A, "call-a", 200), (MANAGER_A, "call-b", 404), (MANAGER_B, "call-b", 200),
    (ADMIN, "call-a", 200), (ADMIN, "call-b", 200), (OTHER_TENANT_ADMIN, "call-a", 404),
    (ADMIN, "call-unknown", 404),
])
def test_authorization_matrix_for_opening_a_call(identity, call_id, status):
    async def scenario(client, hub, audit, published):
        response = await client.get(f"/api/calls/{call_id}", headers=bearer(identity))
        return response.status, audit.entries[-1]

    got, entry = run(scenario)
    assert got == status
    assert entry["call_id"] == call_id and entry["subject"] == identity.subject
    assert entry["allowed"] is (status == 200)


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Bearer not-a-jwt"},
    {"Authorization": "Bearer " + oidc_token(OPERATOR_A, exp=int(time.time()) - 10)},
    {"Authorization": "Bearer " + oidc_token(OPERATOR_A, aud="someone-else")},
    {"Authorization": "Bearer " + jwt.encode({"sub": "x", "tenant": "harbor", "role": "admin", "exp": 2**31},
                                             "wrong-secret-wrong-secret-0123456", algorithm="HS256")},
    {"Authorization": "Bearer " + oidc_token(OPERATOR_A, role="superuser")},
])
def test_bad_credentials_are_401(headers):
    async def scenario(client, hub, audit, published):
        return (await client.get("/api/calls", headers=headers)).status

    assert run(scenario) == 401


def test_call_lists_are_filtered_by_role_and_team():
    async def scenario(client, hub, audit, published):
        lists = {}
        for identity in (OPERATOR_A, MANAGER_B, ADMIN, OTHER_TENANT_ADMIN):
            body = await (await client.get("/api/calls", headers=bearer(identity))).json()
            lists[identity.subject] = sorted(c["call_id"] for c in body["calls"])
        return lists

    assert run(scenario) == {"ava": ["call-a"], "max": ["call-b"], "root": ["call-a", "call-b"], "eve": []}


def test_an_operator_marks_a_rule_alert_not_a_violation():
    async def scenario(client, hub, audit, published):
        url, headers = "/api/calls/call-a/feedback", bearer(OPERATOR_A)
        ok = await client.post(url, headers=headers, json={"seq": 2, "subject": "alert", "action": "not_a_violation",
                                                           "rule_id": "GLBA-FULL-CARD-NUMBER"})
        no_rule = await client.post(url, headers=headers, json={"seq": 2, "subject": "alert",
                                                                "action": "not_a_violation"})
        wrong_action = await client.post(url, headers=headers, json={"seq": 2, "subject": "alert",
                                                                     "action": "accepted", "rule_id": "X-1"})
        on_suggestion = await client.post(url, headers=headers, json={"seq": 2, "action": "not_a_violation"})
        acted = [v for _, v in hub.call_history("harbor", "call-a") if v["kind"] == "feedback"]
        return ok.status, no_rule.status, wrong_action.status, on_suggestion.status, published, acted

    ok, no_rule, wrong_action, on_suggestion, published, acted = run(scenario)
    assert (ok, no_rule, wrong_action, on_suggestion) == (201, 400, 400, 400)
    assert len(published) == 1 and published[0][2]["rule_id"] == "GLBA-FULL-CARD-NUMBER"
    assert [(v["subject"], v["action"], v["rule_id"]) for v in acted] == [
        ("alert", "not_a_violation", "GLBA-FULL-CARD-NUMBER")]


def test_feedback_goes_to_the_topic_only_from_the_operator_on_the_call():
    async def scenario(client, hub, audit, published):
        ok = await client.post("/api/calls/call-a/feedback", headers=bearer(OPERATOR_A),
                               json={"seq": 1, "action": "edited", "edited_text": "call me at 415-555-0142"})
        other = await client.post("/api/calls/call-a/feedback", headers=bearer(OPERATOR_B),
                                  json={"seq": 1, "action": "accepted"})
        manager = await client.post("/api/calls/call-a/feedback", headers=bearer(MANAGER_A),
                                    json={"seq": 1, "action": "accepted"})
        bad = await client.post("/api/calls/call-a/feedback", headers=bearer(OPERATOR_A),
                                json={"seq": "one", "action": "loved"})
        garbage = await client.post("/api/calls/call-a/feedback", headers=bearer(OPERATOR_A), data=b"\xff{")
        acted = [v for _, v in hub.call_history("harbor", "call-a") if v["kind"] == "feedback"]
        return ok.status, other.status, manager.status, bad.status, garbage.status, published, acted

    ok, other, manager, bad, garbage, published, acted = run(scenario)
    assert (ok, other, manager, bad, garbage) == (201, 404, 403, 400, 400)
    assert len(published) == 1
    assert [(v["seq"], v["action"]) for v in acted] == [(1, "edited")]  # other tabs and reloads learn of it
    assert published[0][2]["edited_text"] == "call me at [PHONE]"


def test_managers_write_coaching_notes_operators_see_them():
    async def scenario(client, hub, audit, published):
        denied = await client.post("/api/calls/call-a/notes", headers=bearer(OPERATOR_A), json={"text": "hi"})
        other_team = await client.post("/api/calls/call-a/notes", headers=bearer(MANAGER_B), json={"text": "hi"})
        written = await client.post("/api/calls/call-a/notes", headers=bearer(MANAGER_A),
                                    json={"text": "State the APR before the payment."})
        history = await (await client.get("/api/calls/call-a", headers=bearer(OPERATOR_A))).json()
        return denied.status, other_team.status, written.status, history

    denied, other_team, written, history = run(scenario)
    assert (denied, other_team, written) == (403, 404, 201)
    assert any(e["kind"] == "coaching_note" and e["author"] == "mia" for e in history["events"])


def snapshot(team, arm, values, tenant="harbor", window_start=1_800_000_000.0, received_at=1.0):
    """An indicators-topic snapshot as the console's adapter renders it; values: name -> (numerator, denominator)."""
    from seatcopilot.contracts.indicators.v1 import indicators_pb2 as ind

    from services.console.kafka_adapter import indicator_view

    message = ind.IndicatorSnapshot(tenant=tenant, team_id=team, experiment_id="exp-1", arm=arm)
    message.window_start.FromSeconds(int(window_start))
    message.window_end.FromSeconds(int(window_start) + 3600)
    for name, (numerator, denominator) in values.items():
        message.values.add(name=name, scenario=name.split(".")[0].upper(), unit="ratio", value=numerator / denominator
                           if denominator else 0.0, numerator=numerator, denominator=denominator,
                           defined=bool(denominator), direction=1)
    return indicator_view(message, received_at)


def test_team_kpis_come_from_the_indicators_service_for_managers_of_the_team_only():
    async def scenario(client, hub, audit, published):
        hub.record_indicators(snapshot("team-a", "on", {"copilot.acceptance_rate": (3, 4)}, received_at=10))
        hub.record_indicators(snapshot("team-a", "off", {"copilot.acceptance_rate": (0, 0)}, received_at=10.5))
        hub.record_indicators(snapshot("team-a", "on", {"copilot.acceptance_rate": (6, 10)}, received_at=20))
        hub.record_indicators(snapshot("team-b", "on", {"copilot.acceptance_rate": (1, 10)}, received_at=20.5))
        hub.record_indicators(snapshot("team-a", "on", {"copilot.acceptance_rate": (9, 9)}, tenant="other-bank"))
        hub.record_indicators(snapshot("team-b", "on", {"copilot.acceptance_rate": (0, 5)},
                                       window_start=1_700_000_000, received_at=1))  # an older window: over
        operator = await client.get("/api/indicators", headers=bearer(OPERATOR_A))
        anonymous = await client.get("/api/indicators")
        manager = await (await client.get("/api/indicators", headers=bearer(MANAGER_A))).json()
        admin = await (await client.get("/api/indicators", headers=bearer(ADMIN))).json()
        return operator.status, anonymous.status, manager, admin

    operator, anonymous, manager, admin = run(scenario)
    assert (operator, anonymous) == (403, 401)
    assert manager["team"] == "team-a"
    assert [(s["team_id"], s["arm"]) for s in manager["by_arm"]] == [("team-a", "off"), ("team-a", "on")]
    [acceptance] = manager["current"]
    assert acceptance["value"] == 0.6 and (acceptance["numerator"], acceptance["denominator"]) == (6, 10)
    assert [p["values"]["copilot.acceptance_rate"] for p in manager["series"]] == [0.75, 0.6]  # over time
    assert admin["current"][0]["value"] == 7 / 20  # both teams of the tenant, the other tenant's left out


def test_combining_arms_weights_each_by_its_denominator():
    from services.console.logic import combine

    merged = combine([snapshot("t", "on", {"x.rate": (1, 2), "x.none": (0, 0)}),
                      snapshot("t", "off", {"x.rate": (3, 8), "x.none": (0, 0)})])
    assert merged["x.rate"]["value"] == 4 / 10 and merged["x.none"]["value"] is None


def test_the_operator_sees_what_compliance_says_is_still_owed():
    from seatcopilot import views
    from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp

    state = cp.CallComplianceState(call=ev.CallRef(call_id="call-a", tenant="harbor", scenario=2, operator_id="op-a",
                                                   team_id="team-a"),
                                   operator_turns=3)
    state.obligations.add(id="TILA-APR", status=cp.OBLIGATION_STATUS_OWED, due_within_operator_turns=5,
                          owed_since_turn=1)
    state.obligations.add(id="RECORDING", status=cp.OBLIGATION_STATUS_GIVEN, given_seq=2)
    state.obligations.add(id="CEASE-ACK", status=cp.OBLIGATION_STATUS_NOT_TRIGGERED)
    state.obligations.add(id="MINI-MIRANDA", status=cp.OBLIGATION_STATUS_OVERDUE, overdue_seq=7)

    async def scenario(client, hub, audit, published):
        hub.add(views.compliance_state_view(state))
        mine = await (await client.get("/api/calls/call-a", headers=bearer(OPERATOR_A))).json()
        other = await client.get("/api/calls/call-a", headers=bearer(OPERATOR_B))
        return mine, other.status, hub.calls[("harbor", "call-a")].owed

    mine, other, owed = run(scenario)
    [view_] = [e for e in mine["events"] if e["kind"] == "compliance_state"]
    assert [(o["id"], o["status"], o["turns_left"]) for o in view_["obligations"]] == [
        ("TILA-APR", "OWED", 3), ("RECORDING", "GIVEN", None), ("MINI-MIRANDA", "OVERDUE", None)]
    assert other == 404 and owed == ["TILA-APR", "MINI-MIRANDA"]


def test_a_wrapup_review_carries_the_operators_disposition():
    async def scenario(client, hub, audit, published):
        url, headers = "/api/calls/call-a/feedback", bearer(OPERATOR_A)
        edited = await client.post(url, headers=headers, json={
            "seq": 9, "action": "edited", "subject": "wrapup", "edited_text": "Promised $90 on Friday.",
            "disposition": "promise_to_pay"})
        bad = await client.post(url, headers=headers, json={"seq": 9, "action": "accepted", "subject": "wrapup",
                                                           "disposition": "not a code!"})
        suggestion = await client.post(url, headers=headers, json={"seq": 1, "action": "accepted",
                                                                  "disposition": "IGNORED"})
        return edited.status, bad.status, suggestion.status, [body for _, _, body in published]

    edited, bad, suggestion, bodies = run(scenario)
    assert (edited, bad, suggestion) == (201, 400, 201)
    assert bodies[0]["disposition"] == "PROMISE_TO_PAY" and bodies[0]["edited_text"] == "Promised $90 on Friday."
    assert bodies[1]["disposition"] == ""  # only a wrap-up review carries one


def test_manager_summaries_are_for_managers_and_confined_to_their_team():
    from seatcopilot import views
    from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

    def report(tenant, team, calls):
        message = sm.ManagerReport(tenant=tenant, team_id=team)
        message.teams.add(scope="team", id=team, tenant=tenant, calls=calls)
        return views.manager_report_view(message)

    async def scenario(client, hub, audit, published):
        for view_ in (report("harbor", "team-a", 1), report("harbor", "team-a", 2), report("harbor", "team-b", 5),
                      report("other-bank", "team-a", 7)):
            hub.record_manager_report(view_)
        operator = await client.get("/api/manager/reports", headers=bearer(OPERATOR_A))
        manager = await (await client.get("/api/manager/reports", headers=bearer(MANAGER_A))).json()
        admin = await (await client.get("/api/manager/reports", headers=bearer(ADMIN))).json()
        return operator.status, manager, admin

    status, manager, admin = run(scenario)
    assert status == 403
    assert [(r["team_id"], r["teams"][0]["calls"]) for r in manager["reports"]] == [("team-a", 2)]  # the latest
    assert [(r["team_id"], r["teams"][0]["calls"]) for r in admin["reports"]] == [("team-a", 2), ("team-b", 5)]


def test_dev_login_mints_tokens_only_when_enabled():
    async def scenario(client, hub, audit, published):
        login = await client.post("/api/dev/login",
                                  json={"role": "operator", "tenant": "harbor", "operator_id": "op-a"})
        token = (await login.json())["access_token"]
        me = await (await client.get("/api/me", headers={"Authorization": "Bearer " + token})).json()
        incomplete = await client.post("/api/dev/login", json={"role": "manager", "tenant": "harbor"})
        return me, incomplete.status

    me, incomplete = run(scenario)
    assert me["operator_id"] == "op-a" and me["role"] == "operator"
    assert incomplete == 400
    with pytest.raises(Exception, match="disabled"):
        Authenticator().dev_token(OPERATOR_A)


def test_sse_streams_only_visible_calls_and_resumes_from_last_event_id():
    async def scenario(client, hub, audit, published):
        await client.post("/api/session", headers=bearer(OPERATOR_A))  # sets the stream's cookie
        response = await client.get("/api/events", headers={"Last-Event-ID": "1"})
        body = b""
        while b"id: 2" not in body:
            body += await response.content.readany()
        hub.add(view(seq=4, call_id="call-b", operator_id="op-b", team_id="team-b"))
        hub.add(view(seq=5, call_id="call-a"))
        while b"id: 5" not in body:
            body += await response.content.readany()
        response.close()
        client.session.cookie_jar.clear()
        anonymous = await client.get("/api/events")
        streamed = [(e["call_id"], e["subject"]) for e in audit.entries if e["action"] == "stream"]
        return body.decode(), anonymous.status, streamed

    body, anonymous, streamed = run(scenario)
    assert "id: 2" in body and "id: 1\n" not in body and "id: 5" in body
    assert "call-b" not in body
    assert streamed == [("call-a", "ava")]  # once per call and stream, only for what was sent
    assert anonymous == 401


def test_owed_obligations_follow_compliances_live_state_on_the_bus():
    """Compliance publishes a call's state each time it changes; the console shows what is still owed."""
    from seatcopilot import codec
    from seatcopilot.policy import load_policies
    from seatcopilot.stage_io import StageIO
    from seatcopilot.topics import COMPLIANCE_STATE, TRANSCRIPT
    from seatcopilot.transport import InProcessTransport

    from services.compliance import kafka_adapter as compliance_adapter
    from services.compliance.logic import ComplianceEngine
    from services.console import kafka_adapter as console_adapter

    async def scenario():
        bus, hub = InProcessTransport(), ConsoleHub()
        states = bus.tap(COMPLIANCE_STATE.name)
        compliance_adapter.attach(StageIO("compliance", bus), ComplianceEngine(load_policies()))
        console_adapter.attach(StageIO("console", bus), hub)
        await bus.start()
        owed_after = {}
        for event in load_call("collections_call.jsonl")[:8]:
            await bus.publish(TRANSCRIPT.name, event.call_id, codec.encode(event))
            await bus.join()
            owed_after[event.seq] = list(hub.calls[(event.tenant, event.call_id)].owed)
        await bus.stop()
        return owed_after, states.qsize(), hub

    owed_after, published, hub = run_async(scenario)
    assert "FDCPA-MINI-MIRANDA" in owed_after[1] and "FDCPA-MINI-MIRANDA" not in owed_after[8]  # given at seq 8
    assert published < 8  # only changes are published (the customer's turns change nothing here)
    history = hub.call_history("harbor", "call-collections-0001")
    [latest] = [v for _, v in history if v["kind"] == "compliance_state"][-1:]
    assert latest["operator_id"] == "op-dan" and latest["team_id"]
    assert {"id": "FDCPA-MINI-MIRANDA", "status": "GIVEN"}.items() <= next(
        o for o in latest["obligations"] if o["id"] == "FDCPA-MINI-MIRANDA").items()


def run_async(scenario):
    return asyncio.run(scenario())


def test_the_floor_gets_the_stage_and_the_customers_mood_only_when_they_change():
    from seatcopilot import codec
    from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
    from seatcopilot.stage_io import StageIO
    from seatcopilot.topics import CLASSIFIED, TRANSCRIPT
    from seatcopilot.transport import InProcessTransport

    from services.console import kafka_adapter as console_adapter

    turns = [("CUSTOMER", "Hi, I have a question.", "discovery"), ("OPERATOR", "Sure.", ""),
             ("CUSTOMER", "This is wrong and I'm frustrated.", "discovery"),
             ("CUSTOMER", "That's ridiculous, a terrible late fee.", "resolution")]

    async def scenario():
        bus, hub = InProcessTransport(), ConsoleHub()
        console_adapter.attach(StageIO("console", bus), hub)
        await bus.start()
        for seq, (speaker, text, stage) in enumerate(turns, start=1):
            event = make_event(call_id="call-m", seq=seq, speaker=speaker, text=text, operator_id="op-a",
                               team_id="team-a")
            await bus.publish(TRANSCRIPT.name, "call-m", codec.encode(event))
            classified = classified_event(event, classification=cl.Classification(stage=stage))
            await bus.publish(CLASSIFIED.name, "call-m", codec.encode(classified))
            await bus.join()
        await bus.stop()
        return hub

    hub = run_async(scenario)
    live = [v for _, v in hub.call_history("harbor", "call-m") if v["kind"] == "live"]
    call = hub.calls[("harbor", "call-m")]
    assert (call.stage, call.sentiment) == ("resolution", "negative")
    assert [(v["stage"], v["sentiment"]) for v in live] == [  # the operator's turn and the same mood: nothing
        ("discovery", "unknown"), ("discovery", "negative"), ("resolution", "negative")]
    assert live[0]["operator_id"] == "op-a"


def test_sentiment_cues_and_mood():
    from seatcopilot import sentiment

    cues = sentiment.load_cues()
    assert sentiment.score("Thanks, that works.", cues) > 0 and sentiment.score("This is not helpful.", cues) < 0
    assert sentiment.score("My account number.", cues) is None
    assert sentiment.mood([]) == "unknown" and sentiment.mood([1, -1, -1, -1]) == "negative"


def test_the_manager_sees_alerts_per_call_and_the_false_alarm_rate_per_rule():
    async def scenario(client, hub, audit, published):
        hub.add(view(kind="alert", seq=3, call_id="call-a", rule_ids=["R2"]))
        hub.add(view(kind="alert", seq=4, call_id="call-a", rule_ids=["R1"]))
        hub.add(view(kind="alert", seq=2, call_id="call-b", operator_id="op-b", team_id="team-b", rule_ids=["R1"]))
        url, headers = "/api/calls/call-a/feedback", bearer(OPERATOR_A)
        for _ in range(2):  # marked twice: one false alarm still
            await client.post(url, headers=headers, json={"seq": 2, "subject": "alert", "action": "not_a_violation",
                                                          "rule_id": "R1"})
        await client.post(url, headers=headers, json={"seq": 4, "subject": "alert", "action": "not_a_violation",
                                                      "rule_id": "R9"})  # no R9 alert on the call: not counted
        path = "/api/manager/alert-quality"
        return {who.subject: (response.status, await response.json() if response.status == 200 else None)
                for who in (MANAGER_A, ADMIN, OPERATOR_A)
                for response in [await client.get(path, headers=bearer(who))]}

    got = run(scenario)
    status, team_a = got["mia"]
    assert status == 200 and team_a["team"] == "team-a"
    assert (team_a["calls"], team_a["alerts"], team_a["alerts_per_call"], team_a["not_a_violation"]) == (1, 3, 3.0, 1)
    assert [(r["rule_id"], r["alerts"], r["not_a_violation"], r["false_alarm_rate"]) for r in team_a["rules"]] == [
        ("R1", 2, 1, 0.5), ("R2", 1, 0, 0.0)]  # the rule that needs work first
    status, tenant = got["root"]
    assert (tenant["calls"], tenant["alerts"], tenant["alerts_per_call"]) == (2, 4, 2.0)
    assert {r["rule_id"]: r["false_alarm_rate"] for r in tenant["rules"]}["R1"] == 1 / 3
    assert got["ava"] == (403, None)


def test_an_overdue_obligation_marked_said_counts_as_its_false_alarm():
    # "this call is recorded" said in other words, then reported overdue: the operator's "It was said"
    async def scenario(client, hub, audit, published):
        hub.add(view(kind="alert", seq=5, call_id="call-a", rule_ids=["RECORDING-NOTICE"],
                     alert_kind="OBLIGATION_OVERDUE"))
        marked = await client.post("/api/calls/call-a/feedback", headers=bearer(OPERATOR_A), json={
            "seq": 5, "subject": "alert", "action": "not_a_violation", "rule_id": "RECORDING-NOTICE"})
        quality = await client.get("/api/manager/alert-quality", headers=bearer(MANAGER_A))
        return marked.status, await quality.json()

    status, quality = run(scenario)
    assert status == 201
    rows = {r["rule_id"]: (r["alerts"], r["not_a_violation"], r["false_alarm_rate"]) for r in quality["rules"]}
    assert rows["RECORDING-NOTICE"] == (1, 1, 1.0) and quality["rules"][0]["rule_id"] == "RECORDING-NOTICE"


def test_managers_read_the_call_notes_the_summarizer_composed_from_the_call_state():
    """Manager guidance end to end: a wrap-up's manager note (summarizer, from the call's state) reaches the
    team's report, and the console API hands it to that team's manager only."""
    from seatcopilot import views

    from services.classifier.dialogue import DialogueStates

    lines = [("CALL_STARTED", "OPERATOR", "", ""),
             ("UTTERANCE", "CUSTOMER", "My hours got cut, I can pay one fifty on the fifth.", "promise_to_pay"),
             ("CALL_ENDED", "OPERATOR", "", "")]
    summarizer_, states = summarizer(), DialogueStates()

    async def wrapup():
        out = None
        for event, intent in events(call_id="call-note", lines=lines, scenario="COLLECTIONS"):
            event.team_id = "team-a"
            out = await summarizer_.on_event(event, intent, states.observe(event)) or out
        return out

    report = summarizer_.record_wrapup(asyncio.run(wrapup()))

    async def scenario(client, hub, audit, published):
        hub.record_manager_report(views.manager_report_view(report))
        operator = await client.get("/api/manager/reports", headers=bearer(OPERATOR_A))
        manager = await (await client.get("/api/manager/reports", headers=bearer(MANAGER_A))).json()
        other = await (await client.get("/api/manager/reports", headers=bearer(MANAGER_B))).json()
        return operator.status, manager, other

    status, manager, other = run(scenario)
    assert status == 403 and other["reports"] == []
    (note,) = manager["reports"][0]["call_notes"]
    assert note["call_id"] == "call-note"
    assert "promise to pay $150 on " in note["text"] and "Customer situation: hardship." in note["text"]


def test_a_draft_shown_in_parts_counts_as_one_suggestion_on_the_floor():
    hub = ConsoleHub()
    hub.add(view(kind="suggestion", seq=3, call_id="call-a", text="First.", partial=True, part=1))
    hub.add(view(kind="suggestion", seq=3, call_id="call-a", text="First. Second.", partial=False, part=2))
    hub.add(view(kind="suggestion", seq=5, call_id="call-a", text="Another.", partial=False, part=1))
    assert hub.calls[("harbor", "call-a")].suggestions == 2
