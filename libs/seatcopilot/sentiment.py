"""Customer sentiment from lexicon cues (the `sentiment` section of data/summaries/lexicon.yaml), shared by the
summarizer (each call's sentiment trend in its summaries) and the console (the live mood on the manager's floor).

A cue right after a negator (within two words) counts the other way; a turn without cues has no score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from seatcopilot.paths import data_path
from seatcopilot.policy import phrase_pattern

DEFAULT_LEXICON = data_path("summaries", "lexicon.yaml")
# The live mood is the mean of the last few scored customer turns.
RECENT_TURNS = 3
THRESHOLD = 0.25


class Cues(Protocol):
    """Read-only, so frozen dataclasses (the summarizer's lexicon, SentimentCues) satisfy it."""

    @property
    def positive(self) -> re.Pattern[str]: ...

    @property
    def negative(self) -> re.Pattern[str]: ...

    @property
    def negators(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class SentimentCues:
    positive: re.Pattern[str]
    negative: re.Pattern[str]
    negators: frozenset[str]


def any_of(phrases: list[str]) -> re.Pattern[str]:
    """One pattern matching any phrase (longest first, so "secured credit card" beats "credit card")."""
    parts = sorted((phrase_pattern(p).pattern for p in phrases), key=len, reverse=True)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


def load_cues(path: Path = DEFAULT_LEXICON) -> SentimentCues:
    section = yaml.safe_load(Path(path).read_text())["sentiment"]
    return SentimentCues(any_of([str(p) for p in section["positive"]]), any_of([str(p) for p in section["negative"]]),
                         frozenset(str(w).lower() for w in section["negators"]))


def score(text: str, cues: Cues) -> float | None:
    """Positive minus negative cues over all cues, a cue right after a negator flipped; None without cues."""
    lowered = text.lower()
    total, count = 0, 0
    for pattern, sign in ((cues.positive, 1), (cues.negative, -1)):
        for match in pattern.finditer(lowered):
            before = re.findall(r"[a-z']+", lowered[:match.start()])[-2:]
            negated = any(word in cues.negators for word in before)
            total += -sign if negated else sign
            count += 1
    return None if count == 0 else total / count


def mood(scores: list[float]) -> str:
    """positive, negative or neutral over the last RECENT_TURNS scored turns; unknown without any."""
    recent = scores[-RECENT_TURNS:]
    if not recent:
        return "unknown"
    mean = sum(recent) / len(recent)
    return "positive" if mean > THRESHOLD else "negative" if mean < -THRESHOLD else "neutral"
