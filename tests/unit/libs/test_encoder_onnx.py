"""The shared sentence encoder on ONNX Runtime gives torch's vectors (retrieval's index and compliance's detector
were built on them), is exported once per machine, and the runtime setting is checked."""

import numpy as np
import pytest
from seatcopilot import encoder

TEXTS = ["What would the monthly payment be on twelve thousand over three years?", "I lost my job.",
         "Hi", "Can you take me off your call list, please, I have asked you three times already this week."]


def test_onnx_gives_the_torch_encoders_vectors_whatever_the_batch():
    torch_vectors = encoder.Encoder().encode(TEXTS)
    onnx = encoder.OnnxEncoder()
    assert np.abs(onnx.encode(TEXTS) - torch_vectors).max() < 1e-5
    alone = np.stack([onnx.encode([text])[0] for text in TEXTS])  # fp32: no batch-dependent scaling
    assert np.abs(alone - torch_vectors).max() < 1e-5
    assert onnx.identity == encoder.Encoder().identity  # the same vector space on every message
    assert onnx.encode([]).shape == (0, encoder.Encoder.dimensions)


def test_the_export_is_built_once_and_reused():
    path = encoder.export_onnx()
    built = path.stat().st_mtime_ns
    assert encoder.export_onnx() == path and path.stat().st_mtime_ns == built


def test_torch_is_the_default_runtime(monkeypatch):
    monkeypatch.delenv("ENCODER_RUNTIME", raising=False)
    encoder.shared_encoder.cache_clear()
    try:
        assert type(encoder.shared_encoder()) is encoder.Encoder
    finally:
        encoder.shared_encoder.cache_clear()


def test_an_unknown_runtime_is_refused(monkeypatch):
    encoder.shared_encoder.cache_clear()
    monkeypatch.setenv("ENCODER_RUNTIME", "tensorflow")
    try:
        with pytest.raises(ValueError, match="ENCODER_RUNTIME"):
            encoder.shared_encoder()
    finally:
        encoder.shared_encoder.cache_clear()


@pytest.mark.parametrize("threads", ["two", "-1", "1.5"])
def test_a_thread_count_that_is_not_a_whole_number_is_refused(monkeypatch, threads):
    encoder.shared_encoder.cache_clear()
    monkeypatch.setenv("ENCODER_THREADS", threads)
    try:
        with pytest.raises(ValueError, match="ENCODER_THREADS"):
            encoder.shared_encoder()
    finally:
        encoder.shared_encoder.cache_clear()


def test_without_a_writable_models_cache_the_torch_encoder_serves(monkeypatch, tmp_path):
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    monkeypatch.setenv("SEATCOPILOT_MODELS_DIR", str(blocked))
    monkeypatch.setenv("ENCODER_RUNTIME", "onnx")
    encoder.shared_encoder.cache_clear()
    try:
        served = encoder.shared_encoder()
        assert type(served) is encoder.Encoder and served.encode(["hello"]).shape == (1, encoder.Encoder.dimensions)
    finally:
        encoder.shared_encoder.cache_clear()


def test_a_shipped_export_is_read_without_writing_beside_it(monkeypatch, tmp_path):
    """An image's models folder is read-only to the service: a present export needs no lock file there."""
    import shutil

    built = encoder.export_onnx()
    monkeypatch.setenv("SEATCOPILOT_MODELS_DIR", str(tmp_path))
    shipped = encoder.onnx_path(encoder.encoder_path())
    shipped.parent.mkdir(parents=True)
    shutil.copy(built, shipped)
    before = sorted(tmp_path.rglob("*"))
    assert encoder.export_onnx() == shipped
    assert encoder.OnnxEncoder().encode(["hello"]).shape == (1, encoder.Encoder.dimensions)
    assert sorted(tmp_path.rglob("*")) == before
