"""Entrypoint: `python -m services.generation`."""

from __future__ import annotations

from seatcopilot import service
from seatcopilot.model_backends import model_backend
from seatcopilot.policy import load_policy

from services.generation import grpc_adapter, kafka_adapter
from services.generation.backends import ModelBackend
from services.generation.config import GenerationConfig, load_config
from services.generation.logic import Generator


def build_backend(config: GenerationConfig) -> ModelBackend | None:
    return model_backend(config.backend, config.triton_url, config.triton_model, config.triton_prompt_format,
                         config.triton_tokenizer_dir)


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
