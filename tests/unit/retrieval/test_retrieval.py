"""Retrieval on the embedded store: hybrid graph + vector search with provenance, the token budget,
de-duplication, eligibility across a call, degraded answers and recovery, the gRPC face, and the
rule that Cypher is never built from strings. (Neo4j itself: tests/integration/test_neo4j_knowledge.py.)"""

import ast
import asyncio
import dataclasses
import io
import json
import time
from pathlib import Path

import grpc
import numpy as np
import pytest
from seatcopilot.contracts.classification.v1 import classification_pb2 as cl
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2 as rt
from seatcopilot.contracts.retrieval.v1 import retrieval_pb2_grpc
from seatcopilot.encoder import shared_encoder
from seatcopilot.grpc_util import Health, build_server

from seatcopilot_cli.replay import replay
from services.retrieval import grpc_adapter
from services.retrieval.config import DEFAULT_KB
from services.retrieval.knowledge import load_knowledge_base
from services.retrieval.logic import RetrievalSettings, Retriever
from services.retrieval.stores import EmbeddedGraphStore, GraphQuery
from tests.helpers import CALLS, ROOT, classified_event, make_event


@pytest.fixture(scope="module")
def kb():
    return load_knowledge_base(DEFAULT_KB)


@pytest.fixture(scope="module")
def store(kb):
    return EmbeddedGraphStore.build(kb, shared_encoder())


def classified(text, intent, scenario="SALES", stage="discovery", call_id="call-r1", seq=1, **extra):
    return classified_event(make_event(call_id=call_id, seq=seq, text=text, scenario=scenario, **extra),
                              classification=cl.Classification(intent=intent, stage=stage))


def retrieve(retriever, *messages):
    async def run():
        return [await retriever.retrieve(m) for m in messages]

    return asyncio.run(run())


def test_an_answer_comes_with_its_provenance(store):
    retriever = Retriever(store, shared_encoder())
    [grounded] = retrieve(retriever, classified("What APR would I get on a personal loan?", "rate_question"))
    assert not grounded.degraded and 1 <= len(grounded.items) <= 3
    assert grounded.items[0].id in {"script.sales.rate-disclosure", "prod.personal-loan",
                                    "script.sales.credit-band-pricing"}
    for item in grounded.items:
        assert item.source and item.version and item.effective_date and item.tokens > 0
        assert item.matched_by[0] == "scenario" and item.node_ids[0] == "Scenario:SALES"
        assert item.node_ids[-1] == f"Item:{item.id}"
    top = grounded.items[0]
    assert {"intent", "product"} <= set(top.matched_by) and "Product:personal-loan" in top.node_ids
    assert grounded.tokens_used == sum(i.tokens for i in grounded.items) <= grounded.token_budget


def _search(store, text, **query):
    embedding = shared_encoder().encode([text])[0]
    return asyncio.run(store.search(GraphQuery("SALES", query.pop("intent", "product_question"), "discovery",
                                               embedding, **query)))


def test_the_graph_is_walked_from_the_amount_and_the_state(store):
    by_amount = _search(store, "I want to borrow thirty thousand dollars", amount=30000.0)
    about = {c.record.id for c in by_amount if c.about_product}
    assert "prod.personal-loan" in about and "prod.line-of-credit" not in about  # $30,000 is above its limit
    assert all(c.products_matched == ("personal-loan",) for c in by_amount if c.about_product)
    in_iowa = {c.record.id: c for c in _search(store, "what do you offer", state="IA")}
    assert in_iowa["prod.personal-loan"].unavailable and in_iowa["prod.line-of-credit"].unavailable
    assert not in_iowa["prod.secured-card"].unavailable
    assert not in_iowa["policy.fee-schedule"].unavailable  # also about the secured card


def test_state_specific_items_reach_only_customers_of_those_states(store):
    anywhere = {c.record.id for c in _search(store, "can I get a loan here", intent="eligibility_question")}
    assert "script.sales.not-offered-in-state" not in anywhere
    retriever = Retriever(store, shared_encoder())
    [grounded] = retrieve(retriever, classified("I live in Iowa, can I get a loan?", "eligibility_question"))
    script = next(i for i in grounded.items if i.id == "script.sales.not-offered-in-state")
    assert "state" in script.matched_by and "State:IA" in script.node_ids


def test_nothing_is_better_than_an_unrelated_item(store):
    [grounded] = retrieve(Retriever(store, shared_encoder()),
                          classified("Yeah, this is Casey.", "unknown", scenario="COLLECTIONS"))
    assert not grounded.degraded and list(grounded.items) == []


def test_the_token_budget_and_top_k_bound_what_is_returned(store):
    tight = Retriever(store, shared_encoder(), RetrievalSettings(top_k=5, token_budget=120))
    [grounded] = retrieve(tight, classified("What fees do you charge?", "fee_question"))
    assert grounded.items and grounded.tokens_used <= 120
    roomy = Retriever(store, shared_encoder(), RetrievalSettings(top_k=5, token_budget=5000))
    [wide] = retrieve(roomy, classified("What fees do you charge?", "fee_question"))
    assert len(wide.items) == 5 > len(grounded.items)


def test_near_duplicates_are_dropped(kb, store):
    position = [item.id for item in kb.items].index("faq.autopay-discount")
    copy = dataclasses.replace(kb.items[position], id="faq.autopay-discount-copy")
    copied = dataclasses.replace(kb, items=(*kb.items, copy))
    embeddings = np.vstack([store.embeddings, store.embeddings[position]])
    retriever = Retriever(EmbeddedGraphStore(copied, embeddings), shared_encoder(),
                          RetrievalSettings(top_k=5, token_budget=5000))
    [grounded] = retrieve(retriever, classified("Is there a discount for autopay?", "rate_question"))
    ids = [item.id for item in grounded.items]
    assert len({"faq.autopay-discount", "faq.autopay-discount-copy"} & set(ids)) == 1
    assert len(ids) == 5


def test_eligibility_is_evaluated_for_what_the_call_established(store):
    retriever = Retriever(store, shared_encoder())
    first, asked, in_iowa = retrieve(
        retriever,
        classified("What would the monthly payment be on $12,000 over 36 months for a personal loan?",
                   "rate_question", seq=6),
        classified("Would I even qualify? I make about $58,000 a year and my credit's decent, like 690.",
                   "eligibility_question", seq=8),
        classified("Oh, and I live in Iowa, does that matter for qualifying?", "eligibility_question", seq=10),
    )
    assert not first.eligibility
    results = {r.product: r for r in asked.eligibility}
    assert set(results) == {"personal-loan"}  # the product the call is about
    loan = results["personal-loan"]
    assert loan.decision == rt.DECISION_UNDETERMINED
    assert set(loan.missing_attributes) == {"state", "monthly_debt"}
    assert {"rule.min-income", "rule.min-credit-score", "rule.personal-loan.amount"} <= set(loan.deciding_rule_ids)
    assert asked.items[0].kind == "ELIGIBILITY" and asked.items[0].source and "Rule:rule.min-income" in \
        asked.items[0].node_ids
    assert (asked.attributes.annual_income, asked.attributes.credit_score, asked.attributes.amount) == \
        (58000, 690, 12000)
    denied = {r.product: r for r in in_iowa.eligibility}["personal-loan"]
    assert denied.decision == rt.DECISION_NOT_ELIGIBLE and list(denied.deciding_rule_ids) == [
        "rule.state-availability"]
    retriever.observe(classified("", "", seq=20, type_="CALL_ENDED", speaker="OPERATOR"))
    assert len(retriever.memory) == 0


class FlakyStore:
    """A store object for the retriever's own failure handling (no claim about Neo4j's behaviour)."""

    def __init__(self, inner, mode):
        self.inner, self.mode, self.calls = inner, mode, 0

    async def search(self, query):
        self.calls += 1
        if self.mode == "down":
            raise ConnectionRefusedError("store down")
        if self.mode == "slow":
            await asyncio.sleep(5)
        return await self.inner.search(query)

    async def eligibility(self, products):
        if self.mode == "down":
            raise ConnectionRefusedError("store down")
        return await self.inner.eligibility(products)

    async def healthy(self):
        return self.mode == "up"

    async def close(self):
        return None


def test_a_slow_store_degrades_within_the_deadline(store):
    retriever = Retriever(FlakyStore(store, "slow"), shared_encoder(), RetrievalSettings(deadline_s=0.2))
    message = classified("What are your rates?", "rate_question")
    retrieve(retriever, message)  # encoder warm
    retriever.breaker.succeeded()
    started = time.monotonic()
    [grounded] = retrieve(retriever, message)
    assert grounded.degraded and grounded.degraded_reason == "timeout" and not grounded.items
    assert time.monotonic() - started < 1.0


def test_after_failures_in_a_row_calls_skip_the_store_until_a_probe_finds_it_back(store):
    flaky = FlakyStore(store, "down")
    retriever = Retriever(flaky, shared_encoder(), RetrievalSettings(retry_after_s=0.2))
    message = classified("What are your rates?", "rate_question")

    async def scenario():
        reasons = [(await retriever.retrieve(message)).degraded_reason for _ in range(3)]
        calls_by_requests = flaky.calls
        flaky.mode = "up"
        waited = time.monotonic()
        while time.monotonic() - waited < 5:
            grounded = await retriever.retrieve(message)
            if not grounded.degraded:
                return reasons, calls_by_requests, grounded, time.monotonic() - waited
            await asyncio.sleep(0.05)
        raise AssertionError("never recovered")

    reasons, calls_by_requests, recovered, took = asyncio.run(scenario())
    assert reasons == ["store_unavailable", "store_unavailable", "store_backoff"]
    assert calls_by_requests == 2  # the third call never reached the store
    assert recovered.items and took < 1.0


def test_retrieval_over_grpc_answers_with_status_codes(store):
    async def scenario():
        flaky = FlakyStore(store, "up")
        retriever = Retriever(flaky, shared_encoder(), RetrievalSettings(retry_after_s=0))
        health = Health([grpc_adapter.SERVICE_NAME])
        server = build_server(health, [grpc_adapter.SERVICE_NAME])
        grpc_adapter.register(server, retriever)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        codes = {}
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                stub = retrieval_pb2_grpc.RetrievalServiceStub(channel)
                grounded = await stub.Retrieve(classified("Can I change my due date?", "due_date_change",
                                                          scenario="SERVICE", stage="resolution"), timeout=10)
                ok = await stub.CheckEligibility(rt.EligibilityRequest(
                    attributes=rt.CustomerAttributes(annual_income=50000, credit_score=650, state="WV"),
                    products=["secured-card", "personal-loan"]), timeout=10)
                for name, request in {
                    "bad_score": rt.EligibilityRequest(attributes=rt.CustomerAttributes(credit_score=900)),
                    "bad_state": rt.EligibilityRequest(attributes=rt.CustomerAttributes(state="XX")),
                    "bad_product": rt.EligibilityRequest(products=["mortgage"]),
                }.items():
                    with pytest.raises(grpc.aio.AioRpcError) as error:
                        await stub.CheckEligibility(request, timeout=10)
                    codes[name] = (error.value.code(), error.value.details())
                flaky.mode = "down"
                with pytest.raises(grpc.aio.AioRpcError) as error:
                    await stub.CheckEligibility(rt.EligibilityRequest(), timeout=10)
                codes["down"] = (error.value.code(), error.value.details())
        finally:
            await server.stop(0)
        return grounded, ok, codes

    grounded, ok, codes = asyncio.run(scenario())
    assert "script.service.due-date-change" in [i.id for i in grounded.items]
    decisions = {r.product: r.decision for r in ok.results}
    assert decisions == {"personal-loan": rt.DECISION_NOT_ELIGIBLE, "secured-card": rt.DECISION_ELIGIBLE}
    assert codes["bad_score"][0] == grpc.StatusCode.INVALID_ARGUMENT and "credit_score" in codes["bad_score"][1]
    assert codes["bad_state"][0] == grpc.StatusCode.INVALID_ARGUMENT
    assert codes["bad_product"][0] == grpc.StatusCode.INVALID_ARGUMENT and "mortgage" in codes["bad_product"][1]
    assert codes["down"][0] == grpc.StatusCode.UNAVAILABLE


def test_with_neo4j_unreachable_every_suggestion_says_so_and_is_still_compliance_checked():
    """The real Neo4j driver pointed at a closed port: the pipeline keeps going, degraded."""
    out, err = io.StringIO(), io.StringIO()
    overrides = {"RETRIEVAL_STORE": "neo4j", "NEO4J_URI": "bolt://127.0.0.1:1", "GENERATION_BACKEND": "scripted",
                 "RETRIEVAL_DEADLINE_S": "0.3"}
    started = time.monotonic()
    code = asyncio.run(replay(CALLS / "sales_call.jsonl", True, out, err, overrides))
    suggestions = [s for s in map(json.loads, out.getvalue().splitlines()) if s["kind"] == "suggestion"]
    assert code == 0 and len(suggestions) >= 8
    for suggestion in suggestions:
        assert suggestion["degraded"] and suggestion["fallback_reason"] == "knowledge_unavailable"
        assert suggestion["compliance"]["verdict"] in {"PASS", "REWRITTEN", "BLOCKED"}
    assert time.monotonic() - started < 60


CYPHER_CALLS = {"run", "execute_query", "_rows"}  # _rows: Neo4jStore's one caller of execute_query
RETRIEVAL_CODE = [*(ROOT / "services" / "retrieval").glob("*.py"), ROOT / "seatcopilot_cli" / "kg.py",
                  *(ROOT / "benchmarks").glob("bench_retrieval*.py")]


def _constant_strings(tree: ast.Module) -> set[str]:
    """Module-level names bound to a string constant, or to a concatenation of such constants and names."""
    names: set[str] = set()

    def constant(value: ast.expr) -> bool:
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.Add):
            return constant(value.left) and constant(value.right)
        return (isinstance(value, ast.Constant) and isinstance(value.value, str)) or \
            (isinstance(value, ast.Name) and value.id in names)

    for node in tree.body:
        if isinstance(node, ast.Assign) and constant(node.value):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def _is_module(receiver: ast.expr) -> bool:
    return isinstance(receiver, ast.Name) and receiver.id in {"asyncio", "subprocess"}


def _is_constant_query(arg: ast.expr, constants: set[str]) -> bool:
    return ((isinstance(arg, ast.Constant) and isinstance(arg.value, str))
            or (isinstance(arg, ast.Name) and (arg.id in constants or arg.id in {"statement", "query"})))


def test_cypher_is_only_ever_a_constant_with_parameters():
    """Every query the retrieval code sends is a module-level string constant (or a loop variable over a
    list of them); values always travel as parameters, so nothing a caller says can become Cypher."""
    checked = 0
    for path in RETRIEVAL_CODE:
        tree = ast.parse(Path(path).read_text())
        constants = _constant_strings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr in CYPHER_CALLS and node.args and not _is_module(node.func.value):
                checked += 1
                assert _is_constant_query(node.args[0], constants), f"{path}:{node.lineno} builds a query"
            if isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant))
                assert not any(word in text for word in ("MATCH ", "MERGE ", "CREATE ", "DELETE ")), \
                    f"{path}:{node.lineno} formats Cypher"
    assert checked >= 8
