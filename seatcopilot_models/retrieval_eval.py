"""The labelled query set (data/knowledge/queries.yaml) and what is measured on it: recall@k of
the items a good answer needs. Used by `make bench` and by the store parity test."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from seatcopilot import codec
from seatcopilot.calls import call_ref
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.paths import data_path

from services.retrieval.logic import Retriever

DATA = data_path()
DEFAULT_QUERIES = DATA / "knowledge" / "queries.yaml"
INTENT_SEEDS = DATA / "intents" / "seed.yaml"


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    scenario: str
    intent: str
    relevant: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    query: LabelledQuery
    grounded: rt.GroundedEvent
    seconds: float

    def ids(self) -> list[str]:
        return [item.id for item in self.grounded.items if item.kind != "ELIGIBILITY"]


def load_queries(path: Path = DEFAULT_QUERIES) -> list[LabelledQuery]:
    data = yaml.safe_load(Path(path).read_text())
    return [LabelledQuery(q["text"], q["scenario"], q["intent"], tuple(q["relevant"])) for q in data["queries"]]


def intent_stages(path: Path = INTENT_SEEDS) -> dict[str, str]:
    """The call stage each intent belongs to (what the classifier reports with it)."""
    return {name: entry["stage"] for name, entry in yaml.safe_load(Path(path).read_text())["intents"].items()}


def classified(query: LabelledQuery, intent: str, stage: str, call_id: str) -> cl.ClassifiedEvent:
    event = codec.from_dict({"call_id": call_id, "seq": 1, "tenant": "harbor", "scenario": query.scenario,
                             "type": "UTTERANCE", "speaker": "CUSTOMER", "text": query.text, "is_final": True},
                            ev.CallEvent)
    return cl.ClassifiedEvent(call=call_ref(event), event=event,
                              classification=cl.Classification(intent=intent, stage=stage))


async def run_queries(retriever: Retriever, queries: list[LabelledQuery],
                      intents: list[str] | None = None) -> list[Outcome]:
    """Each query as its own call (nothing carried over), with the given intents or the labelled ones."""
    stages = intent_stages()
    outcomes = []
    for number, query in enumerate(queries):
        intent = intents[number] if intents else query.intent
        message = classified(query, intent, stages.get(intent, "discovery"), f"eval-{number}")
        started = time.perf_counter()
        grounded = await retriever.retrieve(message)
        outcomes.append(Outcome(query, grounded, time.perf_counter() - started))
        retriever.memory.forget(message.event.call_id)
    return outcomes


def recall_at(outcomes: list[Outcome], k: int) -> tuple[float, float]:
    """(mean share of the relevant items in the top k, share of queries with at least one in the top k)."""
    shares, hits = [], []
    for outcome in outcomes:
        found = set(outcome.ids()[:k]) & set(outcome.query.relevant)
        shares.append(len(found) / len(outcome.query.relevant))
        hits.append(1.0 if found else 0.0)
    return sum(shares) / len(shares), sum(hits) / len(hits)
