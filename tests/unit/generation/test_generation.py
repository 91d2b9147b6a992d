import asyncio
import dataclasses
import time

import pytest
from seatcopilot.config import load
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.policy import load_policy

from services.generation import prompts
from services.generation.backends import GenerationRequest, LocalBackend
from services.generation.config import GenerationConfig
from services.generation.local_model import build_local_model
from services.generation.logic import Generator, clean_model_text, grounding_problem
from tests.helpers import make_event
from tests.helpers.generation import FACT, grounded


def config(**changes):
    return dataclasses.replace(load(GenerationConfig, {}), **changes)


class BrokenBackend:
    """Stands in for a model server that fails: what generation does then is the behaviour under test."""

    name = "triton"

    async def stream(self, request):
        raise ConnectionError("model server down")
        yield ""  # pragma: no cover

    async def healthy(self):
        return False

    async def close(self):
        return None


class SlowBackend(BrokenBackend):
    async def stream(self, request):
        yield "You can"
        await asyncio.sleep(5)
        yield " move it."


@pytest.mark.parametrize(("text", "problem"), [
    ("You can move your due date once every 12 months.", ""),
    ("You can move your due date once every 3 months.", "draft_not_grounded"),
    ("The agent says hello to the customer politely.", "draft_not_addressed_to_customer"),
    ("Sure.", "draft_too_short"),
    ("move your due date move your due date move your due date", "draft_repetitive"),
    ("Our crypto rewards program gives fantastic bonuses everybody loves.", "draft_not_grounded"),
])
def test_grounding_check(text, problem):
    assert grounding_problem(text, grounded()) == problem


def test_model_text_is_cleaned_to_two_sentences():
    assert clean_model_text('Agent: "One. Two! Three?"') == "One. Two!"


def test_a_failing_backend_falls_back_to_the_knowledge_script():
    draft = asyncio.run(Generator(BrokenBackend(), load_policy(), config()).draft(grounded()))
    assert draft.backend == gen.BACKEND_SCRIPTED and draft.fallback_reason == "model_unavailable"
    assert draft.text.startswith("You can move your due date")
    assert [s.id for s in draft.sources] == ["faq.due-date"]


def test_a_slow_backend_is_cut_at_the_deadline():
    generator = Generator(SlowBackend(), load_policy(), config(model_deadline_s=0.2))
    draft = asyncio.run(generator.draft(grounded()))
    assert draft.fallback_reason == "model_deadline"


def test_no_knowledge_gives_a_holding_line_with_a_reason():
    draft = asyncio.run(Generator(None, load_policy(), config()).draft(grounded(items=(), degraded=True)))
    assert draft.text and draft.degraded and draft.fallback_reason == "knowledge_unavailable"


def test_overload_is_shed_not_queued():
    async def scenario():
        generator = Generator(SlowBackend(), load_policy(), config(max_concurrent=1, model_deadline_s=1))
        first = asyncio.create_task(generator.draft(grounded()))
        await asyncio.sleep(0.05)
        second = await generator.draft(grounded())
        await first
        return second

    assert asyncio.run(scenario()).fallback_reason == "overloaded"


def test_an_utterance_that_queued_past_the_model_deadline_is_shed_without_calling_the_model():
    from seatcopilot import telemetry

    class CountingBackend(SlowBackend):
        calls = 0

        async def stream(self, request):
            CountingBackend.calls += 1
            async for piece in super().stream(request):
                yield piece

    async def scenario(waited_s: float):
        token = telemetry.enter_message({telemetry.INGESTED_AT_HEADER: repr(time.time() - waited_s).encode()})
        try:
            return await Generator(CountingBackend(), load_policy(), config(model_deadline_s=0.2)).draft(grounded())
        finally:
            telemetry.leave_message(token)

    late = asyncio.run(scenario(5.0))
    assert late.backend == gen.BACKEND_SCRIPTED and late.fallback_reason == "overloaded" and late.text
    assert CountingBackend.calls == 0
    assert asyncio.run(scenario(0.0)).fallback_reason == "model_deadline"  # fresh: the model is tried
    assert CountingBackend.calls == 1


def test_drafts_carry_a_deadline_and_the_prompt_version():
    draft = asyncio.run(Generator(None, load_policy(), config(draft_ttl_s=7)).draft(grounded()))
    assert draft.deadline.seconds - draft.created_at.seconds in (6, 7, 8)
    assert draft.prompt_version == "operator-suggestion/v2"


@pytest.fixture(scope="module")
def local_backend():
    return LocalBackend(build_local_model())


def test_the_local_model_streams_deterministically_and_honours_bad_words(local_backend):
    messages = [{"role": "user", "content": "Say hello to a customer calling about a loan."}]

    def run(bad_words):
        async def collect():
            return [p async for p in local_backend.stream(GenerationRequest(messages, 12, bad_words))]
        return asyncio.run(collect())

    first, second = run([]), run([])
    assert len(first) > 1 and first == second
    banned = max("".join(first).split(), key=len).strip(".,!?\"'")
    assert banned not in "".join(run([banned]))


def test_prompt_carries_stage_guidance_history_and_owed_disclosures():
    prompt = prompts.operator_suggestion(
        "COLLECTIONS", "resolution", "payment_arrangement", "offer", "Can I pay in two parts?", [FACT],
        ["Agent: Hi, this is Dan.", "Customer: Hi."], ["This is an attempt to collect a debt."])
    system, user = prompt.messages[0]["content"], prompt.messages[1]["content"]
    assert "never threaten" in system and "Propose the concrete next step" in system
    assert "[1] Due date change" in user and "Agent: Hi, this is Dan." in user
    assert "Still owed to the customer: This is an attempt to collect a debt." in user
    assert prompt.version == "operator-suggestion/v2" and prompt.facts == [FACT]


def test_the_token_budget_drops_old_turns_first():
    history = [f"Customer: turn {i} " + "words " * 60 for i in range(20)]
    prompt = prompts.operator_suggestion("SALES", "discovery", "rate_question", "answer", "rate?", [FACT],
                                         history, [])
    assert prompt.tokens <= prompts.template("operator_suggestion").max_prompt_tokens
    assert "turn 19" in prompt.messages[1]["content"] and "turn 0 " not in prompt.messages[1]["content"]


def test_citations_pick_the_sources_and_leave_the_text():
    second = rt.KnowledgeItem(id="faq.fees", title="Fees", text="Late fee $29.")
    text, sources = prompts.cited("The late fee is $29 [2]. You can move the date [1].", [FACT, second])
    assert text == "The late fee is $29. You can move the date."
    assert [s.id for s in sources] == ["faq.fees", "faq.due-date"]


def owed_ids(generator, context):
    return [o.id for o in generator.owed(context)]


def compliance_state(call_id, scenario, given=(), owed=()):
    status = {**{i: cp.OBLIGATION_STATUS_GIVEN for i in given}, **{i: cp.OBLIGATION_STATUS_OWED for i in owed}}
    return cp.CallComplianceState(call=ev.CallRef(call_id=call_id, tenant="harbor",
                                                  scenario=ev.Scenario.Value(f"SCENARIO_{scenario}")),
                                  obligations=[cp.ObligationState(id=i, status=s) for i, s in status.items()])


def test_generation_reads_what_is_owed_from_compliances_published_state():
    generator = Generator(None, load_policy(), config())
    call = dict(call_id="call-g1", scenario="COLLECTIONS")
    generator.observe(make_event(seq=1, speaker="OPERATOR", text="Hi, this call may be recorded.", **call))
    context = generator.context("harbor", "call-g1", "COLLECTIONS")
    # Generation does not judge the operator's words itself: until compliance speaks, the segment's all owed.
    assert {"RECORDING-NOTICE", "FDCPA-MINI-MIRANDA"} <= set(owed_ids(generator, context))
    generator.observe_compliance(compliance_state("call-g1", "COLLECTIONS", given=["RECORDING-NOTICE"],
                                                  owed=["FDCPA-MINI-MIRANDA"]))
    assert owed_ids(generator, context) == ["FDCPA-MINI-MIRANDA"]
    # A state of the segment before a transfer does not speak for the new one.
    generator.observe(make_event(seq=2, type_="TRANSFER", speaker="OPERATOR", text="", transfer_to_role="SERVICE",
                                 **call))
    generator.observe_compliance(compliance_state("call-g1", "COLLECTIONS", owed=["FDCPA-MINI-MIRANDA"]))
    assert context.scenario == "SERVICE" and "FDCPA-MINI-MIRANDA" not in owed_ids(generator, context)


class RecordingBackend(BrokenBackend):
    """A model that always writes the same two cited sentences, and records what it was asked."""

    name = "local"

    def __init__(self):
        self.requests = []

    async def stream(self, request):
        self.requests.append(request)
        for piece in ("You can move your due date once every 12 months [1].", " It can move by up to 10 days."):
            yield piece


def grounded_in_arm(arm, items=(FACT,)):
    event = grounded(items)
    event.call.arm = arm
    return event


def test_an_experiments_variant_arm_gets_its_own_template_and_style():
    backend = RecordingBackend()
    generator = Generator(backend, load_policy(), config())
    on = asyncio.run(generator.draft(grounded_in_arm("on")))
    brief = asyncio.run(generator.draft(grounded_in_arm("brief")))
    assert on.prompt_version == "operator-suggestion/v2" and brief.prompt_version == "operator-suggestion-brief/v1"
    assert backend.requests[0].max_tokens == config().max_tokens and backend.requests[1].max_tokens == 28
    assert "at most 20 words" in backend.requests[1].messages[0]["content"]
    assert "at most 20 words" not in backend.requests[0].messages[0]["content"]
    assert on.text.count(".") == 2 and brief.text == "You can move your due date once every 12 months."


def test_the_variants_style_holds_for_the_scripted_line_too():
    two_sentences = rt.KnowledgeItem(id="script.fees", kind="SCRIPT", title="Fees",
                                     text="There is no fee to pay early. Late payments cost $29.")
    generator = Generator(None, load_policy(), config())
    on = asyncio.run(generator.draft(grounded_in_arm("on", [two_sentences])))
    brief = asyncio.run(generator.draft(grounded_in_arm("brief", [two_sentences])))
    assert on.text == two_sentences.text and brief.text == "There is no fee to pay early."
    assert brief.prompt_version == "operator-suggestion-brief/v1"


@pytest.mark.parametrize(("spec", "problem"), [
    ("off=operator_suggestion", "holdout"), ("brief=no_such_template", "no template"), ("brief", "arm=template"),
])
def test_arm_templates_are_checked_at_start(spec, problem):
    with pytest.raises(ValueError, match=problem):
        Generator(None, load_policy(), config(arm_templates=spec))
