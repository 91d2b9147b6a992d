"""Scoring summaries: ROUGE-1, ROUGE-2 and ROUGE-L F1 against a reference, and faithfulness
(the share of summary sentences the dialogue supports, as verify.py judges them).

ROUGE follows the usual definition (Lin, 2004) on lowercased alphanumeric tokens, without stemming
or stopword removal: ROUGE-N from clipped n-gram overlap, ROUGE-L from the longest common
subsequence of the whole token sequences. Scores are averaged over examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from seatcopilot.text_metrics import rouge_l, rouge_n

from services.summarizer.lexicon import Lexicon
from services.summarizer.verify import faithfulness

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


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
