"""The small local instruct model; it lives in libs/ (generation and the summarizer both use it)."""

from seatcopilot.local_model import GGUF_FILE, MODEL_NAME, build_local_model, local_model_dir, models_dir

__all__ = ["GGUF_FILE", "MODEL_NAME", "build_local_model", "local_model_dir", "models_dir"]
