"""The console's live state: every view in order with an id (so a reconnecting browser resumes where it
left off), each call's history and who may see it, a per-call overview for the floor, coaching notes and
the indicators service's snapshots (the team KPIs, over time)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, OrderedDict, defaultdict, deque
from dataclasses import asdict, dataclass, field
from typing import Any

from seatcopilot import sentiment

from services.console.auth import CallAccess, Identity, may_see

SUBSCRIBER_BUFFER = 1000
CALL_HISTORY = 500
INDICATOR_POINTS = 720
# Snapshots of one team's arms arrive one by one: points closer than this are merged into one.
POINT_MERGE_S = 2.0
ALL_TEAMS = "*"


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
    # Obligations still owed in the call, from compliance's live state.
    owed: list[str] = field(default_factory=list)
    # The call stage the classifier sees, and the customer's recent mood (lexicon cues on their turns).
    stage: str = ""
    sentiment: str = "unknown"
    # Alerts per rule, and the (seq, rule) alerts the operator marked "not a violation" (the false alarms).
    rule_alerts: dict[str, int] = field(default_factory=dict)
    false_alarms: list[str] = field(default_factory=list)


def combine(snapshots: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Indicators of several snapshots (arms, teams) as one: every value is an affine function of
    numerator / denominator, so the denominator-weighted mean of the values is the value of the sums."""
    merged: dict[str, dict[str, Any]] = {}
    for snapshot in snapshots:
        for item in snapshot["values"]:
            total = merged.setdefault(item["name"], {**item, "value": 0.0, "numerator": 0.0, "denominator": 0.0,
                                                     "defined": False})
            total["numerator"] += item["numerator"]
            total["denominator"] += item["denominator"]
            if item["defined"]:
                total["value"] += item["value"] * item["denominator"]
                total["defined"] = True
    for total in merged.values():
        total["value"] = total["value"] / total["denominator"] if total["defined"] else None
    return merged


CallKey = tuple[str, str]
"""(tenant, call_id): two tenants may use the same call id; they never share a call here."""


def key_of(view: dict[str, Any]) -> CallKey:
    return view.get("tenant", ""), view["call_id"]


def epoch_first_id() -> int:
    """Event ids start at the start time in microseconds: a restarted console's ids are above every id the
    last one gave (unless it gave more than a million a second), so a browser resuming from its
    Last-Event-ID sees the new console's events at once instead of waiting for the count to catch up.
    Below 2**53: exact in a browser's numbers."""
    return time.time_ns() // 1000


class ConsoleHub:
    def __init__(self, history: int = 5000, max_calls: int = 10_000, first_id: int | None = None) -> None:
        self._events: deque[tuple[int, dict[str, Any]]] = deque(maxlen=history)
        self._next_id = epoch_first_id() if first_id is None else first_id
        self._subscribers: set[asyncio.Queue[tuple[int, dict[str, Any]]]] = set()
        self.calls: OrderedDict[CallKey, CallOverview] = OrderedDict()
        self.access: dict[CallKey, CallAccess] = {}
        self.history: dict[CallKey, deque[tuple[int, dict[str, Any]]]] = {}
        self.indicators: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        self.indicator_series: dict[tuple[str, str], deque[dict[str, Any]]] = defaultdict(
            lambda: deque(maxlen=INDICATOR_POINTS))
        self.manager_reports: dict[tuple[str, str], dict[str, Any]] = {}
        self.sentiment_scores: dict[CallKey, deque[float]] = {}
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
        """A call id means a call of the caller's own tenant: another tenant's call of that id is not found."""
        access = self.access.get((identity.tenant, call_id))
        return access is not None and may_see(identity, access)

    def visible_view(self, identity: Identity, view: dict[str, Any]) -> bool:
        return view.get("tenant", "") == identity.tenant and self.visible(identity, view["call_id"])

    def overview(self, identity: Identity) -> list[dict[str, Any]]:
        return [asdict(call) for key, call in reversed(self.calls.items())
                if key[0] == identity.tenant and self.visible(identity, call.call_id)]

    def call(self, tenant: str, call_id: str) -> CallOverview | None:
        return self.calls.get((tenant, call_id))

    def call_history(self, tenant: str, call_id: str) -> list[tuple[int, dict[str, Any]]]:
        return list(self.history.get((tenant, call_id), ()))

    # ---- manager tools --------------------------------------------------------------------------
    def coaching_note(self, identity: Identity, call_id: str, text: str) -> dict[str, Any]:
        call = self.calls[(identity.tenant, call_id)]
        view = {"kind": "coaching_note", "call_id": call_id, "seq": call.last_seq, "tenant": call.tenant,
                "scenario": call.scenario, "operator_id": call.operator_id, "team_id": call.team_id,
                "text": text, "author": identity.subject, "ts": time.time()}
        self.add(view)
        return view

    # ---- the floor's live columns ------------------------------------------------------------------
    def update_live(self, base: dict[str, Any], stage: str = "", intent: str = "",
                    sentiment_score: float | None = None) -> bool:
        """Stage, last intent and the customer's mood of a call: a `live` view goes out only when one changed."""
        call = self.calls.get(key_of(base))
        current = {"stage": call.stage, "intent": call.last_intent, "sentiment": call.sentiment} if call else {}
        merged = {"stage": "", "intent": "", "sentiment": "unknown", **current}
        merged["stage"], merged["intent"] = stage or merged["stage"], intent or merged["intent"]
        if sentiment_score is not None:
            scores = self.sentiment_scores.setdefault(key_of(base), deque(maxlen=sentiment.RECENT_TURNS))
            scores.append(sentiment_score)
            merged["sentiment"] = sentiment.mood(list(scores))
        if merged == current:
            return False
        self.add({"kind": "live", **base, **merged})
        return True

    # ---- indicators (from the indicators service's topic) ---------------------------------------
    def record_indicators(self, snapshot: dict[str, Any]) -> None:
        """Keeps each (team, experiment, arm)'s latest snapshot and a point per team (and per tenant) over time."""
        tenant, team = snapshot["tenant"], snapshot["team_id"]
        key = (tenant, team, snapshot["experiment_id"], snapshot["arm"])
        if key in self.indicators and self.indicators[key]["window_start"] > snapshot["window_start"]:
            return  # a late snapshot of a window that is over
        self.indicators[key] = snapshot
        for scope in (team, ALL_TEAMS):
            current = self.current_indicators(tenant, None if scope == ALL_TEAMS else scope)
            values = {name: item["value"] for name, item in combine(current).items()}
            series = self.indicator_series[(tenant, scope)]
            point = {"ts": snapshot["received_at"], "window_start": snapshot["window_start"], "values": values}
            if series and point["ts"] - series[-1]["ts"] < POINT_MERGE_S:
                series[-1] = point
            else:
                series.append(point)

    def current_indicators(self, tenant: str, team: str | None) -> list[dict[str, Any]]:
        """The latest snapshot of each team and arm in the tenant's newest window (older windows are over)."""
        mine = [v for (t, tm, _, _), v in sorted(self.indicators.items())
                if t == tenant and (team is None or tm == team)]
        newest = max((v["window_start"] for v in mine), default=None)
        return [v for v in mine if v["window_start"] == newest]

    def indicators_for(self, tenant: str, team: str | None) -> dict[str, Any]:
        current = self.current_indicators(tenant, team)
        return {"current": list(combine(current).values()), "by_arm": current,
                "series": list(self.indicator_series.get((tenant, team or ALL_TEAMS), ()))}

    def record_manager_report(self, view: dict[str, Any]) -> None:
        """Keeps each team's latest report from the summarizer."""
        self.manager_reports[(view["tenant"], view["team_id"])] = view

    def manager_reports_for(self, tenant: str, team: str | None) -> list[dict[str, Any]]:
        return [view for (report_tenant, report_team), view in sorted(self.manager_reports.items())
                if report_tenant == tenant and (team is None or report_team == team)]

    def alert_quality(self, tenant: str, team: str | None) -> dict[str, Any]:
        """Alerts per call and, per rule, the share of its alerts operators marked "not a violation", over the
        calls this instance holds (the fleet-wide rate is on the compliance dashboard)."""
        calls = [c for c in self.calls.values() if c.tenant == tenant and (team is None or c.team_id == team)]
        alerts: Counter[str] = Counter()
        dismissed: Counter[str] = Counter()
        for call in calls:
            alerts.update(call.rule_alerts)
            dismissed.update(key.partition(":")[2] for key in call.false_alarms)
        total = sum(alerts.values())
        rules = [{"rule_id": rule, "alerts": count, "not_a_violation": dismissed[rule],
                  "false_alarm_rate": dismissed[rule] / count}
                 for rule, count in sorted(alerts.items(), key=lambda item: (-dismissed[item[0]] / item[1],
                                                                             item[0]))]
        return {"calls": len(calls), "alerts": total, "alerts_per_call": total / len(calls) if calls else None,
                "not_a_violation": sum(dismissed.values()), "rules": rules}

    # ---- internals ------------------------------------------------------------------------------
    def _remember(self, event_id: int, view: dict[str, Any]) -> None:
        key = key_of(view)
        self.access.setdefault(key, CallAccess()).note(view.get("tenant", ""), view.get("team_id", ""),
                                                      view.get("operator_id", ""))
        self.history.setdefault(key, deque(maxlen=CALL_HISTORY)).append((event_id, view))
        call = self.calls.get(key)
        if call is None:
            call = self.calls[key] = CallOverview(view["call_id"], started_at=time.time())
            if len(self.calls) > self._max_calls:
                oldest = next(iter(self.calls))
                for table in (self.calls, self.access, self.history, self.sentiment_scores):
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
            call.suggestions += 0 if view.get("partial") else 1  # a draft sent in parts is one suggestion
            call.last_intent = view.get("intent") or call.last_intent
        elif kind == "alert":
            call.alerts += 1
            call.rule_ids = sorted(set(call.rule_ids) | set(view.get("rule_ids", [])))
            for rule in view.get("rule_ids", [])[:1]:  # an alert counts once, under the rule that raised it
                call.rule_alerts[rule] = call.rule_alerts.get(rule, 0) + 1
        elif kind == "feedback" and view.get("action") == "not_a_violation":
            key = f"{view['seq']}:{view.get('rule_id', '')}"
            if view.get("rule_id") in call.rule_alerts and key not in call.false_alarms:
                call.false_alarms.append(key)  # one per alert, however often it is marked
        elif kind == "live":
            call.stage, call.last_intent, call.sentiment = view["stage"], view["intent"], view["sentiment"]
        elif kind == "compliance_state":
            call.owed = [o["id"] for o in view["obligations"] if o["status"] in ("OWED", "OVERDUE")]
        elif kind == "transcript" and view.get("type") in ("CALL_ENDED", "HOLD", "RESUME", "TRANSFER"):
            call.status = {"CALL_ENDED": "ended", "HOLD": "on hold", "RESUME": "live",
                           "TRANSFER": "transferred"}[view["type"]]
