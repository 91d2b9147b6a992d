"""The console's live state: every view in order with an id (so a reconnecting browser resumes
where it left off), fanned out to connected browsers, and a per-call overview for the floor."""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from seatcopilot.summary.v1 import summary_pb2 as sm

from services.console.feedback import build_feedback

SUBSCRIBER_BUFFER = 1000


@dataclass
class CallOverview:
    call_id: str
    scenario: str = ""
    operator_id: str = ""
    team_id: str = ""
    status: str = "live"
    last_intent: str = ""
    alerts: int = 0
    suggestions: int = 0
    last_seq: int = 0
    rule_ids: list[str] = field(default_factory=list)


class ConsoleHub:
    def __init__(self, history: int = 5000, max_calls: int = 10_000) -> None:
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=history)
        self._next_id = 1
        self._subscribers: set[asyncio.Queue[tuple[int, dict[str, Any]]]] = set()
        self.calls: OrderedDict[str, CallOverview] = OrderedDict()
        self._max_calls = max_calls
        self.wrapups: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.manager_reports: dict[str, dict[str, Any]] = {}
        # Set by the Kafka adapter: publishes an operator's verdict on a wrap-up.
        self.feedback_sink: Callable[[sm.WrapupFeedback], Awaitable[None]] | None = None

    def add(self, view: dict[str, Any]) -> int:
        event_id = self._next_id
        self._next_id += 1
        self._events.append((event_id, view))
        self._update_overview(view)
        for queue in list(self._subscribers):
            if queue.full():
                self._subscribers.discard(queue)  # a stalled browser reconnects and resumes by id
            else:
                queue.put_nowait((event_id, view))
        return event_id

    async def submit_feedback(self, call_id: str, body: Any) -> sm.WrapupFeedback:
        """Validates and publishes an operator's accept or edit of the call's latest wrap-up.

        LookupError: no wrap-up for the call; FeedbackError: a malformed body; RuntimeError: nowhere to send it."""
        wrapup = self.wrapups.get(call_id)
        if wrapup is None:
            raise LookupError(f"no wrap-up for call {call_id}")
        feedback = build_feedback(wrapup, body)
        if self.feedback_sink is None:
            raise RuntimeError("the console cannot publish feedback")
        await self.feedback_sink(feedback)
        wrapup["feedback"] = {"action": body["action"], "disposition": feedback.disposition}
        return feedback

    def since(self, last_id: int) -> list[tuple[int, dict[str, Any]]]:
        return [(i, v) for i, v in self._events if i > last_id]

    def subscribe(self) -> asyncio.Queue[tuple[int, dict[str, Any]]]:
        queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[int, dict[str, Any]]]) -> None:
        self._subscribers.discard(queue)

    def overview(self) -> list[dict[str, Any]]:
        return [asdict(call) for call in reversed(self.calls.values())]

    def _update_overview(self, view: dict[str, Any]) -> None:
        if view["kind"] == "manager_report":
            self.manager_reports[view["team_id"] or "unassigned"] = view
            return
        if view["kind"] == "wrapup_summary":
            self.wrapups[view["call_id"]] = view
            self.wrapups.move_to_end(view["call_id"])
            if len(self.wrapups) > self._max_calls:
                self.wrapups.popitem(last=False)
        call = self.calls.get(view["call_id"])
        if call is None:
            call = self.calls[view["call_id"]] = CallOverview(view["call_id"])
            if len(self.calls) > self._max_calls:
                self.calls.popitem(last=False)
        call.scenario = view.get("scenario") or call.scenario
        call.operator_id = view.get("operator_id") or call.operator_id
        call.team_id = view.get("team_id") or call.team_id
        call.last_seq = max(call.last_seq, int(view.get("seq", 0)))
        kind = view["kind"]
        if kind == "suggestion":
            call.suggestions += 1
            call.last_intent = view.get("intent") or call.last_intent
        elif kind == "alert":
            call.alerts += 1
            call.rule_ids = sorted(set(call.rule_ids) | set(view.get("rule_ids", [])))
        elif kind == "transcript" and view.get("type") in ("CALL_ENDED", "HOLD", "RESUME", "TRANSFER"):
            call.status = {"CALL_ENDED": "ended", "HOLD": "on hold", "RESUME": "live",
                           "TRANSFER": "transferred"}[view["type"]]
