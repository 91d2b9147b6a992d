"""A call's identity: its tenant and its call id. Platforms choose call ids, so two tenants may use the
same one; every stage that keeps state per call keys it with both, so they never share a call."""

from __future__ import annotations

from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

_SEPARATOR = "\x1f"  # the ASCII unit separator: in no tenant or call id intake accepts


def call_key(tenant: str, call_id: str) -> str:
    """The key of a call's state (a string, so it also keys changelog tables)."""
    return f"{tenant}{_SEPARATOR}{call_id}"


def split_key(key: str) -> tuple[str, str]:
    tenant, _, call_id = key.partition(_SEPARATOR)
    return tenant, call_id


def call_ref(event: ev.CallEvent) -> ev.CallRef:
    """The call reference every message derived from this event carries (the one place it is built)."""
    return ev.CallRef(tenant=event.tenant, call_id=event.call_id, seq=event.seq, scenario=event.scenario,
                      operator_id=event.operator_id, team_id=event.team_id, experiment_id=event.experiment_id,
                      arm=event.arm)


def ref_key(ref: ev.CallRef) -> str:
    """call_key of a message's call reference."""
    return call_key(ref.tenant, ref.call_id)


def ref_identity(ref: ev.CallRef) -> tuple[str, str, int]:
    """(tenant, call id, seq): what makes a message about a call event unique, for idempotent consumers."""
    return ref.tenant, ref.call_id, ref.seq
