"""The knowledge base as data: items with provenance, loaded from YAML."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

KINDS = ("PRODUCT", "FAQ", "SCRIPT", "POLICY", "REGULATION", "OBJECTION_HANDLER")


class KnowledgeError(ValueError):
    """The knowledge base file is malformed."""


@dataclass(frozen=True)
class KnowledgeRecord:
    id: str
    kind: str
    title: str
    text: str
    scenarios: tuple[str, ...]
    intents: tuple[str, ...]
    products: tuple[str, ...]
    regulations: tuple[str, ...]
    source: str
    version: str
    effective_date: str

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


def load_knowledge(path: Path) -> list[KnowledgeRecord]:
    data = yaml.safe_load(Path(path).read_text())
    records, seen = [], set()
    for entry in data.get("items", []):
        try:
            record = KnowledgeRecord(
                id=str(entry["id"]), kind=str(entry["kind"]), title=str(entry["title"]), text=str(entry["text"]),
                scenarios=tuple(entry.get("scenarios") or ()), intents=tuple(entry.get("intents") or ()),
                products=tuple(entry.get("products") or ()), regulations=tuple(entry.get("regulations") or ()),
                source=str(entry["source"]), version=str(entry["version"]),
                effective_date=str(entry["effective_date"]),
            )
        except KeyError as missing:
            raise KnowledgeError(f"{path}: item {entry.get('id', '?')} lacks {missing}") from missing
        if record.kind not in KINDS:
            raise KnowledgeError(f"{path}: item {record.id} has unknown kind {record.kind}")
        if record.id in seen:
            raise KnowledgeError(f"{path}: duplicate item id {record.id}")
        seen.add(record.id)
        records.append(record)
    return records
