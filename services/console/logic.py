"""The console's live state: every view in order with an id (so a reconnecting browser resumes where it
left off), each call's history and who may see it, a per-call overview for the floor, coaching notes and
team KPIs over time."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, defaultdict, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from services.console.auth import CallAccess, Identity, may_see

SUBSCRIBER_BUFFER = 1000
CALL_HISTORY = 500
KPI_BUCKET_S = 60
KPI_BUCKETS = 120


@dataclass
class CallOverview:
    call_id: str
    tenant: str = ""
    scenario: str = ""
    operator_id: str = ""
    team_id: str = ""
    status: str = "live"
    last_intent: str = ""
    alerts: int = 0
    suggestions: int = 0
    last_seq: int = 0
    rule_ids: list[str] = field(default_factory=list)
    started_at: float = 0.0


@dataclass
class KpiBucket:
    start: float
    suggestions: int = 0
    accepted: int = 0
    edited: int = 0
    dismissed: int = 0
    alerts: int = 0
    calls_ended: int = 0
    handle_seconds: float = 0.0
    promises_to_pay: int = 0
    applications: int = 0


class ConsoleHub:
    def __init__(self, history: int = 5000, max_calls: int = 10_000) -> None:
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=history)
        self._next_id = 1
        self._subscribers: set[asyncio.Queue[tuple[int, dict[str, Any]]]] = set()
        self.calls: OrderedDict[str, CallOverview] = OrderedDict()
        self.access: dict[str, CallAccess] = {}
        self.history: dict[str, deque[tuple[int, dict[str, Any]]]] = {}
        self.kpis: dict[tuple[str, str], deque[KpiBucket]] = defaultdict(lambda: deque(maxlen=KPI_BUCKETS))
        self.manager_reports: dict[tuple[str, str], dict[str, Any]] = {}
        self._max_calls = max_calls

    # ---- events -------------------------------------------------------------------------------
    def add(self, view: dict[str, Any]) -> int:
        event_id = self._next_id
        self._next_id += 1
        self._events.append((event_id, view))
        self._remember(event_id, view)
        for queue in list(self._subscribers):
            if queue.full():
                self._subscribers.discard(queue)  # a stalled browser reconnects and resumes by id
            else:
                queue.put_nowait((event_id, view))
        return event_id

    def since(self, last_id: int) -> list[tuple[int, dict[str, Any]]]:
        return [(i, v) for i, v in self._events if i > last_id]

    def subscribe(self) -> asyncio.Queue[tuple[int, dict[str, Any]]]:
        queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue(SUBSCRIBER_BUFFER)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[tuple[int, dict[str, Any]]]) -> None:
        self._subscribers.discard(queue)

    # ---- who sees what --------------------------------------------------------------------------
    def visible(self, identity: Identity, call_id: str) -> bool:
        access = self.access.get(call_id)
        return access is not None and may_see(identity, access)

    def overview(self, identity: Identity) -> list[dict[str, Any]]:
        return [asdict(call) for call in reversed(self.calls.values()) if self.visible(identity, call.call_id)]

    def call_history(self, call_id: str) -> list[tuple[int, dict[str, Any]]]:
        return list(self.history.get(call_id, ()))

    # ---- manager tools --------------------------------------------------------------------------
    def coaching_note(self, identity: Identity, call_id: str, text: str) -> dict[str, Any]:
        call = self.calls[call_id]
        view = {"kind": "coaching_note", "call_id": call_id, "seq": call.last_seq, "tenant": call.tenant,
                "scenario": call.scenario, "operator_id": call.operator_id, "team_id": call.team_id,
                "text": text, "author": identity.subject, "ts": time.time()}
        self.add(view)
        return view

    def record_feedback(self, tenant: str, team: str, action: str) -> None:
        bucket = self._bucket(tenant, team)
        setattr(bucket, action, getattr(bucket, action) + 1)

    def kpi_series(self, tenant: str, team: str | None) -> list[dict[str, Any]]:
        """Per-minute buckets for one team, or summed over the tenant's teams when team is None."""
        merged: dict[float, KpiBucket] = {}
        for (bucket_tenant, bucket_team), buckets in self.kpis.items():
            if bucket_tenant != tenant or (team is not None and bucket_team != team):
                continue
            for bucket in buckets:
                total = merged.setdefault(bucket.start, KpiBucket(bucket.start))
                for name, value in asdict(bucket).items():
                    if name != "start":
                        setattr(total, name, getattr(total, name) + value)
        return [asdict(merged[start]) for start in sorted(merged)]

    def record_manager_report(self, view: dict[str, Any]) -> None:
        """Keeps each team's latest report from the summarizer."""
        self.manager_reports[(view["tenant"], view["team_id"])] = view

    def manager_reports_for(self, tenant: str, team: str | None) -> list[dict[str, Any]]:
        return [view for (report_tenant, report_team), view in sorted(self.manager_reports.items())
                if report_tenant == tenant and (team is None or report_team == team)]

    # ---- internals ------------------------------------------------------------------------------
    def _bucket(self, tenant: str, team: str) -> KpiBucket:
        series = self.kpis[(tenant, team)]
        start = time.time() // KPI_BUCKET_S * KPI_BUCKET_S
        if not series or series[-1].start != start:
            series.append(KpiBucket(start))
        return series[-1]

    def _remember(self, event_id: int, view: dict[str, Any]) -> None:
        call_id = view["call_id"]
        self.access.setdefault(call_id, CallAccess()).note(view.get("tenant", ""), view.get("team_id", ""),
                                                          view.get("operator_id", ""))
        self.history.setdefault(call_id, deque(maxlen=CALL_HISTORY)).append((event_id, view))
        call = self.calls.get(call_id)
        if call is None:
            call = self.calls[call_id] = CallOverview(call_id, started_at=time.time())
            if len(self.calls) > self._max_calls:
                oldest = next(iter(self.calls))
                for table in (self.calls, self.access, self.history):
                    table.pop(oldest, None)
        self._update_overview(call, view)

    def _update_overview(self, call: CallOverview, view: dict[str, Any]) -> None:
        call.tenant = view.get("tenant") or call.tenant
        call.scenario = view.get("scenario") or call.scenario
        call.operator_id = view.get("operator_id") or call.operator_id
        call.team_id = view.get("team_id") or call.team_id
        call.last_seq = max(call.last_seq, int(view.get("seq", 0)))
        kind = view["kind"]
        if kind == "suggestion":
            call.suggestions += 1
            call.last_intent = view.get("intent") or call.last_intent
            self._bucket(call.tenant, call.team_id).suggestions += 1
        elif kind == "alert":
            call.alerts += 1
            call.rule_ids = sorted(set(call.rule_ids) | set(view.get("rule_ids", [])))
            self._bucket(call.tenant, call.team_id).alerts += 1
        elif kind == "wrapup_summary":
            bucket = self._bucket(call.tenant, call.team_id)
            bucket.promises_to_pay += view.get("disposition") == "PROMISE_TO_PAY"
            bucket.applications += view.get("disposition") == "APPLICATION_STARTED"
        elif kind == "transcript" and view.get("type") in ("CALL_ENDED", "HOLD", "RESUME", "TRANSFER"):
            call.status = {"CALL_ENDED": "ended", "HOLD": "on hold", "RESUME": "live",
                           "TRANSFER": "transferred"}[view["type"]]
            if view["type"] == "CALL_ENDED":
                bucket = self._bucket(call.tenant, call.team_id)
                bucket.calls_ended += 1
                bucket.handle_seconds += time.time() - call.started_at
