"""The summarizer's call state, role-shaped handovers, wrap-ups, model-narrative verification and
manager summaries, on the in-process transport (tests/integration covers Kafka and Triton)."""

import asyncio

import pytest
from seatcopilot.config import load
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.transport import InProcessTransport

from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from services.summarizer.lexicon import load_lexicon
from services.summarizer.state import apply_alert, apply_compliance_state, apply_event, new_state, sentiment_trend
from tests.helpers import classified_event
from tests.helpers.summarizer import CALL, ScriptedModel, events, run, summarizer

LEXICON = load_lexicon()


def given_by_compliance(call_id="call-sum-1", given=("RECORDING-NOTICE", "GLBA-VERIFY-IDENTITY")):
    """Compliance's published state of the call: it owns which disclosures were given."""
    return cp.CallComplianceState(call=ev.CallRef(call_id=call_id, tenant="harbor", scenario=ev.SCENARIO_SERVICE),
                                  obligations=[
        cp.ObligationState(id=i, status=cp.OBLIGATION_STATUS_GIVEN) for i in given])


def alert(call_id="call-sum-1", seq=6, rules=("UDAAP-OUTCOME-PROMISE",), operator="op-test"):
    return cp.Alert(call=ev.CallRef(call_id=call_id, tenant="harbor", seq=seq, operator_id=operator,
                                    team_id="team-test", scenario=ev.SCENARIO_SERVICE),
                    rule_ids=list(rules), severity=cp.SEVERITY_HIGH)


# -- call state ------------------------------------------------------------------------------------

def test_call_state_holds_facts_commitments_disclosures_open_items_and_sentiment():
    state = new_state("call-sum-1")
    for event, intent in events()[:-1]:
        assert apply_event(state, event, intent, LEXICON, max_turns=50)
    assert [(p.amount, p.date) for p in state.promises] == [("$150", "December 5th")]
    assert not state.disclosures_given  # the summarizer does not judge disclosures: compliance does
    assert apply_compliance_state(state, given_by_compliance())
    assert not apply_compliance_state(state, given_by_compliance())  # a redelivered state adds nothing
    assert {"RECORDING-NOTICE", "GLBA-VERIFY-IDENTITY"} <= set(state.disclosures_given)
    assert {f.value for f in state.facts if f.kind == "amount"} == {"$89.99", "$150"}
    assert "March 14th, 1988" not in {f.value for f in state.facts}  # a date of birth is not a fact of the call
    assert {o.kind for o in state.open_items} == {"customer_request", "operator_commitment"}
    assert "disputed charge: investigation open" in [o.text for o in state.open_items]
    assert state.intents[:2] == ["transaction_dispute", "identity_verification"]
    assert sentiment_trend(state) in {"improving", "steady", "worsening"} and len(state.sentiment) >= 2


def test_a_redelivered_event_or_alert_changes_nothing():
    state = new_state("call-sum-1")
    pairs = events()[:-1]
    for event, intent in pairs:
        apply_event(state, event, intent, LEXICON, max_turns=50)
    before = state.SerializeToString()
    assert not apply_event(state, pairs[-1][0], pairs[-1][1], LEXICON, max_turns=50)
    assert apply_alert(state, alert()) and not apply_alert(state, alert())
    assert len(state.compliance_events) == 1
    assert state.customer_turns == 4 and before != state.SerializeToString()


def test_a_relative_promise_date_is_pinned_down_by_the_operators_confirmation():
    lines = [("UTTERANCE", "CUSTOMER", "I get paid at the end of the month. I could do $200 on the 1st of next month.",
              "promise_to_pay"),
             ("UTTERANCE", "OPERATOR", "That works. I've noted a payment of $200 on December 1st.", "")]
    outputs = summarizer()
    run(outputs, events(lines=lines, scenario="COLLECTIONS"))
    (promise,) = outputs.state("harbor", "call-sum-1").promises
    assert promise.amount == "$200" and promise.date == "the 1st of next month (December 1st)"


# -- handover summaries ----------------------------------------------------------------------------

def test_a_transfer_produces_a_role_shaped_handover_with_the_promise_and_the_disclosures():
    summarizer_ = summarizer()
    summarizer_.on_alert(alert())
    summarizer_.on_compliance_state(given_by_compliance())
    (handover,) = run(summarizer_, events(role="COLLECTIONS"))
    assert handover.kind == sm.SUMMARY_KIND_HANDOVER and handover.target_role == ev.ROLE_COLLECTIONS
    assert [(p.amount, p.date) for p in handover.promises] == [("$150", "December 5th")]
    assert "promise to pay $150 on December 5th" in handover.commitments
    assert {"RECORDING-NOTICE", "GLBA-VERIFY-IDENTITY"} <= set(handover.disclosures_given)
    assert list(handover.disclosures_owed) == ["FDCPA-MINI-MIRANDA"]  # owed in the receiving role
    assert handover.compliance_rule_ids == ["UDAAP-OUTCOME-PROMISE"]
    lines = handover.text.splitlines()
    assert lines[0].startswith("Handover to collections from service")
    assert lines[2].startswith("Promises to pay: $150 on December 5th")  # collections reads promises first
    assert "Still owed as collections: FDCPA-MINI-MIRANDA" in handover.text
    assert handover.next_actions[0] == "Give first: FDCPA-MINI-MIRANDA."
    assert handover.generated_by == "call_state" and handover.fallback_reason == "model_disabled"


def test_each_receiving_role_reads_the_call_in_its_own_order():
    texts = {}
    for role in ("SALES", "SERVICE", "COLLECTIONS", "SUPERVISOR"):
        summarizer_ = summarizer()
        summarizer_.on_alert(alert())
        (handover,) = run(summarizer_, events(role=role))
        texts[role] = handover.text.splitlines()[2]
    assert texts["COLLECTIONS"].startswith("Promises to pay")
    assert texts["SUPERVISOR"].startswith("Compliance events: UDAAP-OUTCOME-PROMISE (HIGH, turn 6)")
    assert texts["SALES"].startswith("Products discussed")
    assert texts["SERVICE"].startswith("Open items: disputed charge")
    assert len(set(texts.values())) == 4


def test_a_handover_on_demand_needs_a_known_call():
    summarizer_ = summarizer()
    run(summarizer_, events()[:5])
    handover = asyncio.run(summarizer_.handover("harbor", "call-sum-1", ev.ROLE_SUPERVISOR))
    assert handover.target_role == ev.ROLE_SUPERVISOR and handover.call.seq == 5
    with pytest.raises(LookupError):
        asyncio.run(summarizer_.handover("harbor", "call-unknown", ev.ROLE_SUPERVISOR))


# -- the model's narrative, verified ------------------------------------------------------------------

def test_model_sentences_with_facts_not_in_the_call_are_removed_and_kept_apart():
    model = ScriptedModel("The customer disputed a charge of $89.99 on their card. "
                          "The customer promised to pay $450 on January 9th. "
                          "I'm happy to help you with your loan today. "
                          "The customer lost their job and can pay $150 on December 5th.")
    (handover,) = run(summarizer(model), events())
    assert handover.generated_by == "model:scripted-test"
    assert "$89.99" in handover.narrative and "$150 on December 5th" in handover.narrative
    assert "$450" not in handover.text and "January" not in handover.text
    assert list(handover.unverified_sentences) == ["The customer promised to pay $450 on January 9th.",
                                                   "I'm happy to help you with your loan today."]
    request = model.requests[0]
    assert request.repetition_penalty == 1.0
    assert "Customer: I can pay $150 on December 5th" in request.messages[1]["content"]


@pytest.mark.parametrize(("model", "reason"), [
    (ScriptedModel("The caller wants a mortgage for a boat in Paris next Tuesday."), "model_unverified"),
    (ScriptedModel(error=ConnectionError("down")), "model_unavailable"),
    (ScriptedModel("late", delay=1.0), "model_deadline"),
])
def test_without_a_verified_model_narrative_the_call_state_tells_the_story(model, reason):
    from services.summarizer.verify import evidence_from_state, problem, split_sentences

    summarizer_ = summarizer(model, SUMMARIZER_MODEL_DEADLINE_S="0.2")
    (handover,) = run(summarizer_, events())
    assert handover.generated_by == "call_state" and handover.fallback_reason == reason
    assert "mortgage" not in handover.text and "Paris" not in handover.text
    assert "The customer promised to pay $150 on December 5th." in handover.narrative
    evidence = evidence_from_state(summarizer_.state("harbor", "call-sum-1"), LEXICON)  # the state's own story holds up
    assert [s for s in split_sentences(handover.narrative) if problem(s, evidence, LEXICON)] == []


# -- wrap-ups ---------------------------------------------------------------------------------------

def test_call_end_gives_a_wrapup_with_disposition_next_actions_and_handle_time():
    lines = [*CALL[:-1], ("CALL_ENDED", "OPERATOR", "", "")]
    summarizer_ = summarizer()
    (wrapup,) = run(summarizer_, events(lines=lines))
    assert wrapup.kind == sm.SUMMARY_KIND_WRAPUP and wrapup.disposition == "PROMISE_TO_PAY"
    assert wrapup.next_actions[0] == "Record the promise to pay $150 on December 5th and set a reminder."
    assert any("you'll get a new card by mail" in a for a in wrapup.next_actions)
    assert wrapup.handle_time_s == 80.0 and wrapup.ended_at.seconds == 1_795_000_090
    assert "Predicted disposition: PROMISE_TO_PAY." in wrapup.text
    state = summarizer_.state("harbor", "call-sum-1")
    assert state.ended and not state.turns and state.promises  # the transcript goes, the facts stay


# -- manager summaries ------------------------------------------------------------------------------

def wrapup_of(call_id, team, operators, ended, handle, scenario, disposition, events_=(), owed=()):
    summary = sm.Summary(call=ev.CallRef(call_id=call_id, tenant="harbor", team_id=team, operator_id=operators[-1],
                                         scenario=scenario),
                         kind=sm.SUMMARY_KIND_WRAPUP, operator_ids=operators, handle_time_s=handle,
                         disposition=disposition, disclosures_owed=list(owed))
    summary.ended_at.FromSeconds(ended)
    for operator, rules in events_:
        summary.compliance_events.add(operator_id=operator, rule_ids=rules, severity="HIGH")
    return summary


def test_manager_summaries_per_operator_and_team_over_a_window_with_coaching_notes():
    summarizer_ = summarizer()
    ledger = summarizer_.ledger
    base = 1_795_000_000
    ledger.add_wrapup(wrapup_of("c1", "team-a", ["op-1"], base + 100, 300, ev.SCENARIO_COLLECTIONS, "PROMISE_TO_PAY",
                                [("op-1", ["FDCPA-THREAT-ARREST"])]))
    ledger.add_wrapup(wrapup_of("c2", "team-a", ["op-1"], base + 200, 500, ev.SCENARIO_COLLECTIONS, "RESOLVED",
                                owed=["FDCPA-MINI-MIRANDA"]))
    ledger.add_wrapup(wrapup_of("c3", "team-a", ["op-2", "op-1"], base + 300, 100, ev.SCENARIO_SALES,
                                "APPLICATION_STARTED"))
    ledger.add_wrapup(wrapup_of("c4", "team-b", ["op-3"], base + 400, 60, ev.SCENARIO_SALES, "RESOLVED"))
    ledger.add_wrapup(wrapup_of("c0", "team-a", ["op-1"], base - 10_000, 60, ev.SCENARIO_SALES, "RESOLVED"))
    suggestion_feedback = fb.Feedback(call=ev.CallRef(call_id="c1", tenant="harbor"),
                                      subject=fb.SUBJECT_SUGGESTION, action=fb.ACTION_EDITED)
    assert summarizer_.record_feedback(suggestion_feedback) is None  # only wrap-up verdicts count here
    feedback = fb.Feedback(call=ev.CallRef(call_id="c2", tenant="harbor"),
                           subject=fb.SUBJECT_WRAPUP, action=fb.ACTION_EDITED, disposition="promise_to_pay")
    assert summarizer_.record_feedback(feedback).team_id == "team-a"

    report = summarizer_.manager_summary(base, base + 1000)
    teams = {t.id: t for t in report.teams}
    assert set(teams) == {"team-a", "team-b"}
    team_a = teams["team-a"]
    assert team_a.calls == 3 and team_a.handle_time_s_total == 900
    assert team_a.collections_calls == 2 and team_a.promises_to_pay == 2  # the edited disposition counts
    assert team_a.sales_calls == 1 and team_a.conversions == 1 and team_a.wrapups_edited == 1
    assert dict(team_a.rule_counts) == {"FDCPA-THREAT-ARREST": 1}
    assert dict(team_a.missed_disclosures) == {"FDCPA-MINI-MIRANDA": 1}
    operators = {o.id: o for o in report.operators}
    assert operators["op-1"].calls == 3 and operators["op-2"].calls == 1 and operators["op-2"].compliance_events == 0
    assert operators["op-1"].compliance_events == 1
    notes = " ".join(operators["op-1"].coaching_notes)
    assert "FDCPA-THREAT-ARREST raised 1 time(s): Never threaten arrest" in notes
    assert "FDCPA-MINI-MIRANDA never given on 1 of 3 call(s)" in notes
    only_b = summarizer_.manager_summary(base, base + 1000, team_id="team-b")
    assert [t.id for t in only_b.teams] == ["team-b"] and [o.id for o in only_b.operators] == ["op-3"]
    with pytest.raises(ValueError):
        summarizer_.manager_summary(base + 10, base)


def test_feedback_read_before_its_wrapup_is_applied_when_the_wrapup_arrives():
    ledger = summarizer().ledger
    ledger.add_feedback(fb.Feedback(call=ev.CallRef(call_id="c9", tenant="harbor"),
                                    subject=fb.SUBJECT_WRAPUP, action=fb.ACTION_ACCEPTED))
    record = ledger.add_wrapup(wrapup_of("c9", "t", ["op"], 1_795_000_000, 60, ev.SCENARIO_SERVICE, "RESOLVED"))
    assert record.feedback == fb.ACTION_ACCEPTED and record.disposition == "RESOLVED"


def test_a_wrapup_publishes_its_teams_report_on_the_bus():
    async def scenario():
        from seatcopilot.stage_io import StageIO
        from seatcopilot.topics import MANAGER_REPORTS, SUMMARIES

        from services.summarizer import kafka_adapter

        bus = InProcessTransport()
        summarizer_ = summarizer_main.build(load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none"}),
                                            bus.table("call-state"))
        kafka_adapter.attach(StageIO("summarizer", bus), summarizer_)
        reports, summaries = bus.tap(MANAGER_REPORTS.name), bus.tap(SUMMARIES.name)
        await bus.start()
        from seatcopilot import codec
        from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
        from seatcopilot.topics import CLASSIFIED

        for event, intent in events(lines=[*CALL[:-1], ("CALL_ENDED", "OPERATOR", "", "")]):
            classified = classified_event(event, classification=cl.Classification(intent=intent))
            await bus.publish(CLASSIFIED.name, event.call_id, codec.encode(classified))
        await bus.stop()
        return ([codec.decode(reports.get_nowait().value, sm.ManagerReport) for _ in range(reports.qsize())],
                summaries.qsize())

    reports, summary_count = asyncio.run(scenario())
    assert summary_count == 1 and len(reports) == 1
    (team,) = reports[0].teams
    assert team.id == "team-test" and team.calls == 1 and team.promises_to_pay == 0 and team.collections_calls == 0
    assert team.dispositions["PROMISE_TO_PAY"] == 1


def test_the_local_model_writes_a_narrative_that_holds_up_against_the_call():
    from seatcopilot.model_backends import shared_local_backend

    from services.summarizer.verify import evidence_from_state, problem, split_sentences

    summarizer_ = summarizer(shared_local_backend(), SUMMARIZER_MAX_TOKENS="16", SUMMARIZER_MODEL_DEADLINE_S="300")
    (handover,) = run(summarizer_, events())
    assert handover.prompt_version == "handover-summary/v1"
    assert handover.generated_by == "model:local" or handover.fallback_reason == "model_unverified"
    evidence = evidence_from_state(summarizer_.state("harbor", "call-sum-1"), LEXICON)
    assert all(not problem(s, evidence, LEXICON) for s in split_sentences(handover.narrative))
    assert not set(handover.unverified_sentences) & set(split_sentences(handover.narrative))


def test_transcript_lines_placeholders_and_repeats_from_the_model_are_not_reports():
    model = ScriptedModel("The customer: [PHONE] The customer: [EMAIL]. "
                          "The customer lost their job and can pay $150 on December 5th. "
                          "The customer lost their job and can pay $150 on December 5th.")
    (handover,) = run(summarizer(model), events())
    assert handover.narrative == "The customer lost their job and can pay $150 on December 5th."
    assert len(handover.unverified_sentences) == 2


def test_a_transfer_of_money_is_not_a_promise_to_pay_and_a_date_of_birth_is_not_the_opening():
    lines = [("UTTERANCE", "CUSTOMER", "Sure, it's July 2nd, 1985. What's this about?", "debt_dispute"),
             ("UTTERANCE", "CUSTOMER", "Send $1,630 to Amir's savings account please.", "promise_to_pay")]
    summarizer_ = summarizer()
    run(summarizer_, events(lines=lines))
    state = summarizer_.state("harbor", "call-sum-1")
    assert not state.promises
    narrative = asyncio.run(summarizer_.narrative(state, "a supervisor", "test")).text
    assert narrative.startswith('The customer said: "Send $1,630') and "1985" not in narrative


def test_an_amount_cut_by_a_redaction_placeholder_is_not_a_fact():
    from services.summarizer.facts import amounts_in

    assert amounts_in("Your account has $22,[ACCOUNT]. I can pay $1,630, or $200.") == ["$1,630", "$200"]


def test_each_tenant_is_held_to_its_own_policy_pack():
    summarizer_ = summarizer()
    assert {"harbor", "lakeshore"} <= set(summarizer_.policies)
    pairs = events(call_id="call-other")
    for event, _ in pairs:
        event.tenant = "bank-without-a-pack"
    (handover,) = run(summarizer_, pairs)
    assert not handover.disclosures_given and not handover.disclosures_owed  # nothing to judge it by
    assert [p.amount for p in handover.promises] == ["$150"]
