"""Versioned prompts for the model's summary narrative. A template change gets a new version: every
summary records the one used."""

from __future__ import annotations

import re

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.summary.v1 import summary_pb2 as sm

from services.summarizer.compose import commitments, listing

HANDOVER_V1 = "handover-summary/v1"
WRAPUP_V1 = "wrapup-summary/v1"
MAX_TRANSCRIPT_CHARS = 1800

SYSTEM = (
    "You write short summaries of phone calls between a customer and an operator at Harbor Lending, a consumer "
    "lender, for call-center staff. Use only facts from the call; never invent amounts, dates or products."
)
# A summary should copy the call's figures: no penalty on repeating the transcript's tokens.
REPETITION_PENALTY = 1.0
STOP_WORDS = ["\nCustomer:", "\nOperator:"]
_LEAD = re.compile(r"^\s*(?:summary|handover|wrap-up)\s*:\s*", re.IGNORECASE)


def transcript(state: sm.CallState, max_chars: int = MAX_TRANSCRIPT_CHARS) -> str:
    """The most recent turns that fit the budget, oldest first."""
    lines: list[str] = []
    used = 0
    for turn in reversed(state.turns):
        line = f"{'Customer' if turn.speaker == ev.SPEAKER_CUSTOMER else 'Operator'}: {turn.text}"
        if used + len(line) > max_chars:
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(reversed(lines))


def summary_messages(state: sm.CallState, audience: str) -> list[dict[str, str]]:
    facts = [f"Topics: {listing(list(state.intents))}.", f"Commitments: {listing(commitments(state))}."]
    ask = f"Write a two-sentence summary for {audience}, in the third person. Begin with \"The customer\"."
    user = "\n".join([*facts, "Call transcript:", transcript(state), "", ask])
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def clean(text: str) -> str:
    return _LEAD.sub("", text.strip()).strip().strip('"').strip()
