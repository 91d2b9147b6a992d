"""Summaries built from the classifier stage's dialogue state: spoken promises reach the handover, and a
model sentence that states no fact of the call or repeats itself is dropped."""

from __future__ import annotations

import asyncio

from services.classifier.dialogue import DialogueStates
from tests.helpers.summarizer import ScriptedModel, events, summarizer

SPOKEN_PROMISE = [
    ("CALL_STARTED", "OPERATOR", "", ""),
    ("UTTERANCE", "OPERATOR", "This is an attempt to collect a debt. How can I help?", ""),
    ("UTTERANCE", "CUSTOMER", "My hours got cut, but I can pay three fifty on the first of every month.",
     "promise_to_pay"),
    ("UTTERANCE", "CUSTOMER", "And please call me back next Friday about the rest.", "callback_request"),
    ("TRANSFER", "OPERATOR", "", ""),
]


def play(summarizer_, lines):
    states = DialogueStates()

    async def run():
        outputs = []
        for event, intent in events(lines=lines, scenario="COLLECTIONS", role="SUPERVISOR"):
            summary = await summarizer_.on_event(event, intent, states.observe(event))
            if summary is not None:
                outputs.append(summary)
        return outputs
    return asyncio.run(run())


def test_a_spoken_promise_is_carried_into_the_handover() -> None:
    (handover,) = play(summarizer(), SPOKEN_PROMISE)
    (promise,) = handover.promises
    assert promise.amount == "$350" and promise.schedule == "monthly" and "(the 1st)" in promise.date
    assert "Promises to pay: $350 on " in handover.text and "monthly" in handover.text
    assert "promise to pay $350" in " ".join(handover.commitments)
    assert "$350" in handover.text and "Promises to pay: none made" not in handover.text
    assert len(handover.callbacks) == 1 and handover.callbacks[0].when


def test_a_vacuous_repeating_model_sentence_is_dropped() -> None:
    model = ScriptedModel("The customer is pleased with the customer service of Harbor Lending, and the customer "
                          "is pleased with the customer service of Harbor Lending. "
                          "The customer is pleased with the service. "
                          "The customer agreed to pay $350 on the 1st of every month.")
    (handover,) = play(summarizer(model), SPOKEN_PROMISE)
    assert "pleased" not in handover.narrative
    assert "$350" in handover.narrative
    assert any("pleased with the customer service" in s for s in handover.unverified_sentences)


HARDSHIP_PROMISE_CALL = [
    ("CALL_STARTED", "OPERATOR", "", ""),
    ("UTTERANCE", "OPERATOR", "Hi, this is Dan with Harbor Lending. Is this the account holder?", ""),
    ("UTTERANCE", "CUSTOMER", "Yes. I lost my job last month and money is really tight.", "hardship"),
    ("UTTERANCE", "OPERATOR", "If you don't pay we could send someone to your work.", ""),
    ("UTTERANCE", "CUSTOMER", "Okay, I can pay two hundred on December 1st.", "promise_to_pay"),
    ("CALL_ENDED", "OPERATOR", "", ""),
]


def test_the_wrapup_carries_a_manager_note_from_the_call_state_and_the_report_lists_it() -> None:
    from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
    from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

    summarizer_ = summarizer()
    summarizer_.on_alert(cp.Alert(call=ev.CallRef(call_id="call-sum-1", tenant="harbor", seq=4, operator_id="op-test",
                                                  team_id="team-test", scenario=ev.SCENARIO_COLLECTIONS),
                                  rule_ids=["FDCPA-THREAT-EMPLOYER-FAMILY"], severity=cp.SEVERITY_HIGH))
    (wrapup,) = play(summarizer_, HARDSHIP_PROMISE_CALL)
    note = wrapup.manager_note
    assert note.startswith("Collections call, operator ") and "predicted disposition PROMISE_TO_PAY" in note
    assert "Review FDCPA-THREAT-EMPLOYER-FAMILY (turn 4): Never threaten to contact" in note  # the pack's fix
    assert "Follow up on the customer's commitments: promise to pay $200 on " in note
    assert "Customer situation: hardship." in note  # from the dialogue state
    assert "Identity was never verified on this call." in note
    assert note.endswith("Focus on conduct rules and the customer's commitments.")
    assert "lost my job" not in note  # never a quote of the customer

    report = summarizer_.record_wrapup(wrapup)
    (call_note,) = report.call_notes
    assert (call_note.call_id, call_note.text) == ("call-sum-1", note)
    assert list(call_note.compliance_rule_ids) == ["FDCPA-THREAT-EMPLOYER-FAMILY"]


def test_a_clean_call_gets_a_short_note_without_review_or_follow_up() -> None:
    clean = [("CALL_STARTED", "OPERATOR", "", ""),
             ("UTTERANCE", "CUSTOMER", "What rates do you have on personal loans?", "rate_question"),
             ("UTTERANCE", "OPERATOR", "They run from 8.99% to 29.99% APR depending on credit.", ""),
             ("CALL_ENDED", "OPERATOR", "", "")]
    summarizer_ = summarizer()
    states = DialogueStates()

    async def run():
        out = None
        for event, intent in events(lines=clean, scenario="SALES"):
            out = await summarizer_.on_event(event, intent, states.observe(event)) or out
        return out

    note = asyncio.run(run()).manager_note
    assert "No compliance events on this call." in note and "rate question" in note
    assert "Follow up" not in note and "Review" not in note and "Identity" not in note
    assert note.endswith("Focus on disclosure order and misleading claims.")
