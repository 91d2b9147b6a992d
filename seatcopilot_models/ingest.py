"""Reads raw material into documents: call transcripts and documents as JSON lines, CSV or text.

A JSON-lines file of call events (lines with `call_id`, `speaker`, `text`) becomes one transcript per
call; any other JSON-lines file gives one document per line from its `text` (or `dialogue`) field.
A CSV gives one document per row from its `text` column; a text file one per blank-line paragraph.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

TEXT_FIELDS = ("text", "dialogue", "utterance", "content", "body")


class IngestError(ValueError):
    """A source cannot be read."""


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    source: str
    kind: str  # transcript | document

    def to_json(self) -> dict:
        return asdict(self)


def read_source(path: Path, text_column: str = "text") -> list[Document]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return list(_jsonl(path))
    if suffix == ".csv":
        return list(_csv(path, text_column))
    if suffix in (".txt", ".md"):
        return list(_text(path))
    raise IngestError(f"{path}: unsupported format {suffix!r} (JSON lines, CSV or text)")


def read_sources(paths: list[Path], text_column: str = "text") -> list[Document]:
    documents: list[Document] = []
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if file.suffix.lower() in (".jsonl", ".csv", ".txt", ".md"):
                documents.extend(read_source(file, text_column))
    return documents


def _rows(path: Path) -> Iterator[tuple[int, dict]]:
    with path.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise IngestError(f"{path}:{number}: not JSON: {error.msg}") from None
            if not isinstance(row, dict):
                raise IngestError(f"{path}:{number}: not a JSON object")
            yield number, row


def _jsonl(path: Path) -> Iterator[Document]:
    rows = list(_rows(path))
    if rows and all("call_id" in row and "speaker" in row for _, row in rows):
        yield from _transcripts(path, [row for _, row in rows])
        return
    for number, row in rows:
        text = next((row[f] for f in TEXT_FIELDS if isinstance(row.get(f), str)), None)
        if text is None:
            raise IngestError(f"{path}:{number}: no text field (one of {', '.join(TEXT_FIELDS)})")
        yield Document(str(row.get("id", f"{path.stem}:{number}")), text, str(path), "document")


def _transcripts(path: Path, rows: list[dict]) -> Iterator[Document]:
    """Final utterances in order, one line per turn: partial transcripts are prefixes of the final."""
    calls: dict[str, list[dict]] = {}
    for row in rows:
        if row.get("type", "UTTERANCE") == "UTTERANCE" and row.get("is_final", True) and row.get("text"):
            calls.setdefault(str(row["call_id"]), []).append(row)
    for call_id, turns in calls.items():
        turns.sort(key=lambda r: int(r.get("seq", 0)))
        text = "\n".join(f"{str(t['speaker']).capitalize()}: {t['text']}" for t in turns)
        yield Document(call_id, text, str(path), "transcript")


def _csv(path: Path, column: str) -> Iterator[Document]:
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise IngestError(f"{path}: no {column!r} column")
        for number, row in enumerate(reader, start=2):
            yield Document(f"{path.stem}:{number}", row[column] or "", str(path), "document")


def _text(path: Path) -> Iterator[Document]:
    paragraphs = path.read_text(encoding="utf-8", errors="replace").split("\n\n")
    for number, paragraph in enumerate(paragraphs, start=1):
        if paragraph.strip():
            yield Document(f"{path.stem}:{number}", paragraph, str(path), "document")
