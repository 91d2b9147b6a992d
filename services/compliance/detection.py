"""Which rules or signals a text sets off, sentence by sentence: phrases and patterns first, then
the embedding matcher for what they missed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from seatcopilot.policy import Rule, Signal

from services.compliance.semantic import SemanticMatcher

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
LEXICAL, SEMANTIC = "lexical", "semantic"


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


@dataclass(frozen=True)
class Hit:
    id: str
    sentence: int
    method: str
    score: float


class Detector:
    def __init__(self, matcher: SemanticMatcher | None) -> None:
        self.matcher = matcher

    def scan(self, sentences: list[str], items: Sequence[Rule | Signal]) -> list[Hit]:
        """Every (item, sentence) match, lexical ones winning; items keep their pack order."""
        hits = [Hit(item.id, index, LEXICAL, 1.0) for item in items
                for index, sentence in enumerate(sentences) if item.matches(sentence)]
        if self.matcher is not None:
            lexical = {(hit.id, hit.sentence) for hit in hits}
            semantic = self.matcher.match(sentences, [item.id for item in items])
            hits += [Hit(h.id, h.sentence, SEMANTIC, h.score) for h in semantic if (h.id, h.sentence) not in lexical]
        order = {item.id: position for position, item in enumerate(items)}
        return sorted(hits, key=lambda hit: (order[hit.id], hit.sentence))

    def first_hits(self, text: str, items: Sequence[Rule | Signal]) -> list[Hit]:
        """One hit per item that text sets off (its first sentence)."""
        return first_per_item(self.scan(split_sentences(text), items))


def first_per_item(hits: list[Hit]) -> list[Hit]:
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit.id, hit)
    return list(first.values())
