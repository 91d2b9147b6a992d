"""Greedy generation for evaluation: batched (left padding) for the suites, one at a time with stage
timings (tokenize, first token, decode) for latency. Same chat template and stop token as training."""

from __future__ import annotations

import time
from pathlib import Path

import torch

from seatcopilot_models.train import chat_prompt, end_id


class Generator:
    def __init__(self, model_dir: Path, threads: int | None = None) -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self.model_dir = model_dir
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self.model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
        self.end = end_id(self.tokenizer)

    def generate(self, entries: list[dict], max_new_tokens: int, batch_size: int = 8) -> list[str]:
        outputs: list[str] = []
        for start in range(0, len(entries), batch_size):
            prompts = [chat_prompt(self.tokenizer, e) for e in entries[start:start + batch_size]]
            width = max(map(len, prompts))
            ids = torch.tensor([[self.end] * (width - len(p)) + p for p in prompts])
            mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
            with torch.inference_mode():
                out = self.model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens,
                                          do_sample=False, eos_token_id=self.end, pad_token_id=self.end)
            outputs += [str(self.tokenizer.decode(row[width:], skip_special_tokens=True,
                                                   clean_up_tokenization_spaces=False)).strip() for row in out]
        return outputs

    def timed(self, entry: dict, max_new_tokens: int) -> tuple[str, dict[str, float]]:
        """One request with each stage's milliseconds: tokenize, prefill (first token), decode."""
        started = time.perf_counter()
        prompt = torch.tensor([chat_prompt(self.tokenizer, entry)])
        tokenized = time.perf_counter()
        with torch.inference_mode():
            result = self.model(input_ids=prompt, use_cache=True)
            next_id = result.logits[:, -1].argmax(-1, keepdim=True)
            first = time.perf_counter()
            past, produced = result.past_key_values, [int(next_id)]
            while produced[-1] != self.end and len(produced) < max_new_tokens:
                result = self.model(input_ids=next_id, past_key_values=past, use_cache=True)
                past, next_id = result.past_key_values, result.logits[:, -1].argmax(-1, keepdim=True)
                produced.append(int(next_id))
        done = time.perf_counter()
        decoded = self.tokenizer.decode(produced, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        text = str(decoded).strip()
        return text, {"tokenize_ms": (tokenized - started) * 1e3, "first_token_ms": (first - tokenized) * 1e3,
                      "decode_ms": (done - first) * 1e3, "tokens": len(produced)}
