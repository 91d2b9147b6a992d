"""Model kit data engineering: ingestion, cleaning, de-duplication, mixing, the gate, metrics."""

import json
import random

import pytest

from seatcopilot_models.clean import CleanRules, clean, clean_text
from seatcopilot_models.dedupe import MinHasher, dedupe, estimated_jaccard, jaccard, shingles
from seatcopilot_models.evaluation import metrics
from seatcopilot_models.evaluation.gate import compare, gate_passed, with_latency_tolerance
from seatcopilot_models.ingest import Document, IngestError, read_source
from seatcopilot_models.mixing import allocate, mix, parse_ratios, two_phase


def test_call_events_become_one_transcript_per_call_without_partials(tmp_path):
    path = tmp_path / "calls.jsonl"
    rows = [{"call_id": "c1", "seq": 2, "type": "UTTERANCE", "speaker": "CUSTOMER", "text": "Hi, I want",
             "is_final": False},
            {"call_id": "c1", "seq": 3, "type": "UTTERANCE", "speaker": "CUSTOMER", "text": "Hi, I want a loan"},
            {"call_id": "c1", "seq": 1, "type": "UTTERANCE", "speaker": "OPERATOR", "text": "Harbor Lending"},
            {"call_id": "c2", "seq": 1, "type": "CALL_STARTED", "speaker": "OPERATOR", "text": ""}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    [doc] = read_source(path)
    assert doc.kind == "transcript" and doc.id == "c1"
    assert doc.text == "Operator: Harbor Lending\nCustomer: Hi, I want a loan"


def test_csv_text_and_jsonl_documents(tmp_path):
    (tmp_path / "a.csv").write_text("text,category\nwhere is my card,card_arrival\n")
    (tmp_path / "b.txt").write_text("First paragraph.\n\nSecond paragraph.\n")
    (tmp_path / "c.jsonl").write_text('{"utterance": "I need a quote"}\n')
    assert [d.text for d in read_source(tmp_path / "a.csv")] == ["where is my card"]
    assert len(read_source(tmp_path / "b.txt")) == 2
    assert read_source(tmp_path / "c.jsonl")[0].text == "I need a quote"
    (tmp_path / "d.jsonl").write_text("not json\n")
    with pytest.raises(IngestError, match=r"d\.jsonl:1"):
        read_source(tmp_path / "d.jsonl")
    with pytest.raises(IngestError, match="no 'body' column"):
        read_source(tmp_path / "a.csv", text_column="body")


def test_cleaning_normalises_and_rejects_with_reasons():
    assert clean_text("Ｈello\u00a0 <b>world</b>\x07\r\n\n\n\nbye ") == "Hello world\n\nbye"
    docs = [Document("1", "ok this is a real sentence", "s", "document"), Document("2", "hi", "s", "document"),
            Document("3", "1234 5678 9012 3456 7890", "s", "document")]
    kept, dropped = clean(docs, CleanRules(min_chars=5))
    assert [d.id for d in kept] == ["1"]
    assert dropped == {"too_short": 1, "not_text": 1}


def test_minhash_estimates_jaccard():
    a = shingles("the customer wants to know the rate on a personal loan for three years today")
    b = shingles("the customer wants to know the rate on a personal loan for five years today")
    hasher = MinHasher(num_perm=256, seed=3)
    assert abs(estimated_jaccard(hasher.signature(a), hasher.signature(b)) - jaccard(a, b)) < 0.12


def test_dedupe_removes_exact_and_near_duplicates_keeping_the_first():
    base = "I would like to ask about the late fee on my personal loan account from last month please"
    texts = [base, base.upper() + "!!", base.replace("please", "thanks"),
             "What is the APR on the secured credit card and is there an annual fee at all"]
    report = dedupe(texts, threshold=0.7)
    assert report.kept == [0, 3]
    assert (report.exact_duplicates, report.near_duplicates) == (1, 1)


def test_dedupe_keeps_distinct_texts():
    texts = [f"customer question number {i} about topic {w}" for i, w in enumerate(["rates", "fees", "cards", "hours"])]
    assert dedupe(texts, threshold=0.8).kept == [0, 1, 2, 3]


def test_allocation_matches_ratios_exactly():
    assert allocate({"a": 0.5, "b": 0.3, "c": 0.2}, 10) == {"a": 5, "b": 3, "c": 2}
    counts = allocate({"a": 1, "b": 1, "c": 1}, 10)
    assert sum(counts.values()) == 10 and max(counts.values()) - min(counts.values()) <= 1
    with pytest.raises(ValueError):
        allocate({"a": 0}, 3)


def test_mix_draws_each_pool_without_repeats_before_exhaustion():
    pools = {"instruction": [f"i{n}" for n in range(10)], "generic": [f"g{n}" for n in range(3)]}
    mixed = mix(pools, {"instruction": 0.5, "generic": 0.5}, 12, random.Random(1))
    generic = [m for m in mixed if m.startswith("g")]
    instruction = [m for m in mixed if m.startswith("i")]
    assert len(generic) == 6 and len(instruction) == 6
    assert len(set(instruction)) == 6 and sorted(set(generic)) == ["g0", "g1", "g2"]
    with pytest.raises(ValueError, match="internal"):
        mix(pools, {"internal": 1.0}, 4, random.Random(1))


def test_two_phase_mixing_changes_the_mixture_at_the_split_and_is_seeded():
    pools = {"a": ["a"] * 5, "b": ["b"] * 5}
    order = two_phase(pools, {"a": 1.0}, {"b": 1.0}, 10, seed=4, split=0.3)
    assert order == ["a"] * 3 + ["b"] * 7
    pools = {"a": list(range(20)), "b": list(range(100, 120))}
    first, again = (two_phase(pools, {"a": 1, "b": 1}, {"b": 1}, 16, seed=9) for _ in range(2))
    assert first == again
    assert parse_ratios("instruction=0.4, generic=0.6") == {"instruction": 0.4, "generic": 0.6}
    with pytest.raises(ValueError):
        parse_ratios("instruction=lots")


def _report(task_score, intent, first_token_ms):
    return {"results": {"task_score": task_score, "basic": {"intent": {"accuracy": intent}},
                        "latency": {"first_token_ms": {"p95": first_token_ms}}}}


def test_gate_fails_on_a_regression_and_ignores_missing_metrics():
    base = _report(0.5, 0.6, 100.0)
    assert gate_passed(compare(base, _report(0.6, 0.58, 140.0), with_latency_tolerance(0.5)))  # within tolerances
    checks = {c.metric: c for c in compare(base, _report(0.49, 0.6, 100.0))}
    assert checks["task_score"].passed is False and not gate_passed(list(checks.values()))
    assert gate_passed(compare(base, _report(0.6, 0.6, 200.0)))  # latency is reported, not gated, by default
    assert not gate_passed(compare(base, _report(0.6, 0.6, 200.0), with_latency_tolerance(0.5)))  # +100%
    assert checks["safety.compliance.safe_rate"].passed is None


def test_metrics():
    labels = ["rate_question", "fee_question"]
    assert metrics.as_label(" Rate_question.\nbecause", labels) == "rate_question"
    assert metrics.as_label("The intent is rate_question", labels) == ""
    assert metrics.mentioned_label("The intent is rate_question", labels) == "rate_question"
    assert metrics.macro_f1(["a", "a", "b"], ["a", "b", "b"]) == pytest.approx((2 / 3 + 2 / 3) / 2)
    assert metrics.rouge_l("the rate is fixed", "the rate is fixed") == 1.0
    assert 0 < metrics.rouge_l("the rate is fixed today", "rate fixed") < 1
    assert metrics.token_f1("a b", "c d") == 0.0
    assert metrics.exact_match("Hello, world.", "hello world") == 1.0


def test_judge_reads_a_score_and_keeps_the_rubric_after_the_reply():
    from seatcopilot_models.evaluation.judge import judge_messages, parse_score

    assert parse_score("Score: 4 out of 5") == 4
    assert parse_score("I'd say 7") is None and parse_score("The reply is fine") is None
    messages = judge_messages("suggest", "the task", "the reply", "the reference")
    assert messages[-1]["content"].index("the reply") < messages[-1]["content"].index("Rubric")


def test_compliant_rewrite_reference_and_safety_scoring():
    from seatcopilot_models.evaluation.safety import safety_items, score
    from seatcopilot_models.policy_check import compliant_rewrite, violations

    line = "Don't worry, approval is guaranteed for you."
    assert violations(line, "SALES")
    rewritten = compliant_rewrite(line, "SALES")
    assert rewritten and not violations(rewritten, "SALES")
    assert compliant_rewrite("Our rates start at 8.99% APR.", "SALES") is None
    items = safety_items(limit=2)
    assert {i["kind"] for i in items} == {"compliance", "pii_leakage", "refusal"} and len(items) == 6
    pii = next(i for i in items if i["kind"] == "pii_leakage")
    assert score(pii, "Your card 4111 1111 1111 1111 is confirmed.")["safe"] is False
    assert score(pii, "I have the card ending in the last four you gave.")["safe"] is True
    refusal = next(i for i in items if i["kind"] == "refusal")
    assert score(refusal, "I can't say that to a customer.")["safe"] is True


def test_instruction_split_is_stable_and_disjoint(tmp_path):
    from seatcopilot_models.instructions import build_items

    first = build_items(tmp_path, 0.25, 0, seed=3)  # no shared sets here: the project's own data only
    again = build_items(tmp_path, 0.25, 0, seed=3)
    assert [(i["id"], i["split"]) for i in first] == [(i["id"], i["split"]) for i in again]
    for task in ("intent", "rewrite"):
        train = {i["input"] for i in first if i["task"] == task and i["split"] == "train"}
        held = {i["input"] for i in first if i["task"] == task and i["split"] == "eval"}
        assert train and held and not train & held


def test_suggest_items_are_planned_facts_to_a_reply_in_the_serving_prompt():
    from seatcopilot_models.instructions import suggest_items
    from services.generation.prompts import planned_reply

    items = list(suggest_items(0.2))
    payment = next(i for i in items if "$416" in i["facts"])
    assert payment["facts"].index("14.99%") < payment["facts"].index("$416")  # the APR comes first
    served = planned_reply(payment["scenario"], payment["input"].removeprefix("suggest:"), payment["target"],
                           payment["facts"])
    assert (payment["system"], payment["prompt"]) == (served.messages[0]["content"], served.messages[1]["content"])
    with_facts = [i for i in items if i["facts"]]
    assert len(with_facts) >= 40
    assert all(fact in i["target"] for i in with_facts for fact in i["facts"])  # the target keeps every fact
    assert not any(fact.endswith(",") for i in with_facts for fact in i["facts"])
