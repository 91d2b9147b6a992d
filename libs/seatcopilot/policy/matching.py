"""A pack's phrases and patterns as compiled matchers: phrases on word boundaries, case-insensitive."""

from __future__ import annotations

import re


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A phrase matched case-insensitively on word boundaries, tolerant of repeated spaces."""
    words = [re.escape(word) for word in phrase.lower().split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def compile_matchers(phrases: tuple[str, ...], patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(phrase_pattern(p) for p in phrases) + tuple(re.compile(p, re.IGNORECASE) for p in patterns)
