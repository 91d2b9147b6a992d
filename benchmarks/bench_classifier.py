"""Intent classifier: Banking77 accuracy on the held-out 10% of train (never trained on), latency at
batch 1 and throughput at batch 32 on this CPU (torch and ONNX Runtime, fp32 and int8, by thread count),
the micro-batched in-process path under concurrent callers, Triton when it is up, and the same utterances
through a naive per-utterance `transformers` pipeline for comparison."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import torch

from benchmarks.table import Table, summary_ms
from seatcopilot_models.intents.evaluation import member_accuracies, read_csv
from services.classifier import onnx_encoder
from services.classifier.backends import LocalBackend, TritonBackend
from services.classifier.model import ENCODER_DIR, Predictor, current_model_dir

NEEDS: tuple[str, ...] = ()
LATENCY_UTTERANCES = 150
# what is timed: everything `seatcopilot intents evaluate` computes, and what the classifier service computes
PATHS = ("intents + Banking77 mix", "intents only (service)")
THROUGHPUT_UTTERANCES = 480
NAIVE_UTTERANCES = 60


def _model_dir() -> Path:
    directory = os.environ.get("CLASSIFIER_MODEL_DIR") or current_model_dir()
    if not directory:
        raise RuntimeError("no trained classifier: run `make models`")
    return Path(directory)


def _batch1(predict, texts: list[str]) -> list[float]:
    predict(texts[:5])  # warm-up
    times = []
    for text in texts:
        started = time.perf_counter()
        predict([text])
        times.append(time.perf_counter() - started)
    return times


def _throughput(predict, texts: list[str], batch: int) -> float:
    predict(texts[:batch])
    started = time.perf_counter()
    for start in range(0, len(texts), batch):
        predict(texts[start:start + batch])
    return len(texts) / (time.perf_counter() - started)


def _naive(directory: Path, texts: list[str]) -> list[float]:
    """transformers' feature-extraction pipeline, fp32, one utterance per call, then pooling and the head."""
    from transformers import pipeline

    extract = pipeline("feature-extraction", model=str(directory / ENCODER_DIR), device="cpu")
    predictor = Predictor(directory, int8=False)
    head = predictor.net.banking_head

    def predict(batch: list[str]) -> None:
        for text in batch:
            tokens = torch.tensor(extract(text)[0])
            with torch.inference_mode():
                head(tokens.mean(0, keepdim=True))

    return _batch1(predict, texts)


def _concurrent(backend, texts: list[str], workers: int = 32) -> float:
    backend.intent_probs(texts[:4])
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda t: backend.intent_probs([t]), texts))
    return len(texts) / (time.perf_counter() - started)


VARIANTS = (("torch", False), ("torch", True), ("onnx", False), ("onnx", True))  # (runtime, int8)
SERVED = {"torch": ("torch", True), "onnx": ("onnx", True)}
TARGETS = {"b1 p50 ms": 2.0, "b32 utt/s": 1000.0}  # issue 25: ≤ 2 ms at batch 1, ≥ 1,000/s at batch 32


def _variant_name(runtime: str, int8: bool) -> str:
    return f"{runtime} {'int8' if int8 else 'fp32'}"


def _measure_variant(directory: Path, rows: list, runtime: str, int8: bool, accuracy: Table, speed: Table,
                     figures: dict) -> None:
    """Accuracy rows, and speed rows by thread count; figures[(runtime, int8)] keeps the best of each measure."""
    texts = [text for text, _ in rows]
    predictor = onnx_encoder.predictor(runtime, directory, int8=int8, threads=None, mix=True)
    variant = _variant_name(runtime, int8)
    best = figures.setdefault((runtime, int8), {PATHS[1]: [float("inf")] * 2 + [0.0], PATHS[0]: [float("inf"), 0, 0]})
    for member, acc in member_accuracies(predictor, rows).items():
        name = f"{variant} (served)" if member == "mix" and SERVED[runtime] == (runtime, int8) else variant
        accuracy.rows.append([name if member == "mix" else f"{variant}, {member} alone", len(rows), f"{acc:.4f}"])
        if member == "mix":
            best["accuracy"] = acc
    for threads in sorted({1, min(2, os.cpu_count() or 1)}):
        _set_threads(predictor, threads)
        for path, predict in ((PATHS[0], predictor.predict), (PATHS[1], predictor.intents)):
            b1 = summary_ms(_batch1(predict, texts[:LATENCY_UTTERANCES]))
            b32 = _throughput(predict, texts[:THROUGHPUT_UTTERANCES], 32)
            speed.rows.append([f"in-process {variant}, {path}", threads, b1[0], b1[1], b32])
            if b1[0] < best[path][0]:
                best[path][:2] = b1[:2]
                best["threads"] = threads
            best[path][2] = max(best[path][2], b32)


def _set_threads(predictor, threads: int) -> None:
    torch.set_num_threads(threads)
    if isinstance(predictor, onnx_encoder.OnnxPredictor):
        predictor.set_threads(threads)


def _comparison(figures: dict, batched: dict[str, float]) -> Table:
    """The service path, served torch int8 vs served ONNX int8, with the targets and how far each is."""
    torch_, onnx = (figures[SERVED[runtime]] for runtime in ("torch", "onnx"))
    table = Table("Classifier: ONNX Runtime vs torch, served int8 (service path: intents only)",
                  ["measure", "torch int8", "onnx int8", "onnx / torch", "target", "onnx vs target"],
                  note="best thread count of each; Banking77 accuracy is the served mix (the held-out 10% of train); "
                       "'vs target' is the measured / target (≤ 1 for a latency, ≥ 1 for a throughput is met)")
    measures = (("b1 p50 ms", lambda f: f[PATHS[1]][0]), ("b1 p95 ms", lambda f: f[PATHS[1]][1]),
                ("b32 utt/s", lambda f: f[PATHS[1]][2]), ("Banking77 accuracy", lambda f: f["accuracy"]))
    for name, pick in measures:
        target = TARGETS.get(name, "")
        row = [name, pick(torch_), pick(onnx), pick(onnx) / pick(torch_), target, pick(onnx) / target if target else ""]
        table.rows.append([f"{v:.4f}" if "accuracy" in name and isinstance(v, float) else v for v in row])
    table.rows.append(["micro-batched, 32 concurrent callers, utt/s", batched["torch"], batched["onnx"],
                       batched["onnx"] / batched["torch"], TARGETS["b32 utt/s"], batched["onnx"] / 1000])
    return table


def run(out: Path) -> list[Table]:
    directory = _model_dir()
    rows = read_csv(directory / "banking77_heldout.csv")
    texts = [text for text, _ in rows]
    accuracy = Table("Classifier: Banking77 accuracy, held-out 10% of train", ["model", "utterances", "accuracy"],
                     note=f"model {directory.name}; target ≥ 0.935. "
                          f"Same figure: `seatcopilot intents evaluate --csv {directory}/banking77_heldout.csv`")
    speed = Table("Classifier: speed on this CPU (per utterance)",
                  ["path", "threads", "b1 p50 ms", "b1 p95 ms", "b32 utt/s"],
                  note="targets: b1 p50 ≤ 2 ms, b32 ≥ 1,000 utt/s on 2 cores (issue 25). 'intents only' is what "
                       "the classifier service runs; 'intents + Banking77 mix' adds the memories' votes and the "
                       "lexical model (what `intents evaluate` and Triton's banking77_probs give). The machine may "
                       "be shared: figures are what this run measured "
                       f"(load average at start {os.getloadavg()[0]:.1f}).")
    figures: dict = {}
    for runtime, int8 in VARIANTS:
        _measure_variant(directory, rows, runtime, int8, accuracy, speed, figures)
    best_threads = figures[SERVED["torch"]]["threads"]
    torch.set_num_threads(best_threads)  # the naive pipeline gets the thread count that suited this CPU best
    naive = summary_ms(_naive(directory, texts[:NAIVE_UTTERANCES]))
    speed.rows.append(["naive transformers pipeline (fp32, per utterance)", best_threads, naive[0], naive[1],
                       1000 / naive[3]])
    batched = {}
    for runtime in ("torch", "onnx"):
        local = LocalBackend(directory, int8=True, threads=0, max_batch=32, max_wait_s=0.002, runtime=runtime)
        try:
            batched[runtime] = _concurrent(local, texts[:THROUGHPUT_UTTERANCES])
        finally:
            local.close()
        speed.rows.append([f"micro-batched service path, 32 concurrent callers ({runtime} int8)", "default", "", "",
                           batched[runtime]])
    if os.environ.get("SEATCOPILOT_TRITON"):
        triton = TritonBackend(os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001"), "seatcopilot_intents", 10)
        try:
            t1 = summary_ms(_batch1(triton.intent_probs, texts[:LATENCY_UTTERANCES]))
            speed.rows.append(["Triton (int8, gRPC), batch 1 / 32 concurrent callers", "server", t1[0], t1[1],
                               _concurrent(triton, texts[:THROUGHPUT_UTTERANCES])])
        finally:
            triton.close()
    ratio = Table("Classifier vs a naive per-utterance transformers pipeline", ["measure", "ratio"])
    for (runtime, int8), found in figures.items():
        if SERVED[runtime] != (runtime, int8):
            continue
        for path in PATHS:
            p50, b32 = found[path][0], found[path][2]
            ratio.rows.append([f"naive p50 / {runtime} int8 b1 p50 ({path})", naive[0] / p50])
            ratio.rows.append([f"{runtime} int8 b32 throughput ({path}) / naive throughput", b32 / (1000 / naive[3])])
    return [accuracy, speed, _comparison(figures, batched), ratio]
