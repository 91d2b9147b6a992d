"""The intent classifier served by a real Triton server (python backend on the CPU, dynamic batching)
started by `make test` with the model `make models` built: same answers as the in-process path."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from seatcopilot.config import load

from services.classifier import main as classifier_main
from services.classifier.backends import LocalBackend, TritonBackend
from services.classifier.config import ClassifierConfig
from services.classifier.taxonomy import UNKNOWN
from tests.helpers import make_event, require_server

pytestmark = pytest.mark.triton
TEXTS = ["my card got swallowed by the ATM", "I can pay fifty dollars next Friday",
         "what's the APR on the personal loan", "tell me a joke about penguins", "please stop calling me"]


@pytest.fixture(scope="module")
def url() -> str:
    require_server("SEATCOPILOT_TRITON", "Triton")
    return os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001")


@pytest.fixture(scope="module")
def triton(url: str):
    backend = TritonBackend(url, "seatcopilot_intents", timeout_s=10)
    yield backend
    backend.close()


def test_triton_serves_the_same_model_as_the_in_process_path(triton: TritonBackend):
    directory = os.environ.get("SEATCOPILOT_CLASSIFIER_DIR")
    if not directory:
        pytest.fail("make test exports SEATCOPILOT_CLASSIFIER_DIR, the model Triton serves")
    local = LocalBackend(Path(directory), int8=True, threads=0, max_batch=8, max_wait_s=0.001)
    try:
        assert triton.labels == local.labels
        served, here = triton.intent_probs(TEXTS), local.intent_probs(TEXTS)
        assert served.shape == here.shape
        assert np.abs(served - here).max() < 0.02
        assert list(served.argmax(1)) == list(here.argmax(1))
    finally:
        local.close()


def test_classifier_service_on_triton_labels_utterances(url: str):
    config = load(ClassifierConfig, {"CLASSIFIER_BACKEND": "triton", "TRITON_GRPC_URL": url})
    classifier = classifier_main.build(config)
    try:
        labelled = classifier.classify(make_event(text="stop calling me, send letters only",
                                                  scenario="COLLECTIONS")).classification
        assert labelled.intent == "cease_contact" and labelled.task == "escalate"
        assert labelled.model_version == "triton:seatcopilot_intents"
        weather = classifier.classify(make_event(text="will it snow in Chicago this weekend",
                                                 scenario="SERVICE")).classification
        assert weather.intent == UNKNOWN
    finally:
        classifier.close()


def test_triton_gives_the_banking77_mix_when_asked(url: str):
    import tritonclient.grpc as grpcclient

    from services.classifier.onnx_encoder import predictor

    client = grpcclient.InferenceServerClient(url=url)
    data = np.array([[t.encode()] for t in TEXTS], dtype=np.object_)
    text = grpcclient.InferInput("text", list(data.shape), "BYTES")
    text.set_data_from_numpy(data)
    asked = [grpcclient.InferRequestedOutput(name) for name in ("intent_probs", "banking77_probs")]
    result = client.infer("seatcopilot_intents", [text], outputs=asked, client_timeout=10)
    runtime = os.environ.get("SEATCOPILOT_CLASSIFIER_RUNTIME", "onnx")  # what the Triton model runs
    intents, banking = predictor(runtime, Path(os.environ["SEATCOPILOT_CLASSIFIER_DIR"]), int8=True, threads=None,
                                 mix=True).predict(TEXTS)
    served = result.as_numpy("banking77_probs")
    assert served.shape == banking.shape == (len(TEXTS), 77)
    assert np.abs(served - banking).max() < 0.02 and list(served.argmax(1)) == list(banking.argmax(1))
    assert np.abs(result.as_numpy("intent_probs") - intents).max() < 0.02


def test_concurrent_requests_all_answered(triton: TritonBackend):
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda t: triton.intent_probs([t]), TEXTS * 8))
    assert all(r.shape == (1, len(triton.labels)) for r in results)
    assert all(abs(float(r.sum()) - 1.0) < 1e-4 for r in results)


def test_triton_rejects_a_missing_model(url: str):
    with pytest.raises(Exception, match=r"not ready|unknown model|not found"):
        TritonBackend(url, "no_such_model", timeout_s=5)
