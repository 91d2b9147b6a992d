"""Generation: time to first token and tokens/s through Triton (CPU, python backend, the local
model) at concurrency 1, 4 and 16, against calling the same model through transformers in-process."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

from benchmarks.table import Table, percentile
from services.generation.backends import GenerationRequest, LocalBackend, ModelBackend, TritonBackend
from services.generation.local_model import build_local_model

NEEDS = ("triton",)
CONCURRENCY = (1, 4, 16)
MAX_TOKENS = 32
MESSAGES = [{"role": "system", "content": "You help a bank call-center agent. Answer in two sentences."},
            {"role": "user", "content": "The customer asks how to change the due date of a personal loan."}]


async def one(backend: ModelBackend) -> tuple[float, float, int, str]:
    started = time.perf_counter()
    first, pieces = None, 0
    try:
        async for _ in backend.stream(GenerationRequest(MESSAGES, MAX_TOKENS)):
            first = first if first is not None else time.perf_counter() - started
            pieces += 1
    except Exception as error:  # a rejected request (bounded queue) is counted, not fatal
        return float("nan"), time.perf_counter() - started, 0, type(error).__name__
    return first or float("nan"), time.perf_counter() - started, pieces, ""


async def level(backend: ModelBackend, concurrency: int) -> list[object]:
    started = time.perf_counter()
    results = await asyncio.gather(*(one(backend) for _ in range(concurrency)))
    wall = time.perf_counter() - started
    ok = [r for r in results if not r[3]]
    ttft = [r[0] * 1000 for r in ok]
    tokens = sum(r[2] for r in ok)
    return [concurrency, len(ok), concurrency - len(ok), percentile(ttft, 50), percentile(ttft, 95),
            tokens / wall if wall else 0.0, sum(r[2] / r[1] for r in ok) / len(ok) if ok else 0.0]


def run(out: Path) -> list[Table]:
    url = os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001")
    tables = []
    for label, make in (("Triton (CPU, python backend, streaming gRPC)", lambda: TritonBackend(url, "seatcopilot_llm")),
                        ("transformers in-process (same model, same decoding)",
                         lambda: LocalBackend(build_local_model()))):
        backend = make()

        async def measure(backend=backend) -> list[list[object]]:
            await one(backend)  # warm-up
            try:
                return [await level(backend, c) for c in CONCURRENCY]
            finally:
                await backend.close()

        table = Table(f"Generation — {label}",
                      ["concurrency", "ok", "rejected", "TTFT p50 ms", "TTFT p95 ms", "tokens/s (all)",
                       "tokens/s per stream"])
        table.rows = asyncio.run(measure())
        table.note = (f"SmolLM2-135M-Instruct fp32, greedy, {MAX_TOKENS} new tokens, 2-core CPU. "
                      "Command: `make bench` (or `python -m benchmarks generation` with Triton up).")
        tables.append(table)
    return tables
