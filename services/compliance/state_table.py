"""Calls' compliance states kept beyond one process: live objects in memory (bounded), each written through
to the transport's state table (a changelog-backed table on Kafka) after every transcript event, and read
back from it when this instance has not seen the call: after a restart, a rebalance or a scale-out, a third
party on the line or a cease-contact request is still in force."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping

from seatcopilot import codec
from seatcopilot.calls import call_key
from seatcopilot.contracts.compliance.v1 import compliance_pb2 as cp
from seatcopilot.policy import Policy
from seatcopilot.transport.base import StateTable

from services.compliance.call_state import CallCompliance, from_record, to_record

MAX_LIVE_CALLS = 50_000


class ComplianceStates:
    def __init__(self, policies: Mapping[str, Policy], table: StateTable | None = None,
                 limit: int = MAX_LIVE_CALLS) -> None:
        self.policies = policies
        self.table = table
        self._live: OrderedDict[tuple[str, str], CallCompliance] = OrderedDict()
        self._limit = limit

    def get(self, tenant: str, call_id: str) -> CallCompliance | None:
        state = self._live.get((tenant, call_id))
        if state is not None:
            self._live.move_to_end((tenant, call_id))
            return state
        raw = self.table.get(call_key(tenant, call_id)) if self.table is not None else None
        policy = self.policies.get(tenant)
        if raw is None or policy is None:
            return None
        state = from_record(codec.decode(raw, cp.CallComplianceState), policy)
        self.remember(state)
        return state

    def get_or_create(self, tenant: str, call_id: str, scenario: str) -> CallCompliance:
        state = self.get(tenant, call_id)
        if state is None:
            state = CallCompliance(call_id, tenant, scenario, self.policies.get(tenant))
            self.remember(state)
        return state

    def remember(self, state: CallCompliance) -> None:
        """Makes state the call's live state (a transfer replaces the segment's state with a new one)."""
        key = (state.tenant, state.call_id)
        self._live[key] = state
        self._live.move_to_end(key)
        if len(self._live) > self._limit:
            self._live.popitem(last=False)

    def save(self, state: CallCompliance) -> None:
        """Writes the state through to the table when it changed (most customer lines change nothing, and each
        write is a changelog record); a call without a pack has nothing worth restoring."""
        if self.table is None or state.policy is None:
            return
        key, record = call_key(state.tenant, state.call_id), codec.encode(to_record(state))
        if self.table.get(key) != record:
            self.table[key] = record

    def live(self) -> Iterable[CallCompliance]:
        return self._live.values()
