"""Operators accept or edit a wrap-up in the console; the result, original beside final, goes to
the wrap-up feedback topic (kept as training feedback; the summarizer counts the confirmed
disposition in manager summaries). Edited text is redacted like everything past intake."""

from __future__ import annotations

import re
from typing import Any

from seatcopilot import codec
from seatcopilot.redaction import redact
from seatcopilot.summary.v1 import summary_pb2 as sm

ACTIONS = {"accept": sm.FEEDBACK_ACTION_ACCEPTED, "edit": sm.FEEDBACK_ACTION_EDITED}
MAX_TEXT_CHARS = 4000
MAX_ACTIONS = 20
MAX_ACTION_CHARS = 300
DISPOSITION = re.compile(r"^[A-Z][A-Z_]{1,39}$")


class FeedbackError(ValueError):
    """The feedback is malformed (a 400 with this message)."""


def _text(value: Any, limit: int, field: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FeedbackError(f"{field} must be a non-empty string")
    if len(value) > limit:
        raise FeedbackError(f"{field} is longer than {limit} characters")
    return redact(value.strip()).text


def _next_actions(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ACTIONS:
        raise FeedbackError(f"next_actions must be a list of at most {MAX_ACTIONS} strings")
    return [_text(item, MAX_ACTION_CHARS, "each next action") for item in value]


def build_feedback(wrapup: dict[str, Any], body: Any) -> sm.WrapupFeedback:
    """The feedback message for a wrap-up view (as the console received it) and the request body."""
    if not isinstance(body, dict):
        raise FeedbackError("expected a JSON object")
    action = ACTIONS.get(body.get("action"))
    if action is None:
        raise FeedbackError("action must be 'accept' or 'edit'")
    text, disposition, actions = wrapup["text"], wrapup["disposition"], list(wrapup["next_actions"])
    if action == sm.FEEDBACK_ACTION_EDITED:
        text = _text(body.get("text", text), MAX_TEXT_CHARS, "text")
        disposition = str(body.get("disposition", disposition)).strip().upper()
        if not DISPOSITION.match(disposition):
            raise FeedbackError("disposition must be a code such as PROMISE_TO_PAY")
        actions = _next_actions(body.get("next_actions", actions))
    feedback = codec.from_dict({
        "call_id": wrapup["call_id"], "wrapup_seq": wrapup["seq"], "tenant": wrapup["tenant"],
        "operator_id": wrapup["operator_id"], "team_id": wrapup["team_id"], "scenario": wrapup["scenario"],
        "original_text": wrapup["text"], "original_disposition": wrapup["disposition"],
        "original_next_actions": wrapup["next_actions"], "text": text, "disposition": disposition,
        "next_actions": actions,
    }, sm.WrapupFeedback)
    feedback.action = action
    feedback.submitted_at.GetCurrentTime()
    return feedback
