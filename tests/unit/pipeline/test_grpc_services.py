"""Each stage's gRPC face on a real in-process gRPC server: the work, the status codes, health."""

import asyncio
import time

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from seatcopilot import codec
from seatcopilot.contracts.compliance.v1 import compliance_pb2, compliance_pb2_grpc
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.intake.v1 import intake_pb2_grpc
from seatcopilot.contracts.summary.v1 import summary_pb2, summary_pb2_grpc
from seatcopilot.policy import load_policy
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import DEAD_LETTER, TRANSCRIPT
from seatcopilot.transport import InProcessTransport

from services.compliance import grpc_adapter as compliance_grpc
from services.compliance.logic import ComplianceEngine
from services.intake import grpc_adapter as intake_grpc
from services.intake.config import IntakeConfig
from services.intake.gateway import Gateway
from services.intake.logic import IntakeStage
from services.summarizer import grpc_adapter as summarizer_grpc
from services.summarizer import main as summarizer_main
from services.summarizer.config import SummarizerConfig
from tests.helpers import make_event
from tests.helpers.grpc import serve


def test_compliance_steers_over_grpc_and_rejects_bad_input():
    async def scenario():
        engine = ComplianceEngine(load_policy())
        server, _, target = await serve(lambda s: compliance_grpc.register(s, engine), [compliance_grpc.SERVICE_NAME])
        draft = gen.SuggestionDraft(call=ev.CallRef(call_id="c1", seq=1, tenant="harbor", scenario=ev.SCENARIO_SALES),
                                    text="It's basically guaranteed approval.")
        draft.deadline.FromNanoseconds(int((time.time() + 30) * 1e9))
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = compliance_pb2_grpc.ComplianceServiceStub(channel)
                steered = await stub.SteerDraft(draft, timeout=2)
                alerts = await stub.CheckEvent(make_event(call_id="c1", seq=2, speaker="OPERATOR",
                                                          text="no credit check needed"), timeout=2)
                state = await stub.GetCallState(compliance_pb2.CallStateRequest(call_id="c1"), timeout=2)
                errors = []
                for call in (stub.SteerDraft(gen.SuggestionDraft(text="hi"), timeout=2),
                             stub.SteerDraft(gen.SuggestionDraft(call=ev.CallRef(call_id="c1", tenant="harbor"),
                                                                 text="hi"), timeout=2),
                             stub.GetCallState(compliance_pb2.CallStateRequest(call_id="nope"), timeout=2)):
                    with pytest.raises(grpc.aio.AioRpcError) as error:
                        await call
                    errors.append((error.value.code(), error.value.details()))
        finally:
            await server.stop(0)
        return steered, alerts, state, errors

    steered, alerts, state, errors = asyncio.run(scenario())
    assert steered.compliance.verdict == compliance_pb2.VERDICT_REWRITTEN
    assert "UDAAP-GUARANTEED-APPROVAL" in steered.compliance.rule_ids
    assert [a.rule_ids[0] for a in alerts.alerts] == ["UDAAP-NO-CREDIT-CHECK", "RECORDING-NOTICE"]
    owed = {o.id: o.status for o in state.obligations}
    assert owed["RECORDING-NOTICE"] == compliance_pb2.OBLIGATION_STATUS_OVERDUE and state.operator_turns == 1
    assert [code for code, _ in errors] == [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT,
                                            grpc.StatusCode.NOT_FOUND]
    assert "call_id is required" in errors[0][1] and "needs a deadline" in errors[1][1]


def test_intake_answers_invalid_argument_with_the_reason():
    async def scenario():
        gateway = Gateway(IntakeStage(IntakeConfig()), StageIO("intake", InProcessTransport()))
        server, _, target = await serve(lambda s: intake_grpc.register(s, gateway), [intake_grpc.SERVICE_NAME])
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = intake_pb2_grpc.IntakeServiceStub(channel)
                ok = await stub.Ingest(make_event(seq=1), timeout=2)
                with pytest.raises(grpc.aio.AioRpcError) as error:
                    await stub.Ingest(make_event(seq=2, text=""), timeout=2)
        finally:
            await server.stop(0)
        return ok, error.value

    ok, error = asyncio.run(scenario())
    assert ok.accepted
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "needs text" in error.details()


def test_intake_streams_call_events_and_lists_each_refusal():
    events = [make_event(call_id="c-stream", seq=1, type_="CALL_STARTED", speaker="OPERATOR", text=""),
              make_event(call_id="c-stream", seq=2, text="my email is a.b@example.com"),
              make_event(call_id="c-stream", seq=3, text=""),
              make_event(call_id="c-stream", seq=2, text="my email is a.b@example.com"),
              make_event(call_id="c-stream", seq=3, type_="CALL_ENDED", speaker="OPERATOR", text=""),
              make_event(call_id="c-stream", seq=4, text="one more thing")]

    async def scenario():
        bus = InProcessTransport()
        transcript, letters = bus.tap(TRANSCRIPT.name), bus.tap(DEAD_LETTER.name)
        gateway = Gateway(IntakeStage(IntakeConfig()), StageIO("intake", bus))
        server, _, target = await serve(lambda s: intake_grpc.register(s, gateway), [intake_grpc.SERVICE_NAME])
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = intake_pb2_grpc.IntakeServiceStub(channel)
                reply = await stub.StreamCallEvents(iter(events), timeout=5)
                with pytest.raises(grpc.aio.AioRpcError) as ended:
                    await stub.Ingest(make_event(call_id="c-stream", seq=5, text="hello?"), timeout=2)
        finally:
            await server.stop(0)
        published = [codec.decode(transcript.get_nowait().value, ev.CallEvent) for _ in range(transcript.qsize())]
        return reply, ended.value, published, letters.qsize()

    reply, ended, published, letters = asyncio.run(scenario())
    assert (reply.received, reply.published, reply.duplicates) == (6, 3, 1)
    assert [(r.seq, r.reason) for r in reply.rejected] == [(3, "schema_violation"), (4, "call_ended")]
    assert [e.text for e in published] == ["", "my email is [EMAIL]", ""]
    assert ended.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert letters == 3


def test_summarizer_answers_summaries_state_and_manager_summaries_with_proper_codes():
    from seatcopilot.config import load

    async def scenario():
        summarizer = summarizer_main.build(load(SummarizerConfig, {"SUMMARIZER_BACKEND": "none"}),
                                           InProcessTransport().table("call-state"))
        for seq, (type_, speaker, text) in enumerate([
                ("CALL_STARTED", "OPERATOR", ""),
                ("UTTERANCE", "OPERATOR", "This call may be recorded. This is an attempt to collect a debt."),
                ("UTTERANCE", "CUSTOMER", "I can pay $120 on Friday.")], start=1):
            await summarizer.on_event(make_event(call_id="c-grpc", seq=seq, type_=type_, speaker=speaker, text=text,
                                                 scenario="COLLECTIONS"))
        # Which disclosures were given is compliance's to say (its published state), not the summarizer's.
        call = ev.CallRef(call_id="c-grpc", tenant="harbor", scenario=ev.SCENARIO_COLLECTIONS)
        given = compliance_pb2.ObligationState(id="FDCPA-MINI-MIRANDA", status=compliance_pb2.OBLIGATION_STATUS_GIVEN,
                                               given_seq=2)
        summarizer.on_compliance_state(compliance_pb2.CallComplianceState(call=call, operator_turns=1,
                                                                          obligations=[given]))
        server, _, target = await serve(lambda s: summarizer_grpc.register(s, summarizer),
                                        [summarizer_grpc.SERVICE_NAME])
        errors = []
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = summary_pb2_grpc.SummarizerServiceStub(channel)
                handover = await stub.Summarize(summary_pb2.SummarizeRequest(
                    call_id="c-grpc", tenant="harbor", target_role=ev.ROLE_SUPERVISOR), timeout=5)
                wrapup = await stub.Summarize(summary_pb2.SummarizeRequest(
                    call_id="c-grpc", tenant="harbor", kind=summary_pb2.SUMMARY_KIND_WRAPUP), timeout=5)
                state = await stub.GetCallState(summary_pb2.CallStateRequest(call_id="c-grpc", tenant="harbor"),
                                                timeout=5)
                report = await stub.ManagerSummary(summary_pb2.ManagerSummaryRequest(), timeout=5)
                bad_window = summary_pb2.ManagerSummaryRequest()
                bad_window.window_start.FromSeconds(2_000_000_000)
                bad_window.window_end.FromSeconds(1_000_000_000)
                for call in (stub.Summarize(summary_pb2.SummarizeRequest(call_id="nope", tenant="harbor"), timeout=5),
                             stub.Summarize(summary_pb2.SummarizeRequest(call_id="c-grpc", tenant="other-bank"),
                                            timeout=5),  # the same call id, another tenant: not found
                             stub.Summarize(summary_pb2.SummarizeRequest(), timeout=5),
                             stub.ManagerSummary(bad_window, timeout=5)):
                    with pytest.raises(grpc.aio.AioRpcError) as error:
                        await call
                    errors.append(error.value.code())
        finally:
            await server.stop(0)
        return handover, wrapup, state, report, errors

    handover, wrapup, state, report, errors = asyncio.run(scenario())
    assert handover.target_role == ev.ROLE_SUPERVISOR and [p.amount for p in handover.promises] == ["$120"]
    assert handover.text.splitlines()[2].startswith("Compliance events")
    assert wrapup.disposition == "PROMISE_TO_PAY" and "FDCPA-MINI-MIRANDA" in wrapup.disclosures_given
    assert state.last_seq == 3 and state.customer_turns == 1
    assert not report.teams  # nothing ended in the window
    assert errors == [grpc.StatusCode.NOT_FOUND, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT,
                      grpc.StatusCode.INVALID_ARGUMENT]


def test_health_follows_dependencies_and_goes_not_serving_on_shutdown():
    async def scenario():
        dependency = {"up": True}

        async def check():
            return dependency["up"]

        server, health, target = await serve(lambda s: None, ["svc.Example"], {"dep": check})
        statuses = []
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                stub = health_pb2_grpc.HealthStub(channel)

                async def status():
                    reply = await stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=2)
                    return reply.status

                statuses.append(await status())
                dependency["up"] = False
                await health.refresh()
                statuses.append(await status())
                dependency["up"] = True
                await health.refresh()
                statuses.append(await status())
                await health.shut_down()
                statuses.append(await status())
        finally:
            await server.stop(0)
        return statuses

    serving, not_serving = health_pb2.HealthCheckResponse.SERVING, health_pb2.HealthCheckResponse.NOT_SERVING
    assert asyncio.run(scenario()) == [serving, not_serving, serving, not_serving]


def test_undecodable_requests_are_invalid_argument_and_health_watch_still_streams():
    """DecodeGuard wraps every handler: garbage is the caller's error, and handlers that answer with
    context.write (health's Watch) or by yielding keep working."""
    async def scenario():
        engine = ComplianceEngine(load_policy())
        server, _, target = await serve(lambda s: compliance_grpc.register(s, engine), [compliance_grpc.SERVICE_NAME])
        codes = []
        try:
            async with grpc.aio.insecure_channel(target) as channel:
                for path, kind in (("/seatcopilot.compliance.v1.ComplianceService/SteerDraft", "unary"),
                                   ("/grpc.health.v1.Health/Watch", "stream")):
                    if kind == "unary":
                        call = channel.unary_unary(path)(b"\xff\xff\xff", timeout=2)
                    else:
                        call = channel.unary_stream(path)(b"\xff\xff\xff", timeout=2).read()
                    with pytest.raises(grpc.aio.AioRpcError) as error:
                        await call
                    codes.append(error.value.code())
                watch = health_pb2_grpc.HealthStub(channel).Watch(health_pb2.HealthCheckRequest(service=""),
                                                                   timeout=2)
                first = await watch.read()
                watch.cancel()
        finally:
            await server.stop(0)
        return codes, first

    codes, first = asyncio.run(scenario())
    assert codes == [grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT]
    assert first.status == health_pb2.HealthCheckResponse.SERVING
