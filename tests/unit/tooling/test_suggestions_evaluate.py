"""`seatcopilot suggestions evaluate`: the report's lines and what the judge counts as a figure of the call."""

from __future__ import annotations

from seatcopilot.contracts.dialogue.v1 import dialogue_pb2 as dg
from seatcopilot.contracts.generation.v1 import generation_pb2 as gen

from seatcopilot_models.suggestions import Report, TurnResult, judge, stated_figures


def test_the_model_wording_line_says_how_many_passed_and_why_the_others_did_not() -> None:
    kept = TurnResult("payment", True, False, model_tried=True, model_kept=True, planner_answered=True)
    missing = TurnResult("fee", True, False, model_tried=True, model_rejected_for="planned_fact_missing",
                         planner_answered=True)
    late = TurnResult("rate", True, False, model_tried=True, model_rejected_for="planned_model_deadline",
                      planner_answered=True)
    lines = Report([kept, missing, late, TurnResult("script", True, False)]).lines()
    assert any(line.startswith("model wording: tried=3 passed verification=0.333") for line in lines)
    assert "model wording rejected for: planned_fact_missing 1, planned_model_deadline 1" in lines
    assert lines[-1] == "answered=1.000 wrong=0.000"


def test_a_figure_the_dialogue_state_read_is_no_invention() -> None:
    state = dg.DialogueState(slots=[dg.Slot(name="amount", number=5000, text="$5,000")])
    draft = gen.SuggestionDraft(text="At 14.99%, $5,000 over 48 months is about $139 a month.",
                                answer_facts=["14.99%", "$139"])
    label = {"type": "payment", "facts": ["14.99%", "$139"]}
    assert judge(label, draft, set()) == (True, True)  # "5k" said: $5,000 is nowhere in the words
    assert judge(label, draft, stated_figures(state)) == (True, False)
