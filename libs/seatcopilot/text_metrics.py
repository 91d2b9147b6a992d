"""Overlap metrics on token lists, shared by the summaries' evaluation and the model-construction harness:
F1 from overlap counts, ROUGE-N from clipped n-gram overlap and ROUGE-L from the longest common subsequence
(Lin, 2004). Callers choose their own tokenization."""

from __future__ import annotations

from collections import Counter


def f1(overlap: int, candidate_total: int, reference_total: int) -> float:
    if overlap == 0 or candidate_total == 0 or reference_total == 0:
        return 0.0
    precision, recall = overlap / candidate_total, overlap / reference_total
    return 2 * precision * recall / (precision + recall)


def rouge_n(candidate: list[str], reference: list[str], n: int) -> float:
    grams = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
    reference_grams = Counter(tuple(reference[i:i + n]) for i in range(len(reference) - n + 1))
    overlap = sum((grams & reference_grams).values())
    return f1(overlap, sum(grams.values()), sum(reference_grams.values()))


def lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    return f1(lcs_length(candidate, reference), len(candidate), len(reference))
