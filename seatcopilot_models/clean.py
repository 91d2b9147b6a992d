"""Cleaning: Unicode normalised, control characters and markup dropped, whitespace collapsed, and
documents too short or mostly non-text rejected with a reason (counted in the data card)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from seatcopilot_models.ingest import Document

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TAGS = re.compile(r"<[^>\n]{1,80}>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class CleanRules:
    min_chars: int = 12
    max_chars: int = 20_000
    min_alpha_ratio: float = 0.5


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _TAGS.sub(" ", _CONTROL.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def rejection(text: str, rules: CleanRules) -> str | None:
    """Why a cleaned text is not kept, or None."""
    if len(text) < rules.min_chars:
        return "too_short"
    if len(text) > rules.max_chars:
        return "too_long"
    letters = sum(ch.isalpha() for ch in text)
    if letters / max(1, len(text.replace(" ", ""))) < rules.min_alpha_ratio:
        return "not_text"
    return None


def clean(documents: list[Document], rules: CleanRules | None = None) -> tuple[list[Document], dict[str, int]]:
    rules = rules or CleanRules()
    kept: list[Document] = []
    dropped: dict[str, int] = {}
    for document in documents:
        text = clean_text(document.text)
        reason = rejection(text, rules)
        if reason:
            dropped[reason] = dropped.get(reason, 0) + 1
        else:
            kept.append(replace(document, text=text))
    return kept, dropped
