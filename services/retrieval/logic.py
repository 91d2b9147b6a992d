"""Retrieval: graph candidates for the classified intent, scenario and products, ranked by meaning.

Score = 0.6 · cosine(utterance, item) + 0.3 · [item answers the intent] + 0.1 · [item is about a
product the customer named]. The store answers within a deadline or the result is `degraded`.
"""

from __future__ import annotations

import asyncio
import logging
import re

import numpy as np
from seatcopilot.classification.v1 import classification_pb2 as cl
from seatcopilot.codec import bare_enum_name
from seatcopilot.encoder import Encoder
from seatcopilot.events.v1 import call_event_pb2 as ev
from seatcopilot.retrieval.v1 import retrieval_pb2 as rt

from services.retrieval.stores import Candidate, KnowledgeStore

log = logging.getLogger(__name__)

PRODUCT_MENTIONS = {
    "personal-loan": re.compile(r"\b(personal|installment)\s+loans?\b|\bloan\b", re.IGNORECASE),
    "line-of-credit": re.compile(r"\bline\s+of\s+credit\b|\bcredit\s+line\b", re.IGNORECASE),
    "secured-card": re.compile(r"\bsecured\s+(credit\s+)?card\b", re.IGNORECASE),
}
SEMANTIC_WEIGHT, INTENT_WEIGHT, PRODUCT_WEIGHT = 0.6, 0.3, 0.1


def mentioned_products(text: str) -> list[str]:
    return sorted(key for key, pattern in PRODUCT_MENTIONS.items() if pattern.search(text))


def rank(candidates: list[Candidate], query: np.ndarray, top_k: int) -> list[rt.KnowledgeItem]:
    scored = []
    for candidate in candidates:
        semantic = float(candidate.embedding @ query)
        score = (SEMANTIC_WEIGHT * semantic + INTENT_WEIGHT * candidate.answers_intent
                 + PRODUCT_WEIGHT * candidate.about_product)
        scored.append((round(score, 6), candidate.record.id, candidate.record))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    return [
        rt.KnowledgeItem(id=r.id, kind=r.kind, title=r.title, text=r.text, source=r.source, version=r.version,
                         effective_date=r.effective_date, score=score)
        for score, _, r in scored[:top_k]
    ]


def _consume_outcome(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so a late failure is not reported as never awaited


class Retriever:
    def __init__(self, store: KnowledgeStore, encoder: Encoder, deadline_s: float, top_k: int) -> None:
        self.store = store
        self.encoder = encoder
        self.deadline_s = deadline_s
        self.top_k = top_k

    async def warm_up(self) -> None:
        """One query at start: connections and query plans are ready before the first customer speaks."""
        try:
            await self.store.candidates("SALES", "rate_question", [])
        except Exception as error:  # the store may come later: health reports it meanwhile
            log.warning("knowledge store not ready at start (%s)", type(error).__name__)

    @staticmethod
    def wants_knowledge(classified: cl.ClassifiedEvent) -> bool:
        event = classified.event
        return event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == ev.SPEAKER_CUSTOMER

    async def retrieve(self, classified: cl.ClassifiedEvent) -> rt.GroundedEvent:
        event = classified.event
        scenario = bare_enum_name(ev.Scenario.DESCRIPTOR, event.scenario)
        intent = classified.classification.intent or "unknown"
        query = (await asyncio.to_thread(self.encoder.encode, [event.text]))[0]
        lookup = asyncio.ensure_future(self.store.candidates(scenario, intent, mentioned_products(event.text)))
        # Past the deadline the answer is degraded, but the query is left to finish: cancelling it
        # would break its pooled connection, and the next query would pay for a new one.
        done, _ = await asyncio.wait({lookup}, timeout=self.deadline_s)
        if not done:
            lookup.add_done_callback(_consume_outcome)
            log.warning("knowledge store slower than %.2f s: answering degraded", self.deadline_s)
            return rt.GroundedEvent(classified=classified, degraded=True)
        try:
            candidates = lookup.result()
        except Exception as error:  # any store failure degrades, never blocks the call
            log.warning("knowledge store unavailable (%s): answering degraded", type(error).__name__)
            return rt.GroundedEvent(classified=classified, degraded=True)
        return rt.GroundedEvent(classified=classified, items=rank(candidates, query, self.top_k))
