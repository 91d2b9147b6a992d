"""What the summarizer recognises in what was said: products, follow-up intents, operator
commitments, callbacks and sentiment cues, from data/summaries/lexicon.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from seatcopilot.paths import data_path
from seatcopilot.policy import phrase_pattern

DEFAULT_LEXICON = data_path("summaries", "lexicon.yaml")


class LexiconError(ValueError):
    """The lexicon file is malformed."""


def _any_of(phrases: list[str]) -> re.Pattern[str]:
    """One pattern matching any phrase (longest first, so "secured credit card" beats "credit card")."""
    parts = sorted((phrase_pattern(p).pattern for p in phrases), key=len, reverse=True)
    return re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)


@dataclass(frozen=True)
class Lexicon:
    products: dict[str, re.Pattern[str]]
    follow_up_intents: dict[str, str]
    routine_intents: frozenset[str]
    operator_commitment: re.Pattern[str]
    callback: re.Pattern[str]
    positive: re.Pattern[str]
    negative: re.Pattern[str]
    negators: frozenset[str]

    def products_in(self, text: str) -> list[str]:
        return [name for name, pattern in self.products.items() if pattern.search(text)]


def load_lexicon(path: Path = DEFAULT_LEXICON) -> Lexicon:
    try:
        data = yaml.safe_load(Path(path).read_text())
        sentiment = data["sentiment"]
        return Lexicon(
            products={str(name): _any_of([str(a) for a in aliases]) for name, aliases in data["products"].items()},
            follow_up_intents={str(k): str(v) for k, v in data["follow_up_intents"].items()},
            routine_intents=frozenset(str(i) for i in data.get("routine_intents") or []),
            operator_commitment=_any_of([str(p) for p in data["operator_commitments"]]),
            callback=_any_of([str(p) for p in data["callbacks"]]),
            positive=_any_of([str(p) for p in sentiment["positive"]]),
            negative=_any_of([str(p) for p in sentiment["negative"]]),
            negators=frozenset(str(w).lower() for w in sentiment["negators"]),
        )
    except (KeyError, TypeError, AttributeError, yaml.YAMLError, re.error) as error:
        raise LexiconError(f"{path}: {error}") from error
