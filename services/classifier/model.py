"""The classifier network: the MiniLM encoder (fine-tuned) with two heads over its mean-pooled output —
project intents (with an explicit `unknown` class) and the Banking77 label space — and the example memory:
the fine-tuned embeddings of the Banking77 training utterances, whose nearest neighbours vote beside the
Banking77 head (near-paraphrases are common in that data; the vote costs one small matrix product)."""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from torch import nn

ENCODER_DIR, HEADS_FILE, META_FILE, MEMORY_FILE = "encoder", "heads.safetensors", "meta.json", "memory.safetensors"


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[batch, length] 1/0 mask → the [batch, 1, 1, length] additive mask the attention layers take."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class IntentNet(nn.Module):
    def __init__(self, encoder: nn.Module, intents: int, banking: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        width = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.intent_head = nn.Linear(width, intents)
        self.banking_head = nn.Linear(width, banking)

    @property
    def layers(self) -> nn.ModuleList:
        return self.encoder.encoder.layer

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, upto: int) -> torch.Tensor:
        """Token states after the embeddings and the first `upto` layers (frozen in training: cached)."""
        hidden = self.encoder.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
        mask = additive_mask(attention_mask, hidden.dtype)
        for layer in self.layers[:upto]:
            hidden = _out(layer(hidden, mask))
        return hidden

    def pooled(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int) -> torch.Tensor:
        """The sentence embedding: layers `start`.. over cached token states, then the masked mean."""
        mask = additive_mask(attention_mask, hidden.dtype)
        for layer in self.layers[start:]:
            hidden = _out(layer(hidden, mask))
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.pooled(hidden, attention_mask, start))

    def heads(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(pooled)
        return self.intent_head(pooled), self.banking_head(pooled)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.pooled(self.lower(input_ids, attention_mask, 0), attention_mask, 0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.embed(input_ids, attention_mask))


def _out(result: torch.Tensor | tuple) -> torch.Tensor:
    return result[0] if isinstance(result, tuple) else result


@dataclass(frozen=True)
class MemorySettings:
    """How the example memory votes: its k nearest neighbours by cosine, weighted by softmax(sim / temperature);
    the Banking77 probabilities are (1 - weight) · head + weight · vote. k = 0: no memory."""
    k: int = 0
    temperature: float = 0.05
    weight: float = 0.5


@dataclass(frozen=True)
class Meta:
    intent_labels: list[str]
    banking_labels: list[str]
    max_length: int
    version: str
    memory: MemorySettings = MemorySettings()

    @classmethod
    def from_json(cls, text: str) -> Meta:
        fields = json.loads(text)
        return cls(**{**fields, "memory": MemorySettings(**fields.get("memory", {}))})

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def save(net: IntentNet, tokenizer, meta: Meta, directory: Path) -> None:
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    net.encoder.save_pretrained(directory / ENCODER_DIR)
    tokenizer.save_pretrained(directory / ENCODER_DIR)
    heads = {f"{name}.{key}": value.detach().contiguous() for name in ("intent_head", "banking_head")
             for key, value in getattr(net, name).state_dict().items()}
    save_file(heads, str(directory / HEADS_FILE))
    (directory / META_FILE).write_text(meta.to_json())


class ExampleMemory:
    """Unit-length embeddings of labelled utterances; a query's nearest neighbours vote for their labels."""

    def __init__(self, embeddings: torch.Tensor, labels: torch.Tensor, classes: int, settings: MemorySettings) -> None:
        self.embeddings = nn.functional.normalize(embeddings.float(), dim=-1)
        self.labels = labels.long()
        self.classes = classes
        self.settings = settings

    def vote(self, pooled: torch.Tensor) -> torch.Tensor:
        """[n, classes] probabilities from the k most similar stored utterances."""
        similarity = nn.functional.normalize(pooled.float(), dim=-1) @ self.embeddings.T
        values, index = similarity.topk(min(self.settings.k, self.embeddings.shape[0]), dim=-1)
        weights = torch.softmax(values / self.settings.temperature, dim=-1)
        return torch.zeros(pooled.shape[0], self.classes).scatter_add_(1, self.labels[index], weights)


def memory_key(int8: bool) -> str:
    """Each variant stores its own embeddings: int8 queries are compared with int8-computed neighbours."""
    return "embeddings_int8" if int8 else "embeddings_fp32"


class Predictor:
    """Loads a trained model directory and turns texts into class probabilities for both heads.
    int8: dynamic int8 quantization of the encoder's linear layers (faster on CPUs, measured in the bench);
    the heads stay fp32. memory: mix in the example memory's vote (when the directory has one)."""

    def __init__(self, directory: Path, int8: bool = True, threads: int | None = None, memory: bool = True) -> None:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        directory = Path(directory)
        self.meta = Meta.from_json((directory / META_FILE).read_text())
        self.tokenizer = AutoTokenizer.from_pretrained(str(directory / ENCODER_DIR))
        encoder = AutoModel.from_pretrained(str(directory / ENCODER_DIR))
        net = IntentNet(encoder, len(self.meta.intent_labels), len(self.meta.banking_labels))
        heads = load_file(str(directory / HEADS_FILE))
        for name in ("intent_head", "banking_head"):
            getattr(net, name).load_state_dict({k.split(".", 1)[1]: v for k, v in heads.items()
                                                if k.startswith(name + ".")})
        net.eval()
        if int8:
            net.encoder = quantize(net.encoder)
        self.net = net
        self.int8 = int8
        self.memory = self._load_memory(directory) if memory else None
        self._lock = threading.Lock()

    def _load_memory(self, directory: Path) -> ExampleMemory | None:
        from safetensors.torch import load_file

        if self.meta.memory.k <= 0 or not (directory / MEMORY_FILE).is_file():
            return None
        stored = load_file(str(directory / MEMORY_FILE))
        return ExampleMemory(stored[memory_key(self.int8)], stored["labels"], len(self.meta.banking_labels),
                             self.meta.memory)

    def embed(self, texts: list[str]) -> torch.Tensor:
        """[n, 384] sentence embeddings (what the heads and the memory read)."""
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.meta.max_length,
                               return_tensors="pt")
        with self._lock, torch.inference_mode():
            return self.net.embed(batch["input_ids"], batch["attention_mask"])

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(intent probabilities [n, intents], Banking77 probabilities [n, 77])."""
        pooled = self.embed(texts)
        with torch.inference_mode():
            intent, banking = self.net.heads(pooled)
            banking = torch.softmax(banking, -1)
            if self.memory is not None:
                weight = self.meta.memory.weight
                banking = (1 - weight) * banking + weight * self.memory.vote(pooled)
        return torch.softmax(intent, -1).numpy(), banking.numpy()


def quantize(module: nn.Module) -> nn.Module:
    """Dynamic int8 weights for the linear layers, one scale per output channel (closer to fp32 than one
    scale per tensor)."""
    with warnings.catch_warnings():  # torch flags its eager quantization API as deprecated; it works
        warnings.simplefilter("ignore")
        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        return torch.ao.quantization.quantize_dynamic(module, {nn.Linear: qconfig}, dtype=torch.qint8)
