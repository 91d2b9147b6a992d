"""The classifier's fine-tuned encoder on ONNX Runtime: the same network the service path runs (embeddings,
transformer layers, masked mean pool; IntentNet.embed_with_lower in model.py), exported once per model
directory and dynamically quantized to int8 by onnxruntime.quantization. The heads, the example memories
and the lexical model are model.py's, fed by this encoder's output (OnnxPredictor).

The files live beside the model, under onnx/<hash of their inputs>/: the encoder's weights and config, this
module (the export and quantization settings) and the versions of torch and onnxruntime. `make models` builds
them; a process that finds them missing builds them itself (about 10 s), under a lock shared with other
processes. Superseded hash folders are left in place (another checkout may still use them)."""

from __future__ import annotations

import fcntl
import hashlib
import shutil
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from seatcopilot.encoder import cpu_session, padded

from services.classifier.model import ENCODER_DIR, META_FILE, IntentNet, Meta, Predictor

ONNX_DIR = "onnx"
OPSET = 17
INPUTS = ("input_ids", "attention_mask")
OUTPUTS = ("pooled", "lower")  # the sentence embedding; the mean token state after Mix.lower_layers layers
# int8 weights, one scale per output channel; the first layer's feed-forward output projection stays fp32 (its
# input, after GELU, has the widest range). Chosen on the held-out Banking77 rows among 12 variants, all within
# 0.931-0.936: see docs/journal/2026-12-07-classifier-onnx.md
PER_CHANNEL = True
KEEP_FP32 = ("/layer.0/output/dense/MatMul",)
CHUNK = 8  # utterances per ONNX run within a batch (sorted by length: less padding)


@dataclass(frozen=True)
class OnnxFiles:
    fp32: Path
    int8: Path

    def path(self, int8: bool) -> Path:
        return self.int8 if int8 else self.fp32


def _lower_layers(directory: Path) -> int:
    return Meta.from_json((directory / META_FILE).read_text()).mix.lower_layers


def files_key(directory: Path) -> str:
    """Hash of what the ONNX files are made from: change any of it and they are rebuilt."""
    import onnxruntime

    digest = hashlib.sha256()
    for name in sorted(p.name for p in (directory / ENCODER_DIR).iterdir() if p.suffix in (".json", ".safetensors")):
        digest.update(name.encode() + (directory / ENCODER_DIR / name).read_bytes())
    digest.update(Path(__file__).read_bytes())  # this module: what is exported and how it is quantized
    digest.update(f"{_lower_layers(directory)}|{torch.__version__}|{onnxruntime.__version__}".encode())
    return digest.hexdigest()[:12]


def onnx_files(directory: Path) -> OnnxFiles:
    target = Path(directory) / ONNX_DIR / files_key(Path(directory))
    return OnnxFiles(target / "encoder.onnx", target / "encoder.int8.onnx")


class _Encoder(torch.nn.Module):
    """What is exported: token ids and mask → (sentence embedding, lower-layer mean), in one pass."""

    def __init__(self, net: IntentNet, lower_layers: int) -> None:
        super().__init__()
        self.net = net
        self.lower_layers = lower_layers

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.net.embed_with_lower(input_ids, attention_mask, self.lower_layers)


@contextmanager
def _lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def build(directory: Path) -> OnnxFiles:
    """The exported (fp32) and quantized (int8) encoder of this model directory: reused when present."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    files = onnx_files(directory)
    if files.int8.is_file():  # built already: no lock, since an image's model folder is read-only to the service
        return files
    with _lock(files.fp32.parent.with_name(f".{files.fp32.parent.name}.lock")):
        if files.int8.is_file():
            return files
        partial = files.fp32.parent.with_name(files.fp32.parent.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        predictor = Predictor(directory, int8=False, mix=False)
        sample = predictor.tokenizer(["a sample utterance", "two"], padding=True, return_tensors="pt")
        axes = {name: {0: "batch", 1: "tokens"} for name in INPUTS} | {name: {0: "batch"} for name in OUTPUTS}
        # the TorchScript exporter: the graph is fixed (no data-dependent branches) and it needs no onnxscript. Its
        # warnings: that exporter's deprecation, and attention's causal test (constant: a mask is always given)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(_Encoder(predictor.net, _lower_layers(directory)).eval(),
                              (sample["input_ids"], sample["attention_mask"]), str(partial / files.fp32.name),
                              dynamo=False, opset_version=OPSET, input_names=list(INPUTS),
                              output_names=list(OUTPUTS), dynamic_axes=axes)
        quantize_dynamic(partial / files.fp32.name, partial / files.int8.name, weight_type=QuantType.QInt8,
                         per_channel=PER_CHANNEL, nodes_to_exclude=list(KEEP_FP32))
        shutil.rmtree(files.fp32.parent, ignore_errors=True)
        partial.rename(files.fp32.parent)  # complete or absent
    return files


class OnnxPredictor(Predictor):
    """model.Predictor with the encoder on ONNX Runtime: intents(), members() and predict() read the ONNX
    embeddings. Both variants meet the fp32 example memories (measured: closer to ORT's int8 than torch's int8
    neighbours are, docs/journal/2026-12-07-classifier-onnx.md)."""

    def __init__(self, directory: Path, int8: bool = True, threads: int | None = None, mix: bool = True) -> None:
        super().__init__(directory, int8=False, threads=threads, mix=mix)
        self.int8 = int8
        self.width = self.net.intent_head.in_features
        self.net.encoder = None  # the torch encoder is not run: free its weights
        self.path = build(Path(directory)).path(int8)
        self._run_lock = threading.Lock()
        self.set_threads(threads or 0)

    def set_threads(self, threads: int) -> None:
        """A session with this many intra-op threads (0: ONNX Runtime's default, one per core)."""
        session = cpu_session(self.path, threads)
        with self._run_lock:
            self.session = session

    def embed(self, texts: list[str], lower_layers: int = 0) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Texts sorted by length and run CHUNK at a time: a batch padded to its longest utterance does
        about 2.4 times the work of its tokens on Banking77 (mean 16 tokens, longest of 32 about 38)."""
        ids = self.tokenizer(texts, truncation=True, max_length=self.meta.max_length)["input_ids"]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        pooled = np.empty((len(ids), self.width), dtype=np.float32)
        lower = np.empty_like(pooled)
        for start in range(0, len(order), CHUNK):
            part = order[start:start + CHUNK]
            feeds = padded([ids[i] for i in part], self.tokenizer.pad_token_id or 0)
            with self._run_lock:
                pooled[part], lower[part] = self.session.run(list(OUTPUTS), feeds)
        return torch.from_numpy(pooled), (torch.from_numpy(lower) if lower_layers else None)


def predictor(runtime: str, directory: Path, int8: bool, threads: int | None, mix: bool) -> Predictor:
    """The classifier's Predictor on the chosen runtime ("onnx" or "torch")."""
    if runtime == "onnx":
        return OnnxPredictor(directory, int8=int8, threads=threads, mix=mix)
    return Predictor(directory, int8=int8, threads=threads, mix=mix)
