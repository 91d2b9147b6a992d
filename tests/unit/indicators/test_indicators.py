"""The indicators stage: counters from events, indicators as ratios, windows, the bus and gRPC faces."""

import asyncio

import grpc
import pytest
from seatcopilot import codec
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.deadletter.v1 import deadletter_pb2
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.feedback.v1 import feedback_pb2 as fb
from seatcopilot.contracts.indicators.v1 import indicators_pb2, indicators_pb2_grpc
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import ALERTS, DEAD_LETTER, FEEDBACK, SUGGESTIONS, TRANSCRIPT
from seatcopilot.topics import INDICATORS as INDICATORS_TOPIC
from seatcopilot.transport import InProcessTransport

from services.indicators import grpc_adapter, kafka_adapter
from services.indicators.config import IndicatorsConfig
from services.indicators.definitions import BY_NAME, COUNTERS, INDICATORS, check_definitions
from services.indicators.logic import Attribution, Increment, IndicatorEngine, MemoryWindows
from services.indicators.stage import IndicatorsStage
from tests.helpers import make_event
from tests.helpers.grpc import serve

T0 = 1_790_000_000.0


def event(call_id, seq, type_, at, scenario="SERVICE", text="", **extra):
    e = make_event(call_id=call_id, seq=seq, type_=type_, speaker="OPERATOR", text=text, scenario=scenario, **extra)
    e.ts.FromNanoseconds(int((T0 + at) * 1e9))
    return e


def steered(call_id, seq, at, verdict=cp.VERDICT_PASS, tenant="harbor"):  # make_event's tenant
    s = cp.SteeredSuggestion(call=ev.CallRef(tenant=tenant, call_id=call_id, seq=seq),
                             compliance=cp.ComplianceVerdict(verdict=verdict))
    s.compliance.decided_at.FromNanoseconds(int((T0 + at) * 1e9))
    return s


def feedback(call_id, seq, action, at, tenant="harbor"):
    f = fb.Feedback(call=ev.CallRef(tenant=tenant, call_id=call_id, seq=seq), action=action)
    f.ts.FromNanoseconds(int((T0 + at) * 1e9))
    return f


def totals(increments):
    summed = {}
    for increment in increments:
        if increment is None:
            continue
        for name, value in increment.counters.items():
            summed[name] = summed.get(name, 0.0) + value
    return summed


def test_every_indicator_is_defined_over_known_counters_with_unit_and_direction():
    check_definitions()
    assert {i.scenario for i in INDICATORS} == {"SALES", "SERVICE", "COLLECTIONS", "COMPLIANCE", "COPILOT"}
    for indicator in INDICATORS:
        assert indicator.unit and indicator.direction in ("higher_is_better", "lower_is_better")
        assert {indicator.numerator, indicator.denominator} <= set(COUNTERS)
    assert BY_NAME["compliance.violations_per_100_calls"].formula == "100 × (violations / calls)"
    assert BY_NAME["compliance.disclosures_on_time"].value({"calls": 4, "calls_disclosure_late": 1}) == 0.75
    assert BY_NAME["sales.conversion"].value({"loans_booked": 3}) is None


def test_service_call_counts_handle_time_transfer_after_call_work_and_no_first_contact_resolution():
    engine = IndicatorEngine({"RECORDING-NOTICE"})
    got = totals([engine.observe_event(event("s1", 1, "CALL_STARTED", 0)),
                  engine.observe_event(event("s1", 2, "TRANSFER", 100, transfer_to_role="ROLE_SUPERVISOR")),
                  engine.observe_event(event("s1", 3, "CALL_ENDED", 300)),
                  engine.observe_event(event("s1", 4, "DISPOSITION", 345, text="RESOLVED")),
                  engine.observe_event(event("s1", 5, "DISPOSITION", 400, text="RESOLVED"))])  # counted once
    assert got == {"calls": 1, "service_calls": 1, "service_handle_seconds": 300, "service_transfers": 1,
                   "service_dispositioned": 1, "service_acw_seconds": 45}


def test_sales_amount_and_collections_promise_kept_when_the_outcome_arrives():
    engine = IndicatorEngine(set())
    sales = totals([engine.observe_event(event("a", 1, "CALL_ENDED", 10, scenario="SALES")),
                    engine.observe_event(event("a", 2, "DISPOSITION", 20, scenario="SALES", text="LOAN_BOOKED 12000"))])
    assert sales == {"calls": 1, "sales_calls": 1, "applications": 1, "application_amount": 12000, "loans_booked": 1}
    collections = totals([
        engine.observe_event(event("c", 1, "CALL_ENDED", 10, scenario="COLLECTIONS")),
        engine.observe_event(event("c", 2, "DISPOSITION", 20, scenario="COLLECTIONS", text="PROMISE_TO_PAY")),
        engine.observe_event(event("c", 3, "DISPOSITION", 86_400 * 3, scenario="COLLECTIONS", text="PROMISE_KEPT")),
        engine.observe_event(event("c", 4, "DISPOSITION", 86_400 * 4, scenario="COLLECTIONS", text="PROMISE_KEPT"))])
    assert collections == {"calls": 1, "collections_calls": 1, "right_party_contacts": 1, "promises": 1,
                           "promises_resolved": 1, "promises_kept": 1}
    wrong = totals([engine.observe_event(event("w", 1, "DISPOSITION", 5, scenario="COLLECTIONS", text="WRONG_PARTY"))])
    assert wrong == {}


def test_the_code_the_summarizer_predicts_for_an_application_counts_as_one():
    from services.summarizer.compose import DISPOSITIONS

    predicted = dict((code, intents) for intents, code in DISPOSITIONS)
    assert "ready_to_apply" in predicted["APPLICATION_STARTED"]
    engine = IndicatorEngine(set())
    started = totals([engine.observe_event(event("s", 1, "CALL_ENDED", 10, scenario="SALES")),
                      engine.observe_event(event("s", 2, "DISPOSITION", 20, scenario="SALES",
                                                 text="APPLICATION_STARTED"))])
    assert started["applications"] == 1 and "loans_booked" not in started


def test_alerts_split_into_violations_and_late_disclosures_once_per_call():
    engine = IndicatorEngine({"RECORDING-NOTICE"})
    engine.observe_event(event("s", 1, "CALL_STARTED", 0, arm="on", experiment_id="x"))
    first = engine.observe_alert(cp.Alert(call=ev.CallRef(tenant="harbor", call_id="s"),
                                          rule_ids=["RECORDING-NOTICE", "UDAAP-NO-FEES"]), T0)
    second = engine.observe_alert(cp.Alert(call=ev.CallRef(tenant="harbor", call_id="s"),
                                           rule_ids=["RECORDING-NOTICE"]), T0)
    assert first.counters == {"violations": 1, "calls_disclosure_late": 1}
    assert first.who.arm == "on" and first.who.experiment_id == "x"
    assert second is None


def test_an_alert_read_before_its_calls_events_keeps_the_arm_it_carries():
    # Alerts and call events come on different topics: either may be read first.
    engine = IndicatorEngine(set())
    early = engine.observe_alert(cp.Alert(call=ev.CallRef(call_id="e", tenant="harbor", team_id="t1",
                                                          experiment_id="x", arm="brief"),
                                          rule_ids=["UDAAP-NO-FEES"]), T0)
    assert early.who == Attribution("harbor", "t1", "", "x", "brief")
    assert early.counters == {"violations": 1}


def test_suggestions_shown_and_time_to_accept_and_bad_feedback_is_refused():
    engine = IndicatorEngine(set())
    assert engine.observe_suggestion(steered("s", 2, 10, cp.VERDICT_BLOCKED)) is None
    assert engine.observe_suggestion(steered("s", 3, 10)).counters == {"suggestions_shown": 1}
    accepted = engine.observe_feedback(feedback("s", 3, fb.ACTION_ACCEPTED, 14.5))
    assert accepted.counters == {"suggestions_accepted": 1, "suggestions_acted_timed": 1, "accept_seconds": 4.5}
    with pytest.raises(ValueError):
        engine.observe_feedback(feedback("s", 3, fb.ACTION_EDITED, 20))  # already counted
    with pytest.raises(LookupError):
        engine.observe_feedback(feedback("s", 2, fb.ACTION_ACCEPTED, 20))  # blocked: never shown


def test_two_tenants_with_the_same_call_id_are_two_calls():
    # platforms choose call ids, so two tenants may send the same one
    engine = IndicatorEngine(set())
    engine.observe_event(event("same", 1, "CALL_STARTED", 0, scenario="SALES", tenant="harbor"))
    engine.observe_event(event("same", 1, "CALL_STARTED", 0, scenario="SERVICE", tenant="meridian"))
    ended = engine.observe_event(event("same", 2, "CALL_ENDED", 60, scenario="SERVICE", tenant="meridian"))
    assert ended.who.tenant == "meridian" and ended.counters["service_calls"] == 1
    assert engine.observe_event(event("same", 2, "CALL_ENDED", 90, scenario="SALES", tenant="harbor")) is not None
    assert engine.observe_suggestion(steered("same", 3, 10, tenant="harbor")) is not None
    with pytest.raises(LookupError):  # shown to harbor's operator, not meridian's
        engine.observe_feedback(feedback("same", 3, fb.ACTION_ACCEPTED, 12, tenant="meridian"))
    assert engine.observe_feedback(feedback("same", 3, fb.ACTION_ACCEPTED, 12)).who.tenant == "harbor"


def test_tumbling_windows_keep_the_current_window_per_group():
    store = MemoryWindows(window_s=60, keep=2)
    who = Attribution("harbor", "team-a", "op-1", "x", "on")
    store.add(Increment(T0 + 1, who, {"calls": 1}))
    store.add(Increment(T0 + 61, who, {"calls": 2}))
    store.add(Increment(T0 + 62, who, {"calls": 1}))
    start, groups = store.current()
    assert start == (T0 + 61) - (T0 + 61) % 60
    assert groups == {("harbor", "team-a", "x", "on"): {"calls": 3}}


def stage():
    return IndicatorsStage.build(IndicatorsConfig(publish_interval_s=3600))


def test_on_the_bus_snapshots_are_published_and_unknown_feedback_is_dead_lettered():
    async def scenario():
        bus, indicators = InProcessTransport(), stage()
        io = StageIO("indicators", bus)
        kafka_adapter.attach(io, indicators)
        published, letters = bus.tap(INDICATORS_TOPIC.name), bus.tap(DEAD_LETTER.name)
        await bus.start()
        for e in (event("s", 1, "CALL_STARTED", 0), event("s", 2, "CALL_ENDED", 120),
                  event("s", 3, "DISPOSITION", 150, text="RESOLVED")):
            await bus.publish(TRANSCRIPT.name, "s", codec.encode(e))
        await bus.publish(SUGGESTIONS.name, "s", codec.encode(steered("s", 7, 30)))
        await bus.publish(ALERTS.name, "s", codec.encode(cp.Alert(call=ev.CallRef(tenant="harbor", call_id="s"),
                                                                  rule_ids=["UDAAP-NO-FEES"])))
        await bus.publish(FEEDBACK.name, "s", codec.encode(feedback("s", 99, fb.ACTION_ACCEPTED, 40)))
        await bus.join()
        assert await kafka_adapter.publish_snapshots(io, indicators) == 1
        await bus.stop()
        return codec.decode(published.get_nowait().value, indicators_pb2.IndicatorSnapshot), letters

    snapshot, letters = asyncio.run(scenario())
    values = {v.name: v for v in snapshot.values}
    assert snapshot.team_id == "team-test" and snapshot.arm == "unassigned"
    assert values["service.handle_time"].value == 120 and values["service.first_contact_resolution"].value == 1
    assert values["compliance.violations_per_100_calls"].value == 100
    assert values["copilot.suggestions_shown_per_call"].value == 1
    assert not values["copilot.acceptance_rate"].defined or values["copilot.acceptance_rate"].value == 0
    letter = codec.decode(letters.get_nowait().value, deadletter_pb2.DeadLetter)
    assert letter.reason == "unknown_suggestion" and letter.stage == "indicators"
    samples = {s.labels["indicator"]: s.value for m in kafka_adapter.VALUES.collect() for s in m.samples}
    assert samples["service.handle_time"] == 120


def test_grpc_returns_the_current_indicators_filtered_by_team():
    async def scenario():
        indicators = stage()
        for e in (event("g", 1, "CALL_STARTED", 0), event("g", 2, "CALL_ENDED", 60)):
            indicators.record(indicators.engine.observe_event(e))
        server, _, target = await serve(lambda s: grpc_adapter.register(s, indicators), [grpc_adapter.SERVICE_NAME])
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = indicators_pb2_grpc.IndicatorsServiceStub(channel)
                mine = await stub.GetIndicators(indicators_pb2.GetIndicatorsRequest(team_id="team-test"), timeout=2)
                other = await stub.GetIndicators(indicators_pb2.GetIndicatorsRequest(team_id="team-x"), timeout=2)
        finally:
            await server.stop(0)
        return mine, other

    mine, other = asyncio.run(scenario())
    assert len(mine.snapshots) == 1 and not other.snapshots
    values = {v.name: v.value for v in mine.snapshots[0].values}
    assert values["service.handle_time"] == 60
