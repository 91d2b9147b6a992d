"""Who is on a call: a tenant's operator directory and each call's current operator.

Platforms name agents their own way (an Amazon Connect agent ARN, a Genesys Cloud user id, a Twilio
TaskRouter worker sid). The tenant's directory (the `operators` list of the tenants file) maps those
to the opaque `operator_id`, `team_id` and role the rest of the system uses; the roster remembers
per call who holds it now, so every event intake publishes carries the current operator, and a
change of operator becomes a TRANSFER to the receiving operator's role.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

ROLES = {"SALES": ev.ROLE_SALES, "SERVICE": ev.ROLE_SERVICE, "COLLECTIONS": ev.ROLE_COLLECTIONS,
         "SUPERVISOR": ev.ROLE_SUPERVISOR}
PLATFORM_KEYS = ("amazon_connect", "genesys_cloud", "twilio")
CALL_MEMORY = 50_000


@dataclass(frozen=True)
class Operator:
    operator_id: str
    team_id: str
    role: ev.Role


@dataclass(frozen=True)
class Directory:
    """(platform, the platform's agent id) → operator."""

    by_platform_id: Mapping[tuple[str, str], Operator] = field(default_factory=dict)

    def find(self, platform: str, agent_id: str) -> Operator | None:
        return self.by_platform_id.get((platform, agent_id))


def parse_directory(entries: Any, where: str, problems: list[str]) -> Directory:
    """The tenants file's `operators` list: operator_id, team_id, role and the agent's platform ids."""
    if entries is None:
        return Directory()
    if not isinstance(entries, list):
        problems.append(f"{where}: operators must be a list")
        return Directory()
    found: dict[tuple[str, str], Operator] = {}
    for index, entry in enumerate(entries):
        operator = _operator(entry, f"{where} operators[{index}]", problems)
        if operator is None:
            continue
        for platform, agent_id in (entry.get("platform_ids") or {}).items():
            if platform not in PLATFORM_KEYS:
                problems.append(f"{where} operators[{index}]: unknown platform {platform!r} "
                                f"(known: {', '.join(PLATFORM_KEYS)})")
            elif (platform, str(agent_id)) in found:
                problems.append(f"{where}: {platform} agent {agent_id} is listed twice")
            else:
                found[(platform, str(agent_id))] = operator
    return Directory(found)


def _operator(entry: Any, where: str, problems: list[str]) -> Operator | None:
    if not isinstance(entry, dict) or not entry.get("operator_id") or not entry.get("team_id"):
        problems.append(f"{where}: needs operator_id, team_id, role and platform_ids")
        return None
    role = ROLES.get(str(entry.get("role", "")).upper())
    if role is None:
        problems.append(f"{where}: role must be one of {', '.join(ROLES)}, got {entry.get('role')!r}")
        return None
    return Operator(str(entry["operator_id"]), str(entry["team_id"]), role)


@dataclass
class _Seat:
    operator: Operator | None = None
    on_hold: bool = False


class Roster:
    """Per call: who holds it now and whether it is on hold (bounded, least recently used first out)."""

    def __init__(self) -> None:
        self._calls: OrderedDict[str, _Seat] = OrderedDict()

    def operator(self, call_id: str) -> Operator | None:
        seat = self._calls.get(call_id)
        return seat.operator if seat else None

    def on_hold(self, call_id: str) -> bool:
        seat = self._calls.get(call_id)
        return bool(seat and seat.on_hold)

    def seat(self, call_id: str, operator: Operator) -> Operator | None:
        """Records who holds the call now; returns who held it before (None for the first operator)."""
        seat = self._seat(call_id)
        before, seat.operator = seat.operator, operator
        return before

    def hold(self, call_id: str, on_hold: bool) -> bool:
        """Records the hold state; True when it changed."""
        seat = self._seat(call_id)
        changed, seat.on_hold = seat.on_hold != on_hold, on_hold
        return changed

    def stamp(self, events: Iterable[ev.CallEvent]) -> None:
        """The call's current operator on every event that names none (a TRANSFER names its receiver)."""
        for event in events:
            operator = self.operator(event.call_id)
            if operator is not None and not event.operator_id:
                event.operator_id, event.team_id = operator.operator_id, operator.team_id

    def _seat(self, call_id: str) -> _Seat:
        seat = self._calls.get(call_id)
        if seat is None:
            if len(self._calls) >= CALL_MEMORY:
                self._calls.popitem(last=False)
            seat = self._calls[call_id] = _Seat()
        self._calls.move_to_end(call_id)
        return seat


def transfer_fields(operator: Operator) -> dict[str, Any]:
    """What a TRANSFER event carries: the receiving operator and their role."""
    return {"operator_id": operator.operator_id, "team_id": operator.team_id, "transfer_to_role": operator.role}
