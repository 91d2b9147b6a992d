"""Which rules or signals a text sets off, sentence by sentence: phrases and patterns first, then
the embedding matcher and the learned detector for what they missed. An item fires if any of them
fires; the hit says which (method), the sentence and the score."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
from seatcopilot.policy import Rule, Signal

from services.compliance.learned import CUSTOMER, GIVES, OPERATOR, SAYS_BEFORE, LearnedModel
from services.compliance.semantic import Embed, SemanticMatcher

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")
LEXICAL, SEMANTIC, DETECTOR = "lexical", "semantic", "detector"
RECENT_TEXTS = 2048


MIN_LEARNED_WORDS = 3  # a sentence of fewer words is read by the learned paths with its neighbour


def split_sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def learned_units(sentences: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The (index, text) units the learned paths judge: each sentence, except that a fragment of one or two words
    ("Easy.", "Right.", "Sure thing.") is read together with the next sentence (the last one's with the one before)
    under that sentence's index. Alone, a fragment carries no claim, and the learned paths' scores on it are noise
    (a lone "Easy." read as an insult); phrases and patterns still read it on its own. A text of fragments only is
    left as it is."""
    if all(_short(text) for _, text in sentences):
        return list(sentences)
    units: list[tuple[int, str]] = []
    pending: list[str] = []
    for index, text in sentences:
        if _short(text):
            pending.append(text)
            continue
        units.append((index, " ".join([*pending, text])))
        pending = []
    if pending:
        index, text = units[-1]
        units[-1] = (index, " ".join([text, *pending]))
    return units


def _short(sentence: str) -> bool:
    return len(sentence.split()) < MIN_LEARNED_WORDS


@dataclass(frozen=True)
class Hit:
    id: str
    sentence: int
    method: str
    score: float


class LearnedScorer:
    """The learned detector at run time. Each sentence is scored, and a text of several sentences is
    also scored whole (a claim split over two sentences), its score going to each label's best
    sentence. Scores are remembered per text: an operator turn is read for rules and obligations."""

    def __init__(self, model: LearnedModel, embed: Embed, threshold: float | None = None) -> None:
        self.model = model
        self.embed = embed
        self.threshold = model.settings.threshold if threshold is None else threshold
        self.signal_threshold = max(self.threshold, model.settings.signal_threshold)
        self._recent: OrderedDict[tuple[str, tuple[str, ...]], np.ndarray] = OrderedDict()

    def scores(self, speaker: str, sentences: Sequence[str]) -> tuple[list[str], np.ndarray]:
        """The speaker model's labels and a (sentences × labels) matrix of calibrated probabilities."""
        labels = self.model.labels(speaker)
        key = (speaker, tuple(sentences))
        if key in self._recent:
            self._recent.move_to_end(key)
            return labels, self._recent[key]
        if not labels or not sentences:
            return labels, np.zeros((len(sentences), len(labels)))
        texts = [*sentences, " ".join(sentences)] if len(sentences) > 1 else list(sentences)
        matrix = self.model.scores(speaker, self.embed(texts), texts)
        if len(sentences) > 1:
            whole, matrix = matrix[-1], matrix[:-1].copy()
            best, columns = matrix.argmax(axis=0), np.arange(len(labels))
            matrix[best, columns] = np.maximum(matrix[best, columns], whole)
        self._recent[key] = matrix
        if len(self._recent) > RECENT_TEXTS:
            self._recent.popitem(last=False)
        return labels, matrix

    def hits(self, speaker: str, sentences: Sequence[str], ids: Collection[str]) -> list[Hit]:
        labels, matrix = self.scores(speaker, sentences)
        bar = self.signal_threshold if speaker == CUSTOMER else self.threshold
        return [Hit(label, int(row), DETECTOR, float(matrix[row, column]))
                for column, label in enumerate(labels) if label in ids
                for row in np.flatnonzero(matrix[:, column] >= bar)]

    def obligations(self, sentences: Sequence[str], prefix: str = GIVES) -> dict[str, Hit]:
        """Obligations the operator's sentences give (GIVES) or say what must wait for (SAYS_BEFORE),
        by obligation id, with the best sentence."""
        labels, matrix = self.scores(OPERATOR, sentences)
        found = {}
        for column, label in enumerate(labels):
            if label.startswith(prefix) and len(sentences) and matrix[:, column].max() >= self.threshold:
                row = int(matrix[:, column].argmax())
                found[label.removeprefix(prefix)] = Hit(label.removeprefix(prefix), row, DETECTOR,
                                                        float(matrix[row, column]))
        return found

    def gives(self, text: str) -> set[str]:
        return set(self.obligations(split_sentences(text), GIVES))

    def says_before(self, text: str) -> set[str]:
        return set(self.obligations(split_sentences(text), SAYS_BEFORE))


class Detector:
    def __init__(self, matcher: SemanticMatcher | None, learned: LearnedScorer | None = None) -> None:
        self.matcher = matcher
        self.learned = learned

    def scan(self, sentences: list[str], items: Sequence[Rule | Signal], trusted: Collection[str] = ()) -> list[Hit]:
        """Every (item, sentence) match, lexical ones winning, then semantic, then the detector; items
        keep their pack order. `trusted` sentences (the pack's own templates) skip the learned paths."""
        hits = [Hit(item.id, index, LEXICAL, 1.0) for item in items
                for index, sentence in enumerate(sentences) if item.matches(sentence)]
        learnable = learned_units([(i, s) for i, s in enumerate(sentences) if s not in trusted])
        if learnable and items:
            found = {(hit.id, hit.sentence) for hit in hits}
            for hit in self._learned_hits([s for _, s in learnable], items):
                original = Hit(hit.id, learnable[hit.sentence][0], hit.method, hit.score)
                if (original.id, original.sentence) not in found:
                    found.add((original.id, original.sentence))
                    hits.append(original)
        by_id = {item.id: item for item in items}
        hits = [hit for hit in hits if not _exempt(by_id[hit.id], sentences[hit.sentence])]
        order = {item.id: position for position, item in enumerate(items)}
        return sorted(hits, key=lambda hit: (order[hit.id], hit.sentence))

    def _learned_hits(self, sentences: list[str], items: Sequence[Rule | Signal]) -> list[Hit]:
        hits: list[Hit] = []
        if self.matcher is not None:
            hits += [Hit(h.id, h.sentence, SEMANTIC, h.score)
                     for h in self.matcher.match(sentences, [item.id for item in items])]
        if self.learned is not None:
            speaker = CUSTOMER if isinstance(items[0], Signal) else OPERATOR
            hits += self.learned.hits(speaker, sentences, {item.id for item in items})
        return hits

    def first_hits(self, text: str, items: Sequence[Rule | Signal]) -> list[Hit]:
        """One hit per item that text sets off (its first sentence)."""
        return first_per_item(self.scan(split_sentences(text), items))

    def gives(self, text: str) -> set[str]:
        """Obligations the detector recognises as given in text, however worded."""
        return self.learned.gives(text) if self.learned is not None else set()

    def says_before(self, text: str) -> set[str]:
        return self.learned.says_before(text) if self.learned is not None else set()


def _exempt(item: Rule | Signal, sentence: str) -> bool:
    return isinstance(item, Rule) and item.exempt(sentence)


def first_per_item(hits: list[Hit]) -> list[Hit]:
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit.id, hit)
    return list(first.values())
