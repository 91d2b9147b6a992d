"""Summarizer settings, from the environment, validated at start."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seatcopilot.config import CommonConfig, ConfigError, env, load
from seatcopilot.policy import DEFAULT_POLICIES

from services.summarizer.lexicon import DEFAULT_LEXICON

DAY_S = 86_400.0


@dataclass(frozen=True)
class SummarizerConfig:
    policy_path: Path = env("COMPLIANCE_POLICY", default=DEFAULT_POLICIES,
                            help="the policy packs (one per tenant, as compliance reads them): what each role owes")
    lexicon_path: Path = env("SUMMARIZER_LEXICON", default=DEFAULT_LEXICON,
                             help="products, follow-up intents, commitment and sentiment cues")
    backend: str = env("SUMMARIZER_BACKEND", default="auto", choices=("auto", "triton", "local", "none"),
                       help="the model writing narratives; auto follows GENERATION_BACKEND (scripted: none)")
    generation_backend: str = env("GENERATION_BACKEND", default="triton", choices=("triton", "local", "scripted"))
    triton_url: str = env("TRITON_GRPC_URL", default="127.0.0.1:8001")
    triton_model: str = env("TRITON_MODEL", default="seatcopilot_llm")
    triton_prompt_format: str = env("TRITON_PROMPT_FORMAT", default="chat_json", choices=("chat_json", "text"),
                                    help="as generation's: chat_json for the CPU model, text for TensorRT-LLM")
    triton_tokenizer_dir: str = env("TRITON_TOKENIZER_DIR", default="",
                                    help="the served model's tokenizer, for TRITON_PROMPT_FORMAT=text")
    max_tokens: int = env("SUMMARIZER_MAX_TOKENS", default=80, minimum=1)
    model_deadline_s: float = env("SUMMARIZER_MODEL_DEADLINE_S", default=20.0, minimum=0.05,
                                  help="past this the narrative is composed from call state alone")
    max_turns: int = env("SUMMARIZER_MAX_TURNS", default=200, minimum=1,
                         help="utterances kept per call for the model and for verification")
    state_retention_s: float = env("SUMMARIZER_STATE_RETENTION_S", default=DAY_S, minimum=60,
                                   help="how long an ended call's state is kept (in memory and in the changelog)")
    report_window_s: float = env("SUMMARIZER_REPORT_WINDOW_S", default=8 * 3600.0, minimum=60,
                                 help="the window of the manager reports published after each wrap-up")
    ledger_horizon_s: float = env("SUMMARIZER_LEDGER_HORIZON_S", default=7 * DAY_S, minimum=60,
                                  help="ended calls kept for manager summaries (read back from Kafka at start)")

    @property
    def model_backend(self) -> str:
        if self.backend != "auto":
            return self.backend
        return "none" if self.generation_backend == "scripted" else self.generation_backend


def validate(config: SummarizerConfig) -> SummarizerConfig:
    if config.ledger_horizon_s < config.report_window_s:
        raise ConfigError("SUMMARIZER_LEDGER_HORIZON_S must be at least SUMMARIZER_REPORT_WINDOW_S")
    return config


def load_config() -> tuple[CommonConfig, SummarizerConfig]:
    return load(CommonConfig), validate(load(SummarizerConfig))
