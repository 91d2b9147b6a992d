"""The model backends generation streams drafts from. They live in libs/ because the summarizer writes
summaries with the same backends; this module keeps generation's imports where they were."""

from seatcopilot.model_backends import (
    ChatTemplate,
    GenerationRequest,
    GgufBackend,
    LocalBackend,
    ModelBackend,
    TritonBackend,
    chat_as_json,
)

__all__ = ["ChatTemplate", "GenerationRequest", "GgufBackend", "LocalBackend", "ModelBackend", "TritonBackend",
           "chat_as_json"]
