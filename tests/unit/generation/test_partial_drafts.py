"""Sentence by sentence: a model's draft goes out in parts as its sentences complete, compliance clears each part
on its own before it is shown, and the whole draft replaces them."""

import asyncio
import dataclasses

from seatcopilot import codec
from seatcopilot.config import load
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
from seatcopilot.policy import load_policies, load_policy
from seatcopilot.stage_io import StageIO
from seatcopilot.topics import GROUNDED, SUGGESTIONS
from seatcopilot.transport import InProcessTransport
from seatcopilot.verdicts import VerdictSigner, VerdictVerifier

from services.compliance import kafka_adapter as compliance_adapter
from services.compliance.logic import ComplianceEngine
from services.generation import kafka_adapter as generation_adapter
from services.generation.config import GenerationConfig
from services.generation.logic import Generator
from services.indicators.logic import IndicatorEngine
from tests.helpers.generation import FACT, grounded

FIRST = "You can move your due date once every 12 months [1]."
SECOND = " It can move by up to 10 days."
KEYS = {"k1": b"partial-drafts-key-0123456789"}


class ScriptedModel:
    """A model that writes the given pieces, pausing `pause_s` before the last (a slow second sentence)."""

    name = "local"

    def __init__(self, *pieces: str, pause_s: float = 0.0) -> None:
        self.pieces = pieces
        self.pause_s = pause_s

    async def stream(self, request):
        for index, piece in enumerate(self.pieces):
            if index == len(self.pieces) - 1 and self.pause_s:
                await asyncio.sleep(self.pause_s)
            yield piece


def config(**changes):
    return dataclasses.replace(load(GenerationConfig, {}), **changes)


def drafts(model, **changes) -> list[gen.SuggestionDraft]:
    generator = Generator(model, load_policy(), config(**{"script_first": False, **changes}))

    async def collect():
        return [draft async for draft in generator.drafts(grounded())]

    return asyncio.run(collect())


def test_a_first_sentence_goes_out_as_a_part_before_the_whole_draft():
    first, whole = drafts(ScriptedModel(FIRST, SECOND))
    assert (first.partial, first.part, first.text) == (True, 1, "You can move your due date once every 12 months.")
    assert first.card_kind == gen.CARD_KIND_ANSWER and list(first.sources) == [FACT]
    assert (whole.partial, whole.part) == (False, 2)
    assert whole.text == "You can move your due date once every 12 months. It can move by up to 10 days."
    assert (first.call.call_id, first.call.seq) == (whole.call.call_id, whole.call.seq)


def test_a_draft_sent_whole_is_its_own_first_part():
    (whole,) = drafts(ScriptedModel(FIRST, SECOND), partial_drafts=False)
    assert (whole.partial, whole.part) == (False, 1)
    (planned_or_scripted,) = drafts(None)
    assert (planned_or_scripted.partial, planned_or_scripted.part) == (False, 1)


def test_a_part_that_is_not_grounded_is_not_sent():
    (whole,) = drafts(ScriptedModel("You can move your due date every 3 months.", SECOND))
    assert not whole.partial and whole.backend == gen.BACKEND_SCRIPTED  # the whole fails too: the script line


def test_a_whole_draft_that_fails_after_a_part_is_cut_to_the_part_not_replaced():
    # A sentence is complete once the next begins (its end mark could be a decimal point until then).
    first, whole = drafts(ScriptedModel(FIRST, " It", " can move by up to 10 days.", pause_s=1.0),
                          model_deadline_s=0.3)
    assert whole.text == first.text and whole.fallback_reason == "cut_model_deadline"
    assert (whole.partial, whole.part) == (False, 2) and whole.backend == gen.BACKEND_LOCAL
    first, whole = drafts(ScriptedModel(FIRST, " It can move by up to 45 days."))  # 45: in no fact
    assert whole.text == first.text and whole.fallback_reason == "cut_draft_not_grounded"


def test_the_scripted_line_goes_out_first_and_the_models_draft_replaces_it_only_when_grounded():
    script, whole = drafts(ScriptedModel(FIRST, SECOND), script_first=True)
    assert (script.partial, script.part, script.backend) == (True, 1, gen.BACKEND_SCRIPTED)
    assert script.text == "You can move your due date once every 12 months, by up to 10 days."  # the FAQ line
    assert (whole.partial, whole.part, whole.backend) == (False, 2, gen.BACKEND_LOCAL)
    assert whole.text.startswith("You can move your due date once every 12 months.")
    script, whole = drafts(ScriptedModel("Our crypto rewards program gives bonuses.", SECOND), script_first=True)
    assert whole.text == script.text and (whole.partial, whole.part) == (False, 2)
    assert whole.backend == gen.BACKEND_SCRIPTED and whole.fallback_reason == "draft_not_grounded"


def suggestions_for(model, event=None, script_first=False) -> list[cp.SteeredSuggestion]:
    """What compliance publishes for one grounded utterance drafted by `model`, over the in-process bus."""
    async def scenario():
        bus, seen = InProcessTransport(), []

        async def on_suggestion(steered):
            seen.append(steered)

        generator = Generator(model, load_policy(), config(script_first=script_first))
        generation_adapter.attach(StageIO("generation", bus), generator)
        compliance_adapter.attach(StageIO("compliance", bus), ComplianceEngine(load_policies()),
                                  VerdictSigner(KEYS))
        StageIO("probe", bus).consume(SUGGESTIONS, cp.SteeredSuggestion, on_suggestion,
                                      identity=lambda s: (s.call.seq, s.draft.part))
        await bus.start()
        await bus.publish(GROUNDED.name, event.call.call_id, codec.encode(event))
        await bus.join()
        await bus.stop()
        return seen

    event = event or grounded()
    return asyncio.run(scenario())


def test_compliance_clears_and_signs_each_part_and_the_whole_replaces_it():
    part, whole = suggestions_for(ScriptedModel(FIRST, SECOND))
    verifier = VerdictVerifier(KEYS)
    # Early in the call the recording notice is owed: compliance puts it in front of the part, as of a whole draft.
    assert part.draft.partial and part.compliance.verdict == cp.VERDICT_REWRITTEN and verifier.verifies(part)
    assert part.text.endswith("You can move your due date once every 12 months.")
    assert not whole.draft.partial and whole.draft.part == 2 and verifier.verifies(whole)
    assert whole.text.startswith(part.text)
    passed_off = cp.SteeredSuggestion()
    passed_off.CopyFrom(part)
    passed_off.draft.partial = False  # a part presented as the whole draft
    assert not verifier.verifies(passed_off)


def test_a_part_compliance_would_block_waits_for_the_whole_draft():
    event = grounded(text="Can you have me arrested over this?")
    event.call.scenario = event.classified.event.scenario = ev.SCENARIO_COLLECTIONS
    published = suggestions_for(ScriptedModel("We can have you arrested over this.", " Or you can pay."), event)
    assert [s.draft.partial for s in published] == [False]  # the part was judged, and not shown
    assert published[0].compliance.verdict == cp.VERDICT_BLOCKED


def test_the_scripted_part_is_cleared_and_shown_before_the_model_has_written():
    script, whole = suggestions_for(ScriptedModel(FIRST, SECOND), script_first=True)
    assert script.draft.partial and script.draft.backend == gen.BACKEND_SCRIPTED and script.text
    assert not whole.draft.partial and whole.draft.backend == gen.BACKEND_LOCAL


def test_indicators_count_a_draft_shown_in_parts_once_when_its_first_card_is_shown():
    part, whole = suggestions_for(ScriptedModel(FIRST, SECOND))
    engine = IndicatorEngine(set())
    counted = engine.observe_suggestion(part)
    assert counted is not None and counted.counters == {"suggestions_shown": 1.0}
    assert engine.observe_suggestion(whole) is None
    alone = IndicatorEngine(set())  # the part was never shown (compliance held it): the whole counts
    counted = alone.observe_suggestion(whole)
    assert counted is not None and counted.counters == {"suggestions_shown": 1.0}


def test_a_whole_draft_that_expires_withdraws_its_part_from_the_console():
    from services.console import kafka_adapter as console_adapter
    from services.console.logic import ConsoleHub

    part, whole = drafts(ScriptedModel(FIRST, SECOND))
    lone = gen.SuggestionDraft()
    lone.CopyFrom(whole)
    lone.call.seq, lone.part = 7, 1  # expired, with no part of it on screen
    for draft in (whole, lone):
        draft.deadline.FromSeconds(1)  # long past

    async def scenario():
        bus, hub = InProcessTransport(), ConsoleHub()
        console_adapter.attach(StageIO("console", bus), hub, VerdictVerifier(KEYS))
        await bus.start()
        for draft in (part, whole, lone):
            steered = cp.SteeredSuggestion(call=draft.call, draft=draft, text=draft.text,
                                           compliance=cp.ComplianceVerdict(verdict=cp.VERDICT_PASS))
            await bus.publish(SUGGESTIONS.name, draft.call.call_id, codec.encode(VerdictSigner(KEYS).sign(steered)))
        await bus.join()
        await bus.stop()
        return [view for _, view in hub.since(0) if view["kind"] == "suggestion"]

    shown = asyncio.run(scenario())
    assert [(v["seq"], v["part"], v["compliance"]["verdict"], v["text"]) for v in shown] == [
        (part.call.seq, 1, "PASS", part.text), (part.call.seq, 2, "EXPIRED", "")]
