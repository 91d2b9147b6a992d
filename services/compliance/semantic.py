"""The embedding matcher: a sentence matches a rule (or signal) when it is near one of the rule's
examples and nearer to them than to anything compliant.

Phrases and patterns catch the wordings a pack lists; this catches paraphrases of them ("approval
is a sure thing"). Negation is where embeddings are weak ("you won't be arrested" sits close to
"you'll be arrested"), so every positive match must beat the nearest compliant sentence (the
rule's counter-examples, the pack's compliant examples, its rewrite templates and disclosures) by
the pack's margin.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from seatcopilot.batching import MicroBatcher
from seatcopilot.policy import Policy, Rule, Signal

Embed = Callable[[list[str]], np.ndarray]
RECENT_SENTENCES = 4096


class ExampleCache:
    """Embeddings of pack examples, shared by every pack of a process (tenant packs repeat their base's)."""

    def __init__(self, embed: Embed) -> None:
        self.embed = embed
        self._vectors: dict[str, np.ndarray] = {}

    def vectors(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embed(missing), strict=True):
                self._vectors[text] = vector
        return np.stack([self._vectors[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)


class RecentVectors:
    """An encoder that remembers what it encoded lately, so the embedding matcher and the learned
    detector share one encode per sentence. `warm` encodes ahead, off the event loop and batched with other
    calls' sentences (the micro-batcher), so the judging that follows finds every vector here."""

    def __init__(self, embed: Embed, size: int = RECENT_SENTENCES, batcher: MicroBatcher | None = None) -> None:
        self.embed = embed
        self.size = size
        self.batcher = batcher
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = self._missing(texts)
        if missing:
            self._keep(missing, self.embed(missing))
        for text in texts:
            self._recent.move_to_end(text)
        return np.stack([self._recent[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)

    async def warm(self, texts: list[str]) -> None:
        missing = self._missing(texts)
        if not missing:
            return
        vectors: Any  # an (n × d) array from embed, or the batcher's n vectors
        if self.batcher is None:
            vectors = await asyncio.to_thread(self.embed, missing)
        else:
            vectors = await asyncio.gather(*(asyncio.wrap_future(self.batcher.submit(t)) for t in missing))
        self._keep(missing, vectors)

    def _missing(self, texts: list[str]) -> list[str]:
        return [t for t in dict.fromkeys(texts) if t not in self._recent]

    def _keep(self, texts: list[str], vectors: Sequence[np.ndarray] | np.ndarray) -> None:
        self._recent.update(zip(texts, vectors, strict=True))
        while len(self._recent) > self.size:
            self._recent.popitem(last=False)


@lru_cache(maxsize=4)
def example_cache_for(embed: Embed) -> ExampleCache:
    """One cache per encoder and process: the embedded mode builds an engine per run."""
    return ExampleCache(embed)


@dataclass(frozen=True)
class SemanticHit:
    id: str
    sentence: int
    score: float


def _compliant_texts(policy: Policy) -> list[str]:
    """What the pack says is fine to say: its compliant examples, rewrites and disclosures."""
    texts = list(policy.compliant_examples)
    texts += [rule.rewrite for rule in policy.rules if rule.rewrite]
    texts += [o.disclosure_text for o in (*policy.obligations, *policy.triggered_obligations)]
    return texts


class SemanticMatcher:
    def __init__(self, policy: Policy, embed: Embed, cache: ExampleCache | None = None) -> None:
        self.embed = embed
        self.threshold = policy.semantic_threshold
        self.margin = policy.semantic_margin
        items: Sequence[Rule | Signal] = (*policy.rules, *policy.signals)
        texts: list[str] = _compliant_texts(policy)
        self._background = np.arange(len(texts))
        self._positive: dict[str, np.ndarray] = {}
        self._negative: dict[str, np.ndarray] = {}
        self._threshold: dict[str, float] = {}
        for item in items:
            if not item.examples:
                continue
            self._positive[item.id] = np.arange(len(texts), len(texts) + len(item.examples))
            texts += item.examples
            self._negative[item.id] = np.arange(len(texts), len(texts) + len(item.counter_examples))
            texts += item.counter_examples
            self._threshold[item.id] = item.semantic_threshold or self.threshold
        self.vectors = (cache or example_cache_for(embed)).vectors(texts)
        self._known = dict(zip(texts, self.vectors, strict=True))
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def _sentence_vectors(self, sentences: list[str]) -> np.ndarray:
        """Encodes only sentences not seen lately: a rewritten draft is re-checked from its kept
        sentences, the pack's templates and its disclosures, all already encoded."""
        missing = [s for s in dict.fromkeys(sentences) if s not in self._known and s not in self._recent]
        if missing:
            self._recent.update(zip(missing, self.embed(missing), strict=True))
            while len(self._recent) > RECENT_SENTENCES:
                self._recent.popitem(last=False)
        return np.stack([self._known[s] if s in self._known else self._recent[s] for s in sentences])

    def covers(self, item_id: str) -> bool:
        return item_id in self._positive

    def match(self, sentences: list[str], item_ids: Sequence[str]) -> list[SemanticHit]:
        """For each item, every sentence that matches it, with its similarity to the nearest example."""
        wanted = [i for i in item_ids if i in self._positive]
        if not wanted or not sentences:
            return []
        similarity = self._sentence_vectors(sentences) @ self.vectors.T
        background = similarity[:, self._background].max(axis=1) if len(self._background) else None
        hits = []
        for item_id in wanted:
            positive = similarity[:, self._positive[item_id]].max(axis=1)
            negative_columns = self._negative[item_id]
            nearest_compliant = np.full(len(sentences), -1.0)
            if background is not None:
                nearest_compliant = np.maximum(nearest_compliant, background)
            if len(negative_columns):
                nearest_compliant = np.maximum(nearest_compliant, similarity[:, negative_columns].max(axis=1))
            matched = (positive >= self._threshold[item_id]) & (positive >= nearest_compliant + self.margin)
            hits += [SemanticHit(item_id, int(i), float(positive[i])) for i in np.flatnonzero(matched)]
        return hits
