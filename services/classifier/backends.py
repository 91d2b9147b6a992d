"""Where the model runs: in this process (micro-batched) or on a Triton server. Both give, per text,
the intent probabilities and their labels."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
from seatcopilot.batching import MicroBatcher

TRITON_INPUT = "text"
TRITON_OUTPUTS = ("intent_probs", "intent_labels")


class Backend(Protocol):
    labels: list[str]
    version: str

    def intent_probs(self, texts: list[str]) -> np.ndarray: ...

    def close(self) -> None: ...


class LocalBackend:
    """The trained model in this process; concurrent callers share forward passes."""

    def __init__(self, directory: Path, int8: bool, threads: int, max_batch: int, max_wait_s: float,
                 runtime: str = "onnx") -> None:
        from services.classifier.onnx_encoder import predictor

        # intents only: the Banking77 members (memories, lexical model) are not loaded
        self.predictor = predictor(runtime, directory, int8=int8, threads=threads or None, mix=False)
        self.labels = self.predictor.meta.intent_labels
        self.version = (f"minilm-intents/{self.predictor.meta.version}" + ("-int8" if int8 else "")
                        + ("-onnx" if runtime == "onnx" else ""))
        self.batcher: MicroBatcher[np.ndarray] = MicroBatcher(
            lambda texts: list(self.predictor.intents(texts)), max_batch, max_wait_s, "classifier-batcher")

    def intent_probs(self, texts: list[str]) -> np.ndarray:
        return np.stack(self.batcher.run(texts, timeout=30))

    def close(self) -> None:
        self.batcher.close()


class TritonBackend:
    """The same model served by Triton (python backend, dynamic batching on the server)."""

    def __init__(self, url: str, model: str, timeout_s: float) -> None:
        import tritonclient.grpc as grpcclient

        self._grpc = grpcclient
        self.client = grpcclient.InferenceServerClient(url=url)
        self.model = model
        self.timeout_s = timeout_s
        if not self.client.is_model_ready(model):
            raise RuntimeError(f"Triton model {model} is not ready at {url}")
        self.version = f"triton:{model}"
        self.labels = list(self._infer(["hello"])[1])

    def _infer(self, texts: list[str]) -> tuple[np.ndarray, list[str]]:
        data = np.array([[t.encode()] for t in texts], dtype=np.object_)
        tensor = self._grpc.InferInput(TRITON_INPUT, list(data.shape), "BYTES")
        tensor.set_data_from_numpy(data)
        outputs = [self._grpc.InferRequestedOutput(name) for name in TRITON_OUTPUTS]
        result = self.client.infer(self.model, [tensor], outputs=outputs, client_timeout=self.timeout_s)
        labels = [v.decode() for v in result.as_numpy("intent_labels")[0]]
        return result.as_numpy("intent_probs"), labels

    def intent_probs(self, texts: list[str]) -> np.ndarray:
        return self._infer(texts)[0]

    def close(self) -> None:
        self.client.close()


class SharedEmbedder:
    """The shared (frozen) sentence encoder, micro-batched like the model: the utterance vector that the
    classifier carries on the classified event for retrieval (one encoder pass per utterance in the pipeline)."""

    def __init__(self, max_batch: int, max_wait_s: float) -> None:
        from seatcopilot.encoder import shared_encoder

        encoder = shared_encoder()
        self.identity = encoder.identity
        self.batcher: MicroBatcher[np.ndarray] = MicroBatcher(
            lambda texts: list(encoder.encode(texts)), max_batch, max_wait_s, "embedding-batcher")

    def __call__(self, text: str) -> np.ndarray:
        return self.batcher.run([text], timeout=30)[0]

    def close(self) -> None:
        self.batcher.close()
