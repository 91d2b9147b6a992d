"""Ranking the candidates a store found, de-duplicating them and fitting them in a token budget.

score = 0.6 · cosine(utterance, item) + 0.3 · [answers the intent] + 0.1 · [about a product the
customer named or implied] + 0.1 · [meant for the customer's state] + 0.05 · [meant for the call's
stage] − 0.25 · [only about products not offered in the customer's state]. Items below a minimum
score are not knowledge for this utterance, whatever their rank. The weights were set by hand (the
meaning dominates, the graph decides between close calls) and are measured by `make bench` (recall@5
on a labelled query set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt

from services.retrieval.stores import Candidate, GraphQuery

SEMANTIC, INTENT, PRODUCT, STATE, STAGE, UNAVAILABLE = 0.6, 0.3, 0.1, 0.1, 0.05, 0.25
_TOKEN = re.compile(r"\w+|[^\w\s]")


def estimate_tokens(text: str) -> int:
    """Words and punctuation marks: close to what a sub-word tokenizer counts for plain English."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class Ranked:
    candidate: Candidate
    score: float
    tokens: int


def score(candidate: Candidate, query_embedding: np.ndarray) -> float:
    semantic = float(candidate.embedding @ query_embedding)
    return round(SEMANTIC * semantic + INTENT * candidate.answers_intent + PRODUCT * candidate.about_product
                 + STATE * candidate.for_state + STAGE * candidate.at_stage - UNAVAILABLE * candidate.unavailable, 6)


def rank(candidates: list[Candidate], query_embedding: np.ndarray) -> list[Ranked]:
    ranked = [Ranked(c, score(c, query_embedding), estimate_tokens(f"{c.record.title} {c.record.text}"))
              for c in candidates]
    return sorted(ranked, key=lambda r: (-r.score, r.candidate.record.id))


def select(ranked: list[Ranked], top_k: int, token_budget: int, dedupe_similarity: float,
           min_score: float = 0.0, reserved_tokens: int = 0) -> tuple[list[Ranked], int]:
    """The best items, at most top_k, none under min_score, skipping near-duplicates of a better one and
    what would overflow the budget (a smaller item further down may still fit). Returns them and the
    tokens used."""
    kept: list[Ranked] = []
    used = reserved_tokens
    for entry in ranked:
        if len(kept) >= top_k or entry.score < min_score:
            break
        if any(float(entry.candidate.embedding @ k.candidate.embedding) >= dedupe_similarity for k in kept):
            continue
        if used + entry.tokens > token_budget:
            continue
        kept.append(entry)
        used += entry.tokens
    return kept, used


def provenance(candidate: Candidate, query: GraphQuery) -> tuple[list[str], list[str]]:
    """(how it was matched, the graph nodes that selected it)."""
    matched_by, nodes = ["scenario"], [f"Scenario:{query.scenario}"]
    if candidate.answers_intent:
        matched_by.append("intent")
        nodes.append(f"Intent:{query.intent}")
    if candidate.about_product:
        matched_by.append("product")
        nodes += [f"Product:{p}" for p in candidate.products_matched]
    if candidate.for_state:
        matched_by.append("state")
        nodes.append(f"State:{query.state}")
    if candidate.at_stage:
        matched_by.append("stage")
        nodes.append(f"Stage:{query.stage}")
    if candidate.vector_hit:
        matched_by.append("vector")
    return matched_by, [*nodes, f"Item:{candidate.record.id}"]


def to_item(entry: Ranked, query: GraphQuery) -> rt.KnowledgeItem:
    record = entry.candidate.record
    matched_by, nodes = provenance(entry.candidate, query)
    return rt.KnowledgeItem(
        id=record.id, kind=record.kind, title=record.title, text=record.text, source=record.source,
        version=record.version, effective_date=record.effective_date, score=entry.score, matched_by=matched_by,
        node_ids=nodes, regulation_ids=list(record.regulations), tokens=entry.tokens,
    )
