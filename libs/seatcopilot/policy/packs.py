"""Pack files to a Policy: a pack's documents, the pack it `extends`, the ids it `disabled`; catalogs of
packs, one per tenant."""

from __future__ import annotations

from pathlib import Path

import yaml

from seatcopilot.paths import data_path
from seatcopilot.policy.entries import (
    DOCUMENT_KEYS,
    PolicyError,
    calling_hours_entry,
    check_keys,
    check_references,
    obligation_entry,
    rule_entry,
    signal_entry,
)
from seatcopilot.policy.model import Policy

POLICIES_ROOT = data_path("policies")
DEFAULT_POLICY = POLICIES_ROOT / "harbor"
DEFAULT_POLICIES = POLICIES_ROOT
PACK_FILE = "pack.yaml"


def _entries(document: dict, key: str) -> list[dict]:
    """A document's entries of one kind, each defaulting its scenarios to the document's."""
    entries = document.get(key) or []
    if not isinstance(entries, list):
        raise PolicyError(f"{key} must be a list")
    default = document.get("scenarios")
    return [{"scenarios": default, **entry} if default and isinstance(entry, dict) else entry
            for entry in entries]


def _pack_layers(directory: Path, seen: tuple[Path, ...] = ()) -> list[list[dict]]:
    """A pack's documents (pack.yaml first, then the others), after those of the pack it extends."""
    if directory in seen:
        raise PolicyError(f"{directory}: extends itself")
    pack_file = directory / PACK_FILE
    if not pack_file.is_file():
        raise PolicyError(f"{directory}: no {PACK_FILE}")
    head = _read(pack_file)
    own = [head] + [_read(path) for path in sorted(directory.glob("*.yaml")) if path.name != PACK_FILE]
    base = head.get("extends")
    if not base:
        return [own]
    return [*_pack_layers(directory.parent / str(base), (*seen, directory)), own]


def _read(path: Path) -> dict:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise PolicyError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise PolicyError(f"{path}: expected a mapping at the top")
    check_keys(data, DOCUMENT_KEYS, f"document ({path.name})")
    return data


def _merged(layers: list[list[dict]], key: str) -> list[dict]:
    """Entries by id: a pack's own entries replace its base's; `disabled` ids are dropped."""
    by_id: dict[str, dict] = {}
    for layer in layers:
        own: set[str] = set()
        for document in layer:
            for entry in _entries(document, key):
                if not isinstance(entry, dict) or "id" not in entry:
                    raise PolicyError(f"every entry of {key} needs an id, got {entry!r}")
                entry_id = str(entry["id"])
                if entry_id in own:
                    raise PolicyError(f"{entry_id}: ids used twice in one pack")
                own.add(entry_id)
                by_id[entry_id] = entry
    disabled = {str(i) for layer in layers for document in layer for i in document.get("disabled") or []}
    return [entry for entry_id, entry in by_id.items() if entry_id not in disabled]


def _policy(layers: list[list[dict]]) -> Policy:
    documents = [document for layer in layers for document in layer]
    # Settings and the semantic matcher's parameters: later documents (the extending pack) win.
    head = {k: v for d in documents for k, v in d.items() if k in ("policy_id", "version", "tenant",
                                                                     "manager_min_severity")}
    semantic = {k: v for d in documents for k, v in (d.get("semantic") or {}).items()}
    obligations = [obligation_entry(e) for e in _merged(layers, "obligations")]
    policy = Policy(
        policy_id=str(head["policy_id"]), version=str(head["version"]), tenant=str(head.get("tenant", "")),
        rules=tuple(rule_entry(e) for e in _merged(layers, "rules")),
        obligations=tuple(o for o in obligations if not o.triggered_by),
        signals=tuple(signal_entry(e) for e in _merged(layers, "signals")),
        triggered_obligations=tuple(o for o in obligations if o.triggered_by),
        calling_hours=tuple(calling_hours_entry(e) for e in _merged(layers, "calling_hours")),
        manager_min_severity=str(head.get("manager_min_severity", "HIGH")),
        semantic_threshold=float(semantic.get("threshold", 0.8)), semantic_margin=float(semantic.get("margin", 0.0)),
        compliant_examples=tuple(str(x) for d in documents for x in d.get("compliant_examples") or []),
    )
    check_references(policy)
    return policy


def load_policy(path: Path = DEFAULT_POLICY) -> Policy:
    """One pack: a YAML file, or a pack directory (pack.yaml and its scenario files)."""
    path = Path(path)
    try:
        if path.is_dir():
            if not (path / PACK_FILE).is_file():
                raise PolicyError(f"{path}: not a pack (no {PACK_FILE}); a catalog of packs is read by "
                                  "load_policies")
            return _policy(_pack_layers(path))
        return _policy([[_read(path)]])
    except (KeyError, TypeError, ValueError, OSError) as error:
        if isinstance(error, PolicyError):
            raise
        raise PolicyError(f"{path}: {error!r}") from error


def load_policies(path: Path = DEFAULT_POLICIES) -> dict[str, Policy]:
    """Every tenant's pack: from a catalog directory (one pack directory per tenant), or one pack."""
    path = Path(path)
    if path.is_file() or (path / PACK_FILE).is_file():
        packs = [load_policy(path)]
    else:
        packs = [load_policy(d) for d in sorted(path.iterdir()) if (d / PACK_FILE).is_file()] if path.is_dir() else []
    if not packs:
        raise PolicyError(f"{path}: no policy pack found")
    tenants = [p.tenant for p in packs]
    if "" in tenants or len(set(tenants)) != len(tenants):
        raise PolicyError(f"{path}: every pack needs its own tenant, got {tenants}")
    return {p.tenant: p for p in packs}
