"""A call's identity: its tenant and its call id. Platforms choose call ids, so two tenants may use the
same one; every stage that keeps state per call keys it with both, so they never share a call."""

from __future__ import annotations

_SEPARATOR = "\x1f"  # the ASCII unit separator: in no tenant or call id intake accepts


def call_key(tenant: str, call_id: str) -> str:
    """The key of a call's state (a string, so it also keys changelog tables)."""
    return f"{tenant}{_SEPARATOR}{call_id}"


def split_key(key: str) -> tuple[str, str]:
    tenant, _, call_id = key.partition(_SEPARATOR)
    return tenant, call_id
