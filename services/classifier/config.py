"""Classifier settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass

from seatcopilot.config import CommonConfig, env, load


@dataclass(frozen=True)
class ClassifierConfig:
    backend: str = env("CLASSIFIER_BACKEND", default="local", choices=("local", "triton"),
                       help="local: the trained model in this process; triton: the same model on a Triton server")
    model_dir: str = env("CLASSIFIER_MODEL_DIR", default="",
                         help="trained model directory; default: the last one `make models` built")
    min_confidence: float = env("CLASSIFIER_MIN_CONFIDENCE", default=0.3, minimum=0,
                                help="below this probability the intent is unknown (0.3: chosen on the dev turns "
                                     "of data/intents/eval and data/suggestions)")
    max_batch: int = env("CLASSIFIER_MAX_BATCH", default=32, minimum=1, help="micro-batch size (local)")
    max_wait_ms: float = env("CLASSIFIER_MAX_WAIT_MS", default=2.0, minimum=0,
                             help="how long a request waits for others to share its batch (local)")
    int8: bool = env("CLASSIFIER_INT8", default=True, help="dynamic int8 quantization (local)")
    runtime: str = env("CLASSIFIER_RUNTIME", default="onnx", choices=("onnx", "torch"),
                       help="what runs the encoder (local): onnx: ONNX Runtime (onnx_encoder.py; faster on 2 cores, "
                            "same Banking77 accuracy, docs/classifier.md); torch: the PyTorch model")
    threads: int = env("CLASSIFIER_THREADS", default=0, minimum=0,
                       help="torch / ONNX Runtime threads; 0: the runtime's default")
    carry_embedding: bool = env("CLASSIFIER_CARRY_EMBEDDING", default=True,
                                help="compute each customer utterance's shared-encoder vector here, micro-batched, "
                                     "and carry it on the classified event (retrieval then does not embed it)")
    triton_url: str = env("TRITON_GRPC_URL", default="127.0.0.1:8001")
    triton_model: str = env("CLASSIFIER_TRITON_MODEL", default="seatcopilot_intents")
    state_retention_s: float = env("CLASSIFIER_STATE_RETENTION_S", default=86400.0, minimum=60,
                                   help="how long the dialogue-state changelog keeps a call's state")
    triton_timeout_s: float = env("CLASSIFIER_TRITON_TIMEOUT_S", default=2.0, minimum=0.01)


def load_config() -> tuple[CommonConfig, ClassifierConfig]:
    return load(CommonConfig), load(ClassifierConfig)
