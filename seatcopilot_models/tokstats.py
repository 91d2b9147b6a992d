"""Tokenization statistics of a dataset with the model's own tokenizer: counts, lengths, percentiles,
how many items a sequence length would truncate."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def token_stats(texts: list[str], count_tokens: Callable[[str], int], max_len: int = 0) -> dict:
    lengths = np.array([count_tokens(t) for t in texts] or [0])
    stats = {
        "items": len(texts),
        "tokens": int(lengths.sum()),
        "mean": round(float(lengths.mean()), 1),
        "p50": int(np.percentile(lengths, 50)),
        "p95": int(np.percentile(lengths, 95)),
        "max": int(lengths.max()),
        "chars_per_token": round(sum(map(len, texts)) / max(1, int(lengths.sum())), 2),
    }
    if max_len:
        stats[f"over_{max_len}"] = int((lengths > max_len).sum())
    return stats


def tokenizer_counter(tokenizer) -> Callable[[str], int]:
    return lambda text: len(tokenizer(text, add_special_tokens=False).input_ids)
