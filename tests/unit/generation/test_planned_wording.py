"""The model's wording of a planned answer (GENERATION_PLAN_WORDING=model): kept only when it carries every
planned fact in order and no other figure; the planner's wording otherwise, with the reason."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest
from seatcopilot.config import load
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.policy import load_policy

from services.generation.config import GenerationConfig
from services.generation.logic import Generator, plan_wording_problem
from tests.helpers import classified_event, grounded_event, make_event

PLAN = rt.AnswerPlan(card_kind="answer", answer_type="payment", facts=["14.99%", "$416"],
                     text="At our representative APR of 14.99%, $12,000 over 36 months is about $416 a month.")


@pytest.mark.parametrize(("text", "problem"), [
    ("Sure — at our example APR of 14.99%, that's about $416 a month over 36 months.", ""),
    ("That would be about $416 a month at 14.99%.", "fact_order"),  # the APR comes first
    ("That would be about $400 a month at 14.99%.", "fact_missing"),
    ("At 14.99%, it's about $416 a month, plus a $50 fee.", "number_not_planned"),
    ("The agent says the APR is 14.99% and the payment $416.", "narration"),
    ("", "fact_missing"),
    ("At 14.99%, about $4160 a month.", "fact_missing"),  # a fact inside a longer figure is not the fact
    ("14.99% $416", "not_a_line"),
    ("apr_first: 14.99% then payment_due $416", "not_a_line"),
])
def test_plan_wording_check(text, problem):
    assert plan_wording_problem(text, PLAN) == problem


class ScriptedModel:
    name = "local"

    def __init__(self, reply):
        self.reply, self.requests = reply, []

    async def stream(self, request):
        self.requests.append(request)
        yield self.reply

    async def healthy(self):
        return True

    async def close(self):
        return None


def draft_with(reply, card_kind="answer", wording="model"):
    plan = rt.AnswerPlan()
    plan.CopyFrom(PLAN)
    plan.card_kind = card_kind
    grounded = grounded_event(classified_event(
        make_event(text="What would the monthly payment be on $12,000 over 36 months?", scenario="SALES"),
        classification=cl.Classification(intent="payment_question")), plan=plan)
    model = ScriptedModel(reply)
    config = dataclasses.replace(load(GenerationConfig, {}), plan_wording=wording)
    return asyncio.run(Generator(model, load_policy(), config).draft(grounded)), model


def test_a_faithful_model_wording_replaces_the_planners_and_keeps_its_facts():
    reply = "Sure, at our example APR of 14.99% that comes to about $416 a month."
    draft, model = draft_with(reply)
    assert draft.text == reply and draft.backend == gen.BACKEND_LOCAL and draft.fallback_reason == ""
    assert list(draft.answer_facts) == ["14.99%", "$416"] and draft.prompt_version == "planned-reply/v1"
    assert "14.99%; $416" in model.requests[0].messages[1]["content"]


def test_an_unfaithful_wording_keeps_the_planners_line_with_the_reason():
    draft, _ = draft_with("It's roughly $399 a month.")
    assert draft.text == PLAN.text and draft.backend == gen.BACKEND_SCRIPTED
    assert draft.fallback_reason == "planned_fact_missing"


def test_warnings_and_the_default_setting_never_ask_the_model():
    warning, model = draft_with("anything", card_kind="warning")
    assert warning.text == PLAN.text and model.requests == []
    planner, model = draft_with("anything", wording="planner")
    assert planner.text == PLAN.text and planner.fallback_reason == "planned" and model.requests == []


def test_the_planners_line_goes_out_first_and_a_faithful_wording_replaces_it():
    plan = rt.AnswerPlan()
    plan.CopyFrom(PLAN)
    grounded = grounded_event(classified_event(
        make_event(text="What would the monthly payment be on $12,000 over 36 months?", scenario="SALES"),
        classification=cl.Classification(intent="payment_question")), plan=plan)
    reply = "Sure, at our example APR of 14.99% that comes to about $416 a month."
    config = dataclasses.replace(load(GenerationConfig, {}), plan_wording="model")

    async def drafts():
        return [d async for d in Generator(ScriptedModel(reply), load_policy(), config).drafts(grounded)]

    planners, whole = asyncio.run(drafts())
    assert (planners.partial, planners.part, planners.text) == (True, 1, PLAN.text)
    assert planners.backend == gen.BACKEND_SCRIPTED and planners.fallback_reason == "planned"
    assert (whole.partial, whole.part, whole.text, whole.backend) == (False, 2, reply, gen.BACKEND_LOCAL)
