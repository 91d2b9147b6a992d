"""Entrypoint: `python -m services.generation`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.config import ConfigError
from seatcopilot.policy import load_policy

from services.generation import grpc_adapter, kafka_adapter
from services.generation.backends import ChatTemplate, LocalBackend, ModelBackend, TritonBackend, chat_as_json
from services.generation.config import GenerationConfig, load_config
from services.generation.local_model import build_local_model
from services.generation.logic import Generator


def build_backend(config: GenerationConfig) -> ModelBackend | None:
    if config.backend == "triton":
        if config.triton_prompt_format == "text":
            if not config.triton_tokenizer_dir:
                raise ConfigError("TRITON_PROMPT_FORMAT=text needs TRITON_TOKENIZER_DIR")
            return TritonBackend(config.triton_url, config.triton_model, ChatTemplate(config.triton_tokenizer_dir))
        return TritonBackend(config.triton_url, config.triton_model, chat_as_json)
    if config.backend == "local":
        return LocalBackend(build_local_model())
    return None


def build(config: GenerationConfig) -> Generator:
    return Generator(build_backend(config), load_policy(config.policy_path), config)


def main() -> None:
    common, config = load_config()

    async def setup(ctx: service.ServiceContext) -> None:
        generator = build(config)
        ctx.background.extend(kafka_adapter.attach(ctx.io, generator))
        grpc_adapter.register(ctx.server, generator)
        if generator.backend is not None:
            ctx.health.add_check("model_backend", generator.backend.healthy)
            ctx.on_shutdown.append(generator.backend.close)

    service.run("generation", common, [grpc_adapter.SERVICE_NAME], setup)
