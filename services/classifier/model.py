"""The classifier network: the MiniLM encoder (fine-tuned) with two heads over its mean-pooled output —
project intents (with an explicit `unknown` class) and the Banking77 label space — and the members mixed
with the Banking77 head: the example memory (the Banking77 training utterances' fine-tuned embeddings, whose
nearest neighbours vote; near-paraphrases are common in that data), the same vote over the frozen lower
layers' embeddings, and the lexical model (lexical.py). Each vote costs one small matrix product."""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from torch import nn

from services.classifier.lexical import LexicalModel

ENCODER_DIR, HEADS_FILE, META_FILE, MEMORY_FILE = "encoder", "heads.safetensors", "meta.json", "memory.safetensors"
MODELS_HOME = Path.home() / ".cache" / "seatcopilot" / "models" / "intents"
CURRENT = "CURRENT"  # file in MODELS_HOME naming the directory `models build` produced last


def current_model_dir(home: Path = MODELS_HOME) -> Path | None:
    """The model directory `models build` produced last, when it is complete."""
    pointer = home / CURRENT
    if pointer.is_file() and (home / pointer.read_text().strip() / META_FILE).is_file():
        return home / pointer.read_text().strip()
    return None


def additive_mask(attention_mask: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """[batch, length] 1/0 mask → the [batch, 1, 1, length] additive mask the attention layers take."""
    return (1.0 - attention_mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class IntentNet(nn.Module):
    def __init__(self, encoder: Any, intents: int, banking: int, dropout: float = 0.1) -> None:
        """`encoder`: a transformers BertModel (typed Any: nn.Module does not type its attributes)."""
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
        return mean_pool(hidden, attention_mask)

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.pooled(hidden, attention_mask, start))

    def heads(self, pooled: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.dropout(pooled)
        return self.intent_head(pooled), self.banking_head(pooled)

    def embed(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.pooled(self.lower(input_ids, attention_mask, 0), attention_mask, 0)

    def embed_with_lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, upto: int
                         ) -> tuple[torch.Tensor, torch.Tensor]:
        """(sentence embedding, mean of the token states after the first `upto` layers), in one pass."""
        hidden = self.lower(input_ids, attention_mask, upto)
        return self.pooled(hidden, attention_mask, upto), mean_pool(hidden, attention_mask)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.heads(self.embed(input_ids, attention_mask))


def _out(result: torch.Tensor | tuple) -> torch.Tensor:
    return result[0] if isinstance(result, tuple) else result


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)


@dataclass(frozen=True)
class Mix:
    """How the Banking77 probabilities are made: the weighted mean of the members the directory has (weights
    normalised over them). A memory votes with its k nearest neighbours by cosine, weighted by
    softmax(similarity / temperature); the lower memory holds embeddings after the first `lower_layers` layers."""
    head: float = 1.0
    memory: float = 0.0
    lower_memory: float = 0.0
    lexical: float = 0.0
    k: int = 5
    temperature: float = 0.05
    lower_layers: int = 0

    @classmethod
    def from_fields(cls, fields: dict) -> Mix:
        if "mix" in fields:
            return cls(**fields["mix"])
        old = fields.get("memory", {})  # 2026-12-06 models: head and example memory, (1 - weight) / weight
        if old.get("k", 0) > 0:
            return cls(head=1 - old["weight"], memory=old["weight"], k=old["k"], temperature=old["temperature"])
        return cls()


@dataclass(frozen=True)
class Meta:
    intent_labels: list[str]
    banking_labels: list[str]
    max_length: int
    version: str
    mix: Mix = Mix()

    @classmethod
    def from_json(cls, text: str) -> Meta:
        fields = json.loads(text)
        known = {key: fields[key] for key in ("intent_labels", "banking_labels", "max_length", "version")}
        return cls(**known, mix=Mix.from_fields(fields))

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

    def __init__(self, embeddings: torch.Tensor, labels: torch.Tensor, classes: int, k: int, temperature: float
                 ) -> None:
        self.keys = nn.functional.normalize(embeddings.float(), dim=-1).T.contiguous()  # [dim, rows]
        self.labels = labels.long()
        self.classes = classes
        self.k = k
        self.temperature = temperature

    def vote(self, pooled: torch.Tensor) -> torch.Tensor:
        """[n, classes] probabilities from the k most similar stored utterances."""
        similarity = nn.functional.normalize(pooled.float(), dim=-1) @ self.keys
        values, index = similarity.topk(min(self.k, self.keys.shape[1]), dim=-1)
        weights = torch.softmax(values / self.temperature, dim=-1)
        return torch.zeros(pooled.shape[0], self.classes).scatter_add_(1, self.labels[index], weights)


def memory_key(int8: bool, lower: bool = False) -> str:
    """Each variant stores its own embeddings: int8 queries are compared with int8-computed neighbours."""
    return f"{'lower' if lower else 'embeddings'}_{'int8' if int8 else 'fp32'}"


class Predictor:
    """Loads a trained model directory and turns texts into class probabilities for both heads.
    int8: dynamic int8 quantization of the encoder's linear layers (faster on CPUs, measured in the bench);
    the heads stay fp32. mix: mix the directory's other Banking77 members in (Mix); False: the head alone."""

    def __init__(self, directory: Path, int8: bool = True, threads: int | None = None, mix: bool = True) -> None:
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
        mix = mix and self.meta.mix != Mix()
        stored = load_file(str(directory / MEMORY_FILE)) if mix and (directory / MEMORY_FILE).is_file() else {}
        self.memory = self._memory(stored, lower=False)  # the file is read once for both memories
        self.lower_memory = self._memory(stored, lower=True)
        self.lexical = LexicalModel.load(directory) if mix and self.meta.mix.lexical > 0 else None
        self._lock = threading.Lock()

    def _memory(self, stored: dict[str, torch.Tensor], lower: bool) -> ExampleMemory | None:
        """One of the memories in memory.safetensors, when the mix weighs it and the file has it."""
        mix = self.meta.mix
        key = memory_key(self.int8, lower)
        if (mix.lower_memory if lower else mix.memory) <= 0 or key not in stored:
            return None
        return ExampleMemory(stored[key], stored["labels"], len(self.meta.banking_labels), mix.k, mix.temperature)

    def embed(self, texts: list[str], lower_layers: int = 0) -> tuple[torch.Tensor, torch.Tensor | None]:
        """([n, 384] sentence embeddings: what the heads and the memory read; with lower_layers, also the mean
        token states after that many layers: what the lower memory reads)."""
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.meta.max_length,
                               return_tensors="pt")
        with self._lock, torch.inference_mode():
            if lower_layers:
                return self.net.embed_with_lower(batch["input_ids"], batch["attention_mask"], lower_layers)
            return self.net.embed(batch["input_ids"], batch["attention_mask"]), None

    def intents(self, texts: list[str]) -> np.ndarray:
        """[n, intents] probabilities alone: what the classifier service needs, without the Banking77 members."""
        pooled, _ = self.embed(texts)
        with torch.inference_mode():
            return torch.softmax(self.net.intent_head(pooled), -1).numpy()

    def members(self, texts: list[str]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(intent probabilities [n, intents], each Banking77 member's probabilities [n, 77])."""
        lower_layers = self.meta.mix.lower_layers if self.lower_memory is not None else 0
        pooled, lower = self.embed(texts, lower_layers)
        with torch.inference_mode():
            intent, banking = self.net.heads(pooled)
            found = {"head": torch.softmax(banking, -1)}
            if self.memory is not None:
                found["memory"] = self.memory.vote(pooled)
            if self.lower_memory is not None and lower is not None:
                found["lower_memory"] = self.lower_memory.vote(lower)
        members = {name: probs.numpy() for name, probs in found.items()}
        if self.lexical is not None:
            members["lexical"] = self.lexical.predict(texts)
        return torch.softmax(intent, -1).numpy(), members

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(intent probabilities [n, intents], Banking77 probabilities [n, 77]: the members' weighted mean)."""
        intent, members = self.members(texts)
        return intent, mix_members(members, self.meta.mix)


def mix_members(members: dict[str, np.ndarray], mix: Mix) -> np.ndarray:
    weights = {name: getattr(mix, name) for name in members}
    total = sum(weights.values())
    if total <= 0:
        return members["head"]
    return (sum(weight * members[name] for name, weight in weights.items()) / total).astype(np.float32)


def quantize(module: nn.Module) -> nn.Module:
    """Dynamic int8 weights for the linear layers, one scale per output channel (closer to fp32 than one
    scale per tensor)."""
    with warnings.catch_warnings():  # torch flags its eager quantization API as deprecated; it works
        warnings.simplefilter("ignore")
        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        return torch.ao.quantization.quantize_dynamic(module, {nn.Linear: qconfig}, dtype=torch.qint8)
