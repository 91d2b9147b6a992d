"""The classifier network: the MiniLM encoder (fine-tuned) with two heads over its mean-pooled output —
project intents (with an explicit `unknown` class) and the Banking77 label space."""

from __future__ import annotations

import json
import os
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from torch import nn

ENCODER_DIR, HEADS_FILE, META_FILE = "encoder", "heads.safetensors", "meta.json"


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

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor, start: int
              ) -> tuple[torch.Tensor, torch.Tensor]:
        mask = additive_mask(attention_mask, hidden.dtype)
        for layer in self.layers[start:]:
            hidden = _out(layer(hidden, mask))
        weights = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = self.dropout((hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9))
        return self.intent_head(pooled), self.banking_head(pooled)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.upper(self.lower(input_ids, attention_mask, 0), attention_mask, 0)


def _out(result: torch.Tensor | tuple) -> torch.Tensor:
    return result[0] if isinstance(result, tuple) else result


@dataclass(frozen=True)
class Meta:
    intent_labels: list[str]
    banking_labels: list[str]
    max_length: int
    version: str

    def to_json(self) -> str:
        return json.dumps(self.__dict__, indent=2)


def save(net: IntentNet, tokenizer, meta: Meta, directory: Path) -> None:
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    net.encoder.save_pretrained(directory / ENCODER_DIR)
    tokenizer.save_pretrained(directory / ENCODER_DIR)
    heads = {f"{name}.{key}": value.detach().contiguous() for name in ("intent_head", "banking_head")
             for key, value in getattr(net, name).state_dict().items()}
    save_file(heads, str(directory / HEADS_FILE))
    (directory / META_FILE).write_text(meta.to_json())


class Predictor:
    """Loads a trained model directory and turns texts into class probabilities for both heads.
    int8: dynamic int8 quantization of the linear layers (faster on CPUs, measured in the bench)."""

    def __init__(self, directory: Path, int8: bool = True, threads: int | None = None) -> None:
        from safetensors.torch import load_file
        from transformers import AutoModel, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        directory = Path(directory)
        meta = json.loads((directory / META_FILE).read_text())
        self.meta = Meta(**meta)
        self.tokenizer = AutoTokenizer.from_pretrained(str(directory / ENCODER_DIR))
        encoder = AutoModel.from_pretrained(str(directory / ENCODER_DIR))
        net = IntentNet(encoder, len(self.meta.intent_labels), len(self.meta.banking_labels))
        heads = load_file(str(directory / HEADS_FILE))
        for name in ("intent_head", "banking_head"):
            getattr(net, name).load_state_dict({k.split(".", 1)[1]: v for k, v in heads.items()
                                                if k.startswith(name + ".")})
        net.eval()
        if int8:
            with warnings.catch_warnings():  # torch flags its eager quantization API as deprecated; it works
                warnings.simplefilter("ignore")
                net = torch.ao.quantization.quantize_dynamic(net, {nn.Linear}, dtype=torch.qint8)
        self.net = net
        self.int8 = int8
        self._lock = threading.Lock()

    def predict(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(intent probabilities [n, intents], Banking77 probabilities [n, 77])."""
        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=self.meta.max_length,
                               return_tensors="pt")
        with self._lock, torch.inference_mode():
            intent, banking = self.net(batch["input_ids"], batch["attention_mask"])
        return torch.softmax(intent, -1).numpy(), torch.softmax(banking, -1).numpy()
