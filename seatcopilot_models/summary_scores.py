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

from seatcopilot.contracts.summary.v1 import summary_pb2 as sm
from seatcopilot.text_metrics import rouge_l, rouge_n

from services.summarizer.facts import canonical_number
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


# -- slot recall: the labelled facts of a call the summary carries ---------------------------------

SLOT_KINDS = ("promise", "amount", "date", "callback")


def _same_amount(said: str, labelled: str) -> bool:
    return canonical_number(said) == canonical_number(labelled)


def slot_found(summary: sm.Summary, slot: dict[str, str]) -> bool:
    """Whether the summary's own slots (promises, facts, callbacks) hold one labelled fact. Amounts match on
    their value ("$1,200" = "$1200"); dates and callback times on the labelled words inside what was kept
    ("December 5th" in "2026-12-05 (December 5th)")."""
    kind = slot["kind"]
    if kind == "promise":
        return any(_same_amount(p.amount, slot["amount"]) and slot.get("date", "").lower() in p.date.lower()
                   for p in summary.promises)
    if kind == "amount":
        return any(_same_amount(f.value, slot["value"]) for f in summary.facts if f.kind == "amount") or any(
            _same_amount(p.amount, slot["value"]) for p in summary.promises)
    if kind == "date":
        return any(slot["value"].lower() in f.value.lower() for f in summary.facts if f.kind == "date")
    if kind == "callback":
        return any(slot["value"].lower() in c.when.lower() for c in summary.callbacks)
    raise ValueError(f"unknown slot kind {kind!r}: expected one of {', '.join(SLOT_KINDS)}")


def slot_recall(found: dict[str, list[bool]]) -> float:
    """The share of labelled slots found, over every kind (0.0 when none is labelled)."""
    flags = [flag for kind in found.values() for flag in kind]
    return sum(flags) / len(flags) if flags else 0.0
