"""Retrieval: hybrid graph + vector search over the knowledge graph for each customer utterance.

The graph is walked from what the classifier and the call established — scenario, intent, stage,
the products the customer named (or implied by an amount) and their state — and joined with the
items nearest in meaning; candidates are ranked, de-duplicated and fitted in a token budget, each
with its provenance. Eligibility questions are answered by evaluating the graph's rules for what
the customer said during the call, with the rules that decided.

The store answers within a deadline or the result is `degraded` (with the reason); after failures in a
row a breaker opens: calls answer degraded at once, so an outage costs every call no more than a
moment, and a background probe finds out when the store is back.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from prometheus_client import Counter, Histogram
from seatcopilot.calls import ref_key
from seatcopilot.codec import bare_enum_name
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.encoder import Encoder
from seatcopilot.telemetry import LATENCY_BUCKETS

from services.retrieval import planner
from services.retrieval.eligibility import EligibilityFacts, eligibility_item, evaluate
from services.retrieval.entities import (
    STATE_CODES,
    CallMemory,
    CustomerAttributes,
    asks_about_eligibility,
    from_dialogue,
)
from services.retrieval.ranking import estimate_tokens, rank, select, to_item
from services.retrieval.stores import UNKNOWN, Candidate, GraphQuery, KnowledgeStore

log = logging.getLogger(__name__)
T = TypeVar("T")

ELIGIBILITY_INTENT = "eligibility_question"
DEGRADED = Counter("seatcopilot_retrieval_degraded_total", "Retrievals answered degraded", ["reason"])
EMBEDDINGS = Counter("seatcopilot_retrieval_utterance_embeddings_total",
                     "Utterance vectors retrieval used, by source (carried from the classifier or computed here)",
                     ["source"])
STORE_LATENCY = Histogram("seatcopilot_retrieval_store_seconds", "Knowledge store round trip",
                          buckets=LATENCY_BUCKETS)


class StoreUnavailable(ConnectionError):
    """The knowledge store did not answer (timeout, outage, back-off)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"knowledge store unavailable ({reason})")
        self.reason = reason


@dataclass(frozen=True)
class RetrievalSettings:
    deadline_s: float = 0.8
    top_k: int = 3
    token_budget: int = 400
    vector_k: int = 12
    dedupe_similarity: float = 0.92
    retry_after_s: float = 1.0
    min_score: float = 0.2


class Breaker:
    """Closed while the store answers. After `failures` failures in a row it opens: calls answer
    degraded at once, and every retry_after_s one probe (the warm-up, with a generous timeout, off any
    call's deadline) checks whether the store is back; its success closes it. One slow answer alone
    does not open it, and a store that comes back cold is not judged by a call's short deadline."""

    def __init__(self, retry_after_s: float, failures: int = 2) -> None:
        self.retry_after_s = retry_after_s
        self.failures = failures
        self._failed = 0
        self._probe_at = 0.0

    @property
    def open(self) -> bool:
        return self._failed >= self.failures

    def probe_due(self) -> bool:
        """True once per retry_after_s while open: the caller starts the probe."""
        if not self.open or time.monotonic() < self._probe_at:
            return False
        self._probe_at = time.monotonic() + self.retry_after_s
        return True

    def failed(self) -> None:
        self._failed += 1
        if self._failed == self.failures:
            self._probe_at = time.monotonic() + self.retry_after_s

    def succeeded(self) -> None:
        self._failed = 0


def validate_attributes(known: CustomerAttributes) -> None:
    """Attributes sent over gRPC: a clear message for values that cannot be a customer's."""
    checks = [
        (known.annual_income is None or known.annual_income >= 0, "annual_income must not be negative"),
        (known.monthly_debt is None or known.monthly_debt >= 0, "monthly_debt must not be negative"),
        (known.amount is None or known.amount > 0, "amount must be positive"),
        (known.term_months is None or 1 <= known.term_months <= 480, "term_months must be within 1..480"),
        (known.credit_score is None or 300 <= known.credit_score <= 850, "credit_score must be within 300..850"),
        (known.debt_to_income is None or 0 <= known.debt_to_income <= 10, "debt_to_income is a ratio (0.3 = 30%)"),
        (not known.state or known.state in STATE_CODES, "state must be a two-letter US state code"),
    ]
    problems = [message for ok, message in checks if not ok]
    if problems:
        raise ValueError("; ".join(problems))


class Retriever:
    def __init__(self, store: KnowledgeStore, encoder: Encoder, settings: RetrievalSettings | None = None) -> None:
        self.store = store
        self.encoder = encoder
        self.settings = settings or RetrievalSettings()
        self.memory = CallMemory()
        self.breaker = Breaker(self.settings.retry_after_s)
        self._probe: asyncio.Task[None] | None = None

    @staticmethod
    def wants_knowledge(classified: cl.ClassifiedEvent) -> bool:
        event = classified.event
        return event.type == ev.EVENT_TYPE_UTTERANCE and event.speaker == ev.SPEAKER_CUSTOMER

    async def warm_up(self, timeout_s: float = 10.0) -> bool:
        """One search and one eligibility read, so the first call's connection set-up and query
        planning do not eat into its deadline. False when the store did not answer."""
        query = GraphQuery("SALES", UNKNOWN, "discovery", (await asyncio.to_thread(self.encoder.encode, ["hello"]))[0])
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.gather(self.store.search(query), self.store.eligibility(()))
            return True
        except Exception as error:  # the service starts anyway and answers degraded until the store is up
            log.warning("knowledge store warm-up failed (%s)", type(error).__name__)
            return False

    def observe(self, classified: cl.ClassifiedEvent) -> None:
        """Lifecycle events: a call that ended is forgotten."""
        if classified.event.type == ev.EVENT_TYPE_CALL_ENDED:
            self.memory.forget(ref_key(classified.call))

    async def _guarded(self, work: Callable[[], Awaitable[T]]) -> T:
        """Runs one store request within the deadline; failures count toward opening the breaker."""
        if self.breaker.open:
            self._probe_when_due()
            raise StoreUnavailable("store_backoff")
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.deadline_s):
                result = await work()
        except TimeoutError as error:
            self.breaker.failed()
            raise StoreUnavailable("timeout") from error
        except Exception as error:  # any store failure degrades, never blocks the call
            self.breaker.failed()
            log.warning("knowledge store failed (%s): answering degraded", type(error).__name__)
            raise StoreUnavailable("store_unavailable") from error
        finally:
            STORE_LATENCY.observe(time.perf_counter() - started)
        self.breaker.succeeded()
        return result

    def _probe_when_due(self) -> None:
        if (self._probe is None or self._probe.done()) and self.breaker.probe_due():
            self._probe = asyncio.create_task(self._recover())

    async def _recover(self) -> None:
        if await self.warm_up():
            log.info("knowledge store answers again")
            self.breaker.succeeded()

    async def _ask(self, query: GraphQuery, eligibility_products: tuple[str, ...] | None
                   ) -> tuple[list[Candidate], EligibilityFacts | None]:
        async def both() -> tuple[list[Candidate], EligibilityFacts | None]:
            if eligibility_products is None:
                return await self.store.search(query), None
            found, facts = await asyncio.gather(self.store.search(query), self.store.eligibility(eligibility_products))
            return found, facts

        return await self._guarded(both)

    async def _embedding(self, classified: cl.ClassifiedEvent) -> np.ndarray:
        """The vector the classifier carried when it is in this encoder's space; else computed here."""
        carried = classified.utterance_embedding
        if (classified.embedding_model and classified.embedding_model == getattr(self.encoder, "identity", None)
                and len(carried) == self.encoder.dimensions):
            EMBEDDINGS.labels("carried").inc()
            return np.asarray(carried, dtype=np.float32)
        EMBEDDINGS.labels("computed").inc()
        return (await asyncio.to_thread(self.encoder.encode, [classified.event.text]))[0]

    async def _query(self, classified: cl.ClassifiedEvent, known: CustomerAttributes) -> GraphQuery:
        label = classified.classification
        embedding = await self._embedding(classified)
        return GraphQuery(
            scenario=bare_enum_name(ev.Scenario.DESCRIPTOR, classified.call.scenario), intent=label.intent or UNKNOWN,
            stage=label.stage or "discovery", embedding=embedding, products=known.products, state=known.state,
            amount=known.amount, vector_k=self.settings.vector_k,
        )

    async def retrieve(self, classified: cl.ClassifiedEvent) -> rt.GroundedEvent:
        event, call = classified.event, classified.call
        if classified.dialogue.last_seq:  # the classifier stage's dialogue state: the one owner of these facts
            known = from_dialogue(classified.dialogue)
        elif self.wants_knowledge(classified):
            known = self.memory.learn(ref_key(call), event.text)
        else:
            known = self.memory.known(ref_key(call))
        grounded = rt.GroundedEvent(call=call, classified=classified, attributes=known.to_proto(),
                                    token_budget=self.settings.token_budget)
        query = await self._query(classified, known)
        eligible_question = query.intent == ELIGIBILITY_INTENT or asks_about_eligibility(event.text)
        customer_turn = self.wants_knowledge(classified)
        try:  # the graph's product facts for every customer turn: the planner computes answers from them
            candidates, facts = await self._ask(query, known.products if customer_turn else None)
        except StoreUnavailable as unavailable:
            DEGRADED.labels(unavailable.reason).inc()
            grounded.degraded, grounded.degraded_reason = True, unavailable.reason
            return grounded
        self._fill(grounded, query, candidates, facts if eligible_question else None, known)
        if customer_turn:
            answer = planner.plan(event.text, query.scenario, call.seq, classified.dialogue, known, facts,
                                  list(grounded.eligibility), list(grounded.items))
            if answer is not None:
                grounded.plan.CopyFrom(answer)
        return grounded

    def _fill(self, grounded: rt.GroundedEvent, query: GraphQuery, candidates: list[Candidate],
              facts: EligibilityFacts | None, known: CustomerAttributes) -> None:
        reserved: list[rt.KnowledgeItem] = []
        if facts is not None and facts.products:
            grounded.eligibility.extend(evaluate(facts, known))
            summary = eligibility_item(list(grounded.eligibility), facts.rules)
            summary.tokens = estimate_tokens(f"{summary.title} {summary.text}")
            reserved.append(summary)
        used_by_reserved = sum(item.tokens for item in reserved)
        top_k = max(0, self.settings.top_k - len(reserved))
        kept, used = select(rank(candidates, query.embedding), top_k, self.settings.token_budget,
                            self.settings.dedupe_similarity, self.settings.min_score, used_by_reserved)
        grounded.items.extend([*reserved, *(to_item(entry, query) for entry in kept)])
        grounded.tokens_used = used

    async def check_eligibility(self, request: rt.EligibilityRequest) -> rt.EligibilityResponse:
        known = CustomerAttributes.from_proto(request.attributes)
        validate_attributes(known)
        asked = set(request.products)
        facts = await self._guarded(lambda: self.store.eligibility(()))
        offered = {p.key for p in facts.products}
        if asked - offered:
            raise ValueError(f"unknown products: {', '.join(sorted(asked - offered))} "
                             f"(known: {', '.join(sorted(offered))})")
        chosen = tuple(p for p in facts.products if not asked or p.key in asked)
        return rt.EligibilityResponse(results=evaluate(EligibilityFacts(chosen, facts.rules, facts.bands), known))
