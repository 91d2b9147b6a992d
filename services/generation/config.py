"""Generation settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, env, load
from seatcopilot.policy import DEFAULT_POLICY


@dataclass(frozen=True)
class GenerationConfig:
    backend: str = env("GENERATION_BACKEND", default="triton", choices=("triton", "local", "scripted"),
                       help="triton in the distributed mode, local in the embedded mode; scripted never calls a model")
    triton_url: str = env("TRITON_GRPC_URL", default="127.0.0.1:8001")
    triton_model: str = env("TRITON_MODEL", default="seatcopilot_llm")
    triton_prompt_format: str = env("TRITON_PROMPT_FORMAT", default="chat_json", choices=("chat_json", "text"),
                                    help="chat_json: the model applies its chat template (CPU model); "
                                         "text: rendered here with TRITON_TOKENIZER_DIR (TensorRT-LLM ensemble)")
    triton_tokenizer_dir: str = env("TRITON_TOKENIZER_DIR", default="",
                                    help="the served model's tokenizer, for TRITON_PROMPT_FORMAT=text")
    max_tokens: int = env("GENERATION_MAX_TOKENS", default=40, minimum=1)
    model_deadline_s: float = env("GENERATION_DEADLINE_S", default=8.0, minimum=0.05,
                                  help="past this the scripted, knowledge-grounded line is used instead")
    draft_ttl_s: float = env("SUGGESTION_TTL_S", default=30.0, minimum=0.1,
                             help="a suggestion older than this is never shown")
    max_concurrent: int = env("GENERATION_MAX_CONCURRENT", default=4, minimum=1,
                              help="model calls in flight; beyond this, requests are shed to the scripted line")
    plan_wording: str = env("GENERATION_PLAN_WORDING", default="planner", choices=("planner", "model"),
                            help="model: the model rewords the planner's answer cards, kept only when every planned "
                                 "fact is in it, in order, and no other figure (the planner's wording otherwise)")
    partial_drafts: bool = env("GENERATION_PARTIAL_DRAFTS", default=True,
                               help="a model's draft goes out sentence by sentence (partial drafts under one seq), so "
                                    "compliance can clear and the console show its first sentence while the model "
                                    "writes the next; false: whole drafts only")
    script_first: bool = env("GENERATION_SCRIPT_FIRST", default=True,
                             help="with partial drafts, a turn without a plan shows the knowledge base's scripted line "
                                  "at once, as the draft's first part, and the model's draft replaces it only if it "
                                  "passes the grounding check: the operator never waits on the model for a line")
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICY)
    arm_templates: str = env("GENERATION_ARM_TEMPLATES", default="brief=operator_suggestion_brief",
                             help="experiment variant arms and the prompt template each gets (arm=template,...); "
                                  "arm 'on' and unlisted arms get operator_suggestion, arm 'off' nothing")


def load_config() -> tuple[CommonConfig, GenerationConfig]:
    return load(CommonConfig), load(GenerationConfig)
