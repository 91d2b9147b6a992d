"""Objective metrics: label accuracy, macro F1, exact match, token F1 and ROUGE-L."""

from __future__ import annotations

import re
from collections import Counter

from seatcopilot import text_metrics

_WORD = re.compile(r"\$?\d+(?:[.,]\d+)*%?|[a-z_]+")


def normalize(text: str) -> str:
    """Lower case, first line only, surrounding quotes and punctuation dropped."""
    first = text.strip().split("\n", 1)[0] if text.strip() else ""
    return first.strip().strip("\"'`.,;:!*[]() ").lower()


def as_label(text: str, labels: list[str]) -> str:
    """The answer if it is exactly a label, else '' (a label buried in prose is not a parseable answer)."""
    answer = normalize(text)
    return answer if answer in {label.lower() for label in labels} else ""


def mentioned_label(text: str, labels: list[str]) -> str:
    """The first label the text mentions anywhere (lenient reading, reported beside the strict one)."""
    lowered = text.lower()
    found = [(lowered.find(label.lower()), label.lower()) for label in labels if label.lower() in lowered]
    return min(found)[1] if found else ""


def accuracy(predicted: list[str], gold: list[str]) -> float:
    return sum(p == g.lower() for p, g in zip(predicted, gold, strict=True)) / max(1, len(gold))


def macro_f1(predicted: list[str], gold: list[str]) -> float:
    gold = [g.lower() for g in gold]
    scores = []
    for label in sorted(set(gold)):
        tp = sum(p == label and g == label for p, g in zip(predicted, gold, strict=True))
        fp = sum(p == label and g != label for p, g in zip(predicted, gold, strict=True))
        fn = sum(p != label and g == label for p, g in zip(predicted, gold, strict=True))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / max(1, len(scores))


def tokens(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def exact_match(predicted: str, reference: str) -> float:
    return float(tokens(predicted) == tokens(reference))


def token_f1(predicted: str, reference: str) -> float:
    p, r = tokens(predicted), tokens(reference)
    return text_metrics.f1(sum((Counter(p) & Counter(r)).values()), len(p), len(r))


def rouge_l(predicted: str, reference: str) -> float:
    return text_metrics.rouge_l(tokens(predicted), tokens(reference))
