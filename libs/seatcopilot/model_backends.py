"""One model-backend interface, two backends: the local model in-process and Triton over gRPC.
Shared by generation (suggestion drafts) and the summarizer (handover and wrap-up narratives).

Both take the same request — chat messages, token budget, bad words, stop words — and stream text
pieces. Decoding is greedy, so the same request gives the same text.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from seatcopilot.config import ConfigError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GenerationRequest:
    messages: list[dict[str, str]]
    max_tokens: int
    bad_words: list[str] = field(default_factory=list)
    stop_words: list[str] = field(default_factory=list)
    # Above 1 discourages repeating any earlier token, the prompt's included: right for a spoken line,
    # wrong for a summary, which should copy the call's figures.
    repetition_penalty: float = 1.2


class ModelBackend(Protocol):
    name: str

    def stream(self, request: GenerationRequest) -> AsyncIterator[str]: ...

    async def healthy(self) -> bool: ...

    async def close(self) -> None: ...


class LocalBackend:
    """The small instruct model in this process; generation runs in a worker thread."""

    name = "local"

    def __init__(self, model_dir: Path, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        if threads:
            torch.set_num_threads(threads)
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self.model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32).eval()
        self._lock = threading.Lock()

    def _bad_words_ids(self, words: list[str]) -> list[list[int]] | None:
        ids = []
        for word in words:
            for variant in (word, " " + word):
                tokens = self.tokenizer(variant, add_special_tokens=False).input_ids
                if tokens:
                    ids.append(tokens)
        return ids or None

    def _generate(self, request: GenerationRequest, emit, cancelled: threading.Event) -> None:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        class WhenCancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return torch.full((input_ids.shape[0],), cancelled.is_set(), dtype=torch.bool)

        torch = self._torch

        prompt: Any = self.tokenizer.apply_chat_template(request.messages, add_generation_prompt=True,
                                                    return_tensors="pt", return_dict=True)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
        kwargs = dict(
            **prompt, max_new_tokens=request.max_tokens, do_sample=False,
            repetition_penalty=request.repetition_penalty,
            bad_words_ids=self._bad_words_ids(request.bad_words), streamer=streamer,
            pad_token_id=self.tokenizer.eos_token_id, stopping_criteria=StoppingCriteriaList([WhenCancelled()]),
        )
        if request.stop_words:
            kwargs.update(stop_strings=request.stop_words, tokenizer=self.tokenizer)
        with self._lock, self._torch.inference_mode():
            if cancelled.is_set():  # the caller gave up while an earlier request held the model
                return
            worker = threading.Thread(target=self.model.generate, kwargs=kwargs, daemon=True)
            worker.start()
            for piece in streamer:
                if piece:
                    emit(piece)
            worker.join()

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        """Pieces as the model writes them. A caller that stops reading (a deadline) stops the model too,
        so the next request does not wait for text nobody reads."""
        async for piece in threaded_stream(lambda emit, cancelled: self._generate(request, emit, cancelled)):
            yield piece

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        """Waits for a decoding a caller stopped to end: a thread still inside torch when the interpreter exits
        aborts the process."""
        await asyncio.to_thread(self._wait_idle)

    def _wait_idle(self) -> None:
        with self._lock:
            pass


async def threaded_stream(generate: Callable[[Callable[[str], None], threading.Event], None]) -> AsyncIterator[str]:
    """Runs a blocking generator function in a worker thread and yields what it emits. When the caller stops
    reading, the event it was given is set, so the model stops decoding for nobody."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | BaseException | None] = asyncio.Queue()
    cancelled = threading.Event()

    def send(item: str | BaseException | None) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the caller's loop is gone
            cancelled.set()

    def run() -> None:
        try:
            generate(send, cancelled)
            send(None)
        except BaseException as error:
            send(error)

    threading.Thread(target=run, daemon=True).start()
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        cancelled.set()


class GgufBackend:
    """The base model on llama.cpp in this process (seatcopilot.gguf_runtime): a pool of contexts, so requests
    of different calls decode at once, each in arrival order. Same request, same greedy decoding."""

    name = "local"

    def __init__(self, gguf: Path, tokenizer_dir: Path, threads: int | None = None, pool: int | None = None) -> None:
        import os

        from seatcopilot.gguf_runtime import GgufModel

        self.model = GgufModel(gguf, ChatTemplate(str(tokenizer_dir)), threads or os.cpu_count() or 1, pool)

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        def generate(emit: Callable[[str], None], cancelled: threading.Event) -> None:
            for piece in self.model.stream(request.messages, request.max_tokens, request.bad_words,
                                           request.stop_words, request.repetition_penalty, cancelled):
                emit(piece)

        async for piece in threaded_stream(generate):
            yield piece

    async def healthy(self) -> bool:
        return True

    async def close(self) -> None:
        """Waits for every context to be free (see LocalBackend.close)."""
        await asyncio.to_thread(self.model.wait_idle)


@lru_cache(maxsize=1)
def shared_local_backend() -> LocalBackend | GgufBackend:
    """One local model per process (the embedded mode runs generation and the summarizer together): the model
    kit's when it built one that passed its gate, else the base model; the log says which, and on which
    runtime (SEATCOPILOT_LLM_RUNTIME: llama.cpp for the base model when installed, else transformers)."""
    from seatcopilot.gguf_runtime import packaged_gguf, use_llama_cpp
    from seatcopilot.local_model import served_model

    served = served_model()
    gguf = packaged_gguf()
    if gguf is not None and use_llama_cpp(served.kind == "base"):
        log.info("local model: %s, on llama.cpp (%s)", served.describe(), gguf.name)
        return GgufBackend(gguf, served.path)
    log.info("local model: %s, on transformers", served.describe())
    return LocalBackend(served.path)


def model_backend(kind: str, triton_url: str, triton_model: str, prompt_format: str = "chat_json",
                  tokenizer_dir: str = "") -> ModelBackend | None:
    """The backend a service's settings name: triton (the chat as JSON for the CPU model, or as text
    rendered with the served model's template for the TensorRT-LLM ensemble), local (the process's
    shared model), else none."""
    if kind == "triton":
        if prompt_format == "text":
            if not tokenizer_dir:
                raise ConfigError("TRITON_PROMPT_FORMAT=text needs TRITON_TOKENIZER_DIR")
            return TritonBackend(triton_url, triton_model, ChatTemplate(tokenizer_dir))
        return TritonBackend(triton_url, triton_model, chat_as_json)
    if kind == "local":
        return shared_local_backend()
    return None


async def complete(backend: ModelBackend, request: GenerationRequest, deadline_s: float) -> str:
    """The whole text of one request, or TimeoutError past the deadline."""
    pieces: list[str] = []
    async with asyncio.timeout(deadline_s):
        async for piece in backend.stream(request):
            pieces.append(piece)
    return "".join(pieces)


def chat_as_json(messages: list[dict[str, str]]) -> str:
    """The chat as JSON for `text_input`: the CPU model applies its own chat template."""
    import json

    return json.dumps(messages)


class ChatTemplate:
    """Renders the chat with the served model's template, for the TensorRT-LLM ensemble whose
    preprocessing tokenizes plain text."""

    def __init__(self, tokenizer_dir: str) -> None:
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(tokenizer_dir)

    def __call__(self, messages: list[dict[str, str]]) -> str:
        return str(self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True))


class TritonBackend:
    """Triton over gRPC streaming: inputs and outputs named like the TensorRT-LLM ensemble."""

    name = "triton"

    def __init__(self, url: str, model: str, render: Callable[[list[dict[str, str]]], str] = chat_as_json) -> None:
        import tritonclient.grpc.aio as grpcclient

        self._grpc = grpcclient
        self.url = url
        self.model = model
        self.render = render
        self._client = None

    @property
    def client(self):
        """Created on first use: a gRPC aio channel belongs to the event loop it was made in."""
        if self._client is None:
            self._client = self._grpc.InferenceServerClient(self.url)
        return self._client

    def _inputs(self, request: GenerationRequest) -> list:
        def tensor(name: str, array: np.ndarray, dtype: str):
            item = self._grpc.InferInput(name, list(array.shape), dtype)
            item.set_data_from_numpy(array)
            return item

        # Shapes carry a batch dimension of 1, as the TensorRT-LLM ensemble expects.
        inputs = [
            tensor("text_input", np.array([[self.render(request.messages).encode()]], dtype=np.object_), "BYTES"),
            tensor("max_tokens", np.array([[request.max_tokens]], dtype=np.int32), "INT32"),
            tensor("stream", np.array([[True]], dtype=bool), "BOOL"),
            tensor("repetition_penalty", np.array([[request.repetition_penalty]], dtype=np.float32), "FP32"),
        ]
        for name, words in (("bad_words", request.bad_words), ("stop_words", request.stop_words)):
            if words:
                inputs.append(tensor(name, np.array([[w.encode() for w in words]], dtype=np.object_), "BYTES"))
        return inputs

    async def stream(self, request: GenerationRequest) -> AsyncIterator[str]:
        async def requests():
            yield {"model_name": self.model, "inputs": self._inputs(request),
                   "outputs": [self._grpc.InferRequestedOutput("text_output")],
                   "enable_empty_final_response": True}

        async for result, error in self.client.stream_infer(inputs_iterator=requests()):
            if error is not None:
                raise RuntimeError(f"triton: {error}")
            response = result.get_response()
            if response.outputs:
                piece = result.as_numpy("text_output").reshape(-1)[0]
                yield piece.decode() if isinstance(piece, bytes) else str(piece)
            final = response.parameters.get("triton_final_response")
            if final is not None and final.bool_param:
                return

    async def healthy(self) -> bool:
        try:
            return bool(await self.client.is_model_ready(self.model))
        except Exception:  # unreachable means unhealthy
            return False

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
