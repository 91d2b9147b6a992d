"""Scoring summaries: ROUGE-1, ROUGE-2 and ROUGE-L F1 against a reference, and faithfulness
(the share of summary sentences the dialogue supports, as verify.py judges them).

ROUGE follows the usual definition (Lin, 2004) on lowercased alphanumeric tokens, without stemming
or stopword removal: ROUGE-N from clipped n-gram overlap, ROUGE-L from the longest common
subsequence of the whole token sequences. Scores are averaged over examples.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from services.summarizer.lexicon import Lexicon
from services.summarizer.verify import faithfulness

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _f1(overlap: int, candidate_total: int, reference_total: int) -> float:
    if overlap == 0 or candidate_total == 0 or reference_total == 0:
        return 0.0
    precision, recall = overlap / candidate_total, overlap / reference_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    grams = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    reference_grams = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((grams & reference_grams).values())
    return _f1(overlap, sum(grams.values()), sum(reference_grams.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    return _f1(lcs_length(candidate, reference), len(candidate), len(reference))


@dataclass
class Scores:
    rouge1: float
    rouge2: float
    rougeL: float
    faithfulness: float


def score(candidate: str, reference: str, dialogue: Iterable[str], lexicon: Lexicon) -> Scores:
    c, r = tokens(candidate), tokens(reference)
    return Scores(rouge_n(c, r, 1), rouge_n(c, r, 2), rouge_l(c, r), faithfulness(candidate, dialogue, lexicon))


def mean(scores: list[Scores]) -> Scores:
    if not scores:
        return Scores(0.0, 0.0, 0.0, 0.0)
    count = len(scores)
    return Scores(*(sum(getattr(s, name) for s in scores) / count
                    for name in ("rouge1", "rouge2", "rougeL", "faithfulness")))
