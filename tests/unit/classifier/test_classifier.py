"""The intent classifier: training on a tiny subset (reproducible, cached by its inputs), the
micro-batcher, the decision rule, and the in-process path with the model `make models` built."""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from seatcopilot.batching import MicroBatcher
from seatcopilot.contracts.events.v1 import call_event_pb2 as ev

from seatcopilot_models.intents import training
from seatcopilot_models.intents.evaluation import banking_report
from services.classifier import onnx_encoder
from services.classifier.backends import LocalBackend
from services.classifier.decision import decide
from services.classifier.lexical import LEXICAL_FILE, LexicalModel, char_grams, word_grams
from services.classifier.logic import IntentClassifier
from services.classifier.model import (
    HEADS_FILE,
    MEMORY_FILE,
    ExampleMemory,
    Meta,
    Mix,
    Predictor,
    current_model_dir,
    mix_members,
)
from services.classifier.taxonomy import TASKS, UNKNOWN, load_intents
from tests.helpers import make_event

TINY = training.TrainConfig(per_class_limit=1, epochs=1, trainable_layers=1)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> Path:
    return training.build(TINY, home=tmp_path_factory.mktemp("models"))


def test_tiny_training_writes_a_versioned_model_with_its_card(tiny_model: Path):
    assert tiny_model.name == f"v1-{training.cache_key(TINY)}"
    for name in ("meta.json", HEADS_FILE, "encoder/config.json", "MODEL_CARD.md", "metrics.json",
                 "banking77_heldout.csv"):
        assert (tiny_model / name).is_file(), name
    assert "banking77_heldout_accuracy_int8" in (tiny_model / "MODEL_CARD.md").read_text()
    assert current_model_dir(tiny_model.parent) == tiny_model
    intents, banking = Predictor(tiny_model, int8=False).predict(["my card is lost", "what's the weather"])
    assert intents.shape == (2, len(load_intents()) + 1) and banking.shape == (2, 77)
    assert np.allclose(intents.sum(1), 1, atol=1e-5)


def test_tiny_model_mixes_its_members_into_the_banking77_probabilities(tiny_model: Path):
    from seatcopilot_models.intents.dataset import IGNORE, build_corpus

    stored = load_file(str(tiny_model / MEMORY_FILE))
    rows = {(e.text, e.banking) for e in build_corpus(13, per_class_limit=1).train if e.banking != IGNORE}
    assert stored["labels"].shape[0] == len(rows)
    for key in ("embeddings_fp32", "embeddings_int8", "lower_fp32", "lower_int8"):
        assert stored[key].shape == (len(rows), 384), key
    assert (tiny_model / LEXICAL_FILE).is_file()
    texts = ["my card is lost", "how do I top up by bank transfer"]
    for int8 in (False, True):
        served, head_only = Predictor(tiny_model, int8=int8), Predictor(tiny_model, int8=int8, mix=False)
        intents, members = served.members(texts)
        assert set(members) == {"head", "memory", "lower_memory", "lexical"}
        assert all(np.allclose(p.sum(1), 1, atol=1e-5) for p in members.values())
        mixed, plain = served.predict(texts)[1], head_only.predict(texts)[1]
        assert np.allclose(mixed.sum(1), 1, atol=1e-5)
        assert np.allclose(plain, members["head"], atol=1e-6) and not np.allclose(mixed, plain)  # the mix counts
        assert np.array_equal(intents, head_only.predict(texts)[0])  # intents: the head alone
        assert np.allclose(served.intents(texts), intents, atol=1e-6)  # the service's path skips the members


def test_mix_is_the_normalised_weighted_mean_of_the_members_present():
    head, vote = np.array([[0.8, 0.2]]), np.array([[0.0, 1.0]])
    mix = Mix(head=0.6, memory=0.4, lexical=1.0)
    assert np.allclose(mix_members({"head": head, "memory": vote}, mix), [[0.48, 0.52]])  # lexical absent
    assert np.allclose(mix_members({"head": head}, Mix(head=0.0)), head)


def test_example_memory_votes_for_the_nearest_labels():
    embeddings = torch.tensor([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.05, 1.0]])
    memory = ExampleMemory(embeddings, torch.tensor([0, 0, 1, 1, 2]), classes=3, k=2, temperature=0.05)
    votes = memory.vote(torch.tensor([[2.0, 0.1], [0.0, 3.0]]))
    assert votes.argmax(1).tolist() == [0, 1]
    assert torch.allclose(votes.sum(1), torch.ones(2))
    assert float(votes[0, 0]) == pytest.approx(1.0)  # both neighbours are class 0


def test_older_model_metadata_still_loads():
    first = '{"intent_labels": ["a"], "banking_labels": ["b"], "max_length": 40, "version": "v1-old"}'
    meta = Meta.from_json(first)  # before the memory: the head alone
    assert meta.mix == Mix() and Meta.from_json(meta.to_json()) == meta
    with_memory = json.loads(first) | {"memory": {"k": 5, "temperature": 0.05, "weight": 0.5}}
    meta = Meta.from_json(json.dumps(with_memory))  # head and example memory, (1 - weight) / weight
    assert meta.mix == Mix(head=0.5, memory=0.5, k=5, temperature=0.05) and Meta.from_json(meta.to_json()) == meta


def test_lexical_model_reads_words_and_character_grams():
    assert word_grams("My card, my PIN") == ["my", "card", "my", "pin", "my card", "card my", "my pin"]
    assert char_grams("I  ok") == [" i", "i ", " i ", " o", "ok", "k ", " ok", "ok ", " ok "]  # none longer
    texts = ["my card was stolen", "card stolen yesterday", "exchange rate for euros", "euro exchange rate"]
    model = LexicalModel.fit(texts, [0, 0, 2, 2], classes=3, c=10.0)
    probs = model.predict(["someone stole my card", "what rate for euros"])
    assert probs.argmax(1).tolist() == [0, 2] and np.allclose(probs.sum(1), 1, atol=1e-5)
    assert probs[:, 1].max() < 1e-3  # a class with no training row is never chosen


def test_training_is_reproducible_and_cached(tiny_model: Path, tmp_path: Path):
    again = training.train(TINY, tmp_path / tiny_model.name)
    first, second = load_file(str(tiny_model / HEADS_FILE)), load_file(str(again / HEADS_FILE))
    assert all(bool((first[key] == second[key]).all()) for key in first)
    stamp = (tiny_model / HEADS_FILE).stat().st_mtime_ns
    assert training.build(TINY, home=tiny_model.parent) == tiny_model  # inputs unchanged: not retrained
    assert (tiny_model / HEADS_FILE).stat().st_mtime_ns == stamp
    assert training.cache_key(replace(TINY, seed=14)) != training.cache_key(TINY)


def test_onnx_encoder_is_the_torch_network_and_is_exported_once(tiny_model: Path):
    files = onnx_encoder.build(tiny_model)
    stamp = files.int8.stat().st_mtime_ns
    assert onnx_encoder.build(tiny_model) == files and files.int8.stat().st_mtime_ns == stamp  # cached by its inputs
    # Files already built are read without the build lock: an image's model folder is read-only to the service.
    lock = files.fp32.parent.with_name(f".{files.fp32.parent.name}.lock")
    lock.unlink()
    assert onnx_encoder.build(tiny_model) == files and not lock.exists()
    # more texts than a chunk, of varied lengths: sorted by length inside the call, answered in the callers' order
    texts = [("my card is lost " * (i % 4 + 1)).strip() for i in range(onnx_encoder.CHUNK + 3)]
    reference, exported = Predictor(tiny_model, int8=False), onnx_encoder.OnnxPredictor(tiny_model, int8=False)
    intents, members = reference.members(texts)
    onnx_intents, onnx_members = exported.members(texts)
    assert np.allclose(onnx_intents, intents, atol=1e-4)
    assert set(onnx_members) == set(members)
    assert all(np.allclose(onnx_members[name], members[name], atol=1e-3) for name in members)
    one_by_one = np.concatenate([exported.intents([text]) for text in texts])
    assert np.allclose(exported.intents(texts), one_by_one, atol=1e-5)  # padding and order change nothing
    quantized = onnx_encoder.OnnxPredictor(tiny_model, int8=True).intents(texts)
    assert np.allclose(quantized.sum(1), 1, atol=1e-5) and np.abs(quantized - intents).max() < 0.1


def test_classifier_runtime_is_validated():
    from seatcopilot.config import ConfigError, load

    from services.classifier.config import ClassifierConfig

    assert load(ClassifierConfig, {}).runtime == "onnx"
    with pytest.raises(ConfigError, match="CLASSIFIER_RUNTIME"):
        load(ClassifierConfig, {"CLASSIFIER_RUNTIME": "tensorrt"})


def test_banking77_heldout_is_never_trained_on():
    from seatcopilot_models.intents.dataset import build_corpus

    corpus = build_corpus(seed=13)
    trained = {example.text for example in corpus.train}
    assert len(corpus.banking_heldout) >= 1000
    assert not trained & {text for text, _ in corpus.banking_heldout}


def test_micro_batcher_groups_concurrent_requests():
    calls: list[list[str]] = []

    def run(texts: list[str]) -> list[str]:
        calls.append(texts)
        time.sleep(0.01)
        return [t.upper() for t in texts]

    batcher = MicroBatcher(run, max_batch=8, max_wait_s=0.05)
    try:
        results: dict[int, str] = {}
        threads = [threading.Thread(target=lambda i=i: results.update({i: batcher.run([f"u{i}"])[0]}))
                   for i in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert results == {i: f"U{i}" for i in range(16)}
        assert max(len(c) for c in calls) > 1 and all(len(c) <= 8 for c in calls)
    finally:
        batcher.close()


def test_micro_batcher_hands_the_model_failure_to_every_caller():
    def broken(texts: list[str]) -> list[str]:
        raise RuntimeError("model failed")

    batcher = MicroBatcher(broken, max_batch=4, max_wait_s=0.001)
    try:
        with pytest.raises(RuntimeError, match="model failed"):
            batcher.run(["a", "b"], timeout=5)
    finally:
        batcher.close()


def test_decision_prefers_unknown_to_a_confident_wrong_label():
    intents = load_intents()
    labels = ["card_issue", "ready_to_apply", UNKNOWN]
    assert decide(np.array([0.8, 0.1, 0.1]), labels, intents, "SERVICE", 0.5) == ("card_issue", pytest.approx(0.8))
    assert decide(np.array([0.4, 0.35, 0.25]), labels, intents, "SERVICE", 0.5)[0] == UNKNOWN  # not confident
    assert decide(np.array([0.1, 0.1, 0.8]), labels, intents, "SERVICE", 0.5)[0] == UNKNOWN    # out of scope
    # card_issue is not a sales intent: its probability is not handed to ready_to_apply
    assert decide(np.array([0.7, 0.2, 0.1]), labels, intents, "SALES", 0.5)[0] == UNKNOWN


def test_every_intent_has_a_task_and_every_task_is_reachable():
    intents = load_intents()
    assert {info.task for info in intents.values()} == set(TASKS)


def trained_model_dir() -> Path:
    """The model `make models` built (run_tests.sh exports it); required in CI."""
    directory = os.environ.get("CLASSIFIER_MODEL_DIR") or current_model_dir()
    if directory is None:
        if os.environ.get("CI") or os.environ.get("SEATCOPILOT_REQUIRE_SERVERS"):
            pytest.fail("no trained classifier: `make models` must run first")
        pytest.skip("no trained classifier (run `make models`)")
    return Path(directory)


@pytest.fixture(scope="module")
def classifier():
    backend = LocalBackend(trained_model_dir(), int8=True, threads=0, max_batch=16, max_wait_s=0.005)
    yield IntentClassifier(backend, min_confidence=0.5)
    backend.close()


@pytest.mark.parametrize(("scenario", "text", "intent"), [
    ("SERVICE", "I think someone stole my card, I need to block it", "card_issue"),
    ("SALES", "what credit score do I need to qualify for the loan", "eligibility_question"),
    ("COLLECTIONS", "I can pay two hundred dollars on the fifteenth", "promise_to_pay"),
    ("COLLECTIONS", "stop calling me about this", "cease_contact"),
    ("COLLECTIONS", "I filed for bankruptcy, talk to my attorney", "bankruptcy_attorney"),
    # issue 22: clear questions a sales or collections customer asks, once masked out of their scenario
    ("SALES", "What would the monthly payment be on $12,000 over 36 months?", "payment_question"),
    ("COLLECTIONS", "Is there a late fee on this?", "fee_question"),
])
def test_in_process_model_labels_customer_utterances(classifier: IntentClassifier, scenario, text, intent):
    labelled = classifier.classify(make_event(text=text, scenario=scenario)).classification
    assert labelled.intent == intent
    assert labelled.task == classifier.intents[intent].task and labelled.stage == classifier.intents[intent].stage
    assert labelled.model_version.startswith("minilm-intents/v1-")


def test_in_process_model_says_unknown_out_of_scope(classifier: IntentClassifier):
    for text in ("what's the weather going to be like in Denver tomorrow", "how do I make lasagna"):
        labelled = classifier.classify(make_event(text=text, scenario="SERVICE")).classification
        assert labelled.intent == UNKNOWN, text
        assert labelled.task == "answer"


def test_operator_and_lifecycle_events_pass_through_unlabelled(classifier: IntentClassifier):
    out = classifier.classify(make_event(speaker="OPERATOR", text="thanks for calling"))
    assert not out.HasField("classification")
    assert out.event.speaker == ev.SPEAKER_OPERATOR


def test_concurrent_classifications_share_forward_passes():
    # fp32: dynamic int8 scales each activation by its batch's range, so int8 probabilities move with the batch
    # (by more than 0.1 once in a full run) and would blur a caller handed another's answer; fp32 ones do not.
    backend = LocalBackend(trained_model_dir(), int8=False, threads=0, max_batch=16, max_wait_s=0.005)
    try:
        _check_concurrent_callers_get_their_own(IntentClassifier(backend, min_confidence=0.5))
    finally:
        backend.close()


def _check_concurrent_callers_get_their_own(classifier: IntentClassifier) -> None:
    # of different lengths: a batch runs sorted by length (onnx_encoder.CHUNK at a time); each caller gets its own
    asks = ["my card was declined at the shop", "I want to dispute a charge on my statement",
            "what is the balance on my account", "I lost my card, please block it", "how do I update my address"]
    texts = [asks[i % len(asks)] + " today" * (i % 4) for i in range(24)]
    alone = [classifier.predict([text], "SERVICE")[0] for text in texts]
    assert len({intent for intent, _ in alone}) >= 3  # a caller handed another's answer would show
    results: list = [None] * len(texts)

    def one(i: int) -> None:
        results[i] = classifier.predict([texts[i]], "SERVICE")[0]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(texts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None for r in results)
    assert max(classifier.backend.batcher.batches[-len(texts):]) > 1
    assert [intent for intent, _ in results] == [intent for intent, _ in alone]
    # close, not equal: padding changes the order of float sums
    assert np.allclose([p for _, p in results], [p for _, p in alone], atol=1e-4)


def test_evaluate_report_on_heldout_rows():
    predictor = Predictor(trained_model_dir(), int8=True)
    rows = [("I am still waiting on my card?", "card_arrival"),
            ("How do I top up with cash?", "top_up_by_cash_or_cheque")]
    report, accuracy = banking_report(predictor, rows)
    assert "card_arrival" in report and 0.0 <= accuracy <= 1.0
    with pytest.raises(ValueError, match="outside the Banking77 label space"):
        banking_report(predictor, [("hello", "not_a_label")])


def test_evaluate_command_prints_a_report_and_accuracy_last(tmp_path: Path, capsys):
    import argparse
    import re

    from seatcopilot_cli.intents import evaluate

    directory = trained_model_dir()
    good = tmp_path / "rows.csv"
    good.write_text("text,category\nI am still waiting on my card?,card_arrival\n"
                    "my card was charged twice for one coffee,transaction_charged_twice\n")
    assert evaluate(argparse.Namespace(csv=str(good), model_dir=str(directory), fp32=False)) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert re.fullmatch(r"accuracy=[01]\.\d{4}", lines[-1])
    assert any("card_arrival" in line for line in lines)
    bad = tmp_path / "bad.csv"
    bad.write_text("utterance,label\nhello,card_arrival\n")
    assert evaluate(argparse.Namespace(csv=str(bad), model_dir=str(directory), fp32=False)) == 2
    assert "text,category" in capsys.readouterr().err


def test_intent_eval_sets_are_apart_from_training_and_from_each_other():
    from seatcopilot_models.intents.evaluation import read_turns
    from services.classifier.taxonomy import INTENTS_DIR, UNKNOWN, load_intents, written_examples

    trained = {text.lower() for text, _ in written_examples()}
    splits = {name: read_turns(INTENTS_DIR / "eval" / f"{name}.jsonl") for name in ("dev", "heldout")}
    known = set(load_intents()) | {UNKNOWN}
    for rows in splits.values():
        assert {r["intent"] for r in rows} <= known
        assert not {r["text"].lower() for r in rows} & trained
    assert not {r["text"] for r in splits["dev"]} & {r["text"] for r in splits["heldout"]}


def test_taxonomy_evaluate_prints_accuracy_and_in_scope_unknown(tmp_path: Path, capsys):
    import argparse
    import re

    from seatcopilot_cli.intents import evaluate

    directory = trained_model_dir()
    turns = tmp_path / "turns.jsonl"
    turns.write_text('{"text": "what is my balance right now", "intent": "balance_inquiry", "scenario": "SERVICE"}\n'
                     '{"text": "how tall is mount everest", "intent": "unknown", "scenario": "SALES"}\n')
    args = argparse.Namespace(jsonl=str(turns), csv=None, model_dir=str(directory), fp32=False, sweep=False,
                              min_confidence=1.01)  # nothing is confident enough: every turn is unknown
    assert evaluate(args) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"min_confidence=1\.01 intent_accuracy=0\.500 in_scope_unknown=1\.000", last)
    turns.write_text('{"text": "hello", "intent": "no_such_intent"}\n')
    assert evaluate(args) == 2
    assert "outside the model's taxonomy" in capsys.readouterr().err
