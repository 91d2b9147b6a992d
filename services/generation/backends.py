"""The model backends generation streams drafts from. They live in libs/ because the summarizer writes
summaries with the same backends; this module keeps generation's imports where they were."""

from seatcopilot.model_backends import GenerationRequest, LocalBackend, ModelBackend, TritonBackend, render_chat

__all__ = ["GenerationRequest", "LocalBackend", "ModelBackend", "TritonBackend", "render_chat"]
