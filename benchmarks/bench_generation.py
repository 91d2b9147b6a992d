"""Generation: time to the first complete sentence (TTFS), time to first token and tokens/s for the
pipeline's own prompts, at 1 and 10 requests at once, today's path against the faster ones, in one run.

Prompts are the ones generation builds when the labelled calls of data/suggestions/dev.jsonl are replayed
through the classifier stage's dialogue state and retrieval's planner, in process: `reword` (a planned answer
to word, GENERATION_PLAN_WORDING=model: the short prompt built from the plan) and `suggestion` (a turn without
a plan: facts, recent turns and what is owed). Each request asks for the service's token cap.

Variants: `today` is transformers (fp32) decoding up to the cap, as generation did before it stopped at the
second sentence; `llama.cpp` is the GGUF on llama-cpp-python with
the stop, one context (1 thread) or the default pool of 2 (1 thread each: requests of different calls at once).
`ratio` is today's TTFS p50 over the variant's, for the same prompts and concurrency.
A second table times the first sentence compliance clears for turns without a plan: the generation stage
(llama.cpp, its pool) and the compliance stage (its detector) in one process, drafts sent whole against drafts
sent sentence by sentence (GENERATION_PARTIAL_DRAFTS), in the same run.
With Triton up (`make bench`), the same through Triton's python backend, with the runtime it was started with;
TRITON_BASELINE_GRPC_URL names a second server started with SEATCOPILOT_LLM_RUNTIME=torch, for today on Triton.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.table import Table, percentile
from services.generation.backends import GenerationRequest, GgufBackend, LocalBackend, ModelBackend, TritonBackend
from services.generation.local_model import build_local_model
from services.generation.logic import sentences_complete

CONCURRENCY = (1, 10)
SEQUENTIAL = 5  # concurrency 1: this many prompts one after another
SENTENCES = 2  # the drafts keep two sentences (the default template's style and the reword's)
CALLS = Path(__file__).resolve().parents[1] / "data" / "suggestions" / "dev.jsonl"


@dataclass
class Sample:
    ttft: float
    ttfs: float
    seconds: float
    text: str
    error: str = ""


@dataclass(frozen=True)
class Variant:
    label: str
    backend: str  # a key of the backends dict run() builds
    stop_after_sentences: bool


@dataclass
class Turn:
    """A customer turn as generation receives it, with the call's events up to it (for its recent turns)."""

    events: list[Any]
    grounded: Any
    request: GenerationRequest


def pipeline_prompts(limit: int = 10) -> dict[str, list[GenerationRequest]]:
    """The requests generation makes for the labelled dev calls: planned answers reworded, other turns drafted."""
    return {kind: [t.request for t in turns] for kind, turns in pipeline_turns(limit).items()}


def pipeline_turns(limit: int = 10) -> dict[str, list[Turn]]:
    return asyncio.run(_pipeline_turns(limit))


async def _pipeline_turns(limit: int) -> dict[str, list[Turn]]:
    from seatcopilot.config import embedded_environ, load
    from seatcopilot.policy import load_policy

    from seatcopilot_models.stage_classifier import StageClassifier
    from seatcopilot_models.suggestions import _event, read_calls
    from services.generation.config import GenerationConfig
    from services.generation.logic import Generator
    from services.retrieval import main as retrieval_main
    from services.retrieval.config import RetrievalConfig

    retriever = retrieval_main.build(load(RetrievalConfig, embedded_environ()))
    stage, config = StageClassifier(), load(GenerationConfig, {"GENERATION_BACKEND": "scripted"})
    found: dict[str, list[Turn]] = {"reword": [], "suggestion": []}
    for call in read_calls(CALLS):
        generator, events = Generator(None, load_policy(), config), []
        for seq, turn in enumerate(call["turns"], start=1):
            event = _event(call, seq, turn)
            classified = stage.classified(event)
            generator.observe(event)
            events.append(event)
            if turn["speaker"] != "CUSTOMER":
                continue
            grounded = await retriever.retrieve(classified)
            if grounded.plan.answer_type and grounded.plan.card_kind == "answer":
                found["reword"].append(Turn(list(events), grounded, generator.reword_prompt(grounded)[1]))
            elif not grounded.plan.answer_type:
                found["suggestion"].append(Turn(list(events), grounded, generator.suggestion_prompt(grounded)[1]))
    # Spread over the calls, so the first prompts are not all one call's openings.
    return {kind: turns[:: max(1, len(turns) // limit)][:limit] for kind, turns in found.items()}


async def one(backend: ModelBackend, request: GenerationRequest, stop: bool) -> Sample:
    started = time.perf_counter()
    text, ttft, ttfs = "", float("nan"), float("nan")
    try:
        async with contextlib.aclosing(backend.stream(request)) as pieces:  # closed at once: the model stops
            async for piece in pieces:
                now = time.perf_counter() - started
                ttft = now if not text else ttft
                text += piece
                if ttfs != ttfs and sentences_complete(text, 1):  # nan: not yet
                    ttfs = now
                if stop and sentences_complete(text, SENTENCES):
                    break
    except Exception as error:  # a rejected request (bounded queue) is counted, not fatal
        return Sample(float("nan"), float("nan"), time.perf_counter() - started, "", type(error).__name__)
    seconds = time.perf_counter() - started
    return Sample(ttft, seconds if ttfs != ttfs else ttfs, seconds, text)


async def level(backend: ModelBackend, requests: list[GenerationRequest], concurrency: int, stop: bool,
                count: Callable[[str], int]) -> dict[str, Any]:
    started = time.perf_counter()
    if concurrency == 1:
        samples = [await one(backend, r, stop) for r in requests[:SEQUENTIAL]]
    else:
        chosen = (requests * concurrency)[:concurrency]
        samples = list(await asyncio.gather(*(one(backend, r, stop) for r in chosen)))
    wall = time.perf_counter() - started
    ok = [s for s in samples if not s.error]
    tokens = sum(count(s.text) for s in ok)
    ttfs = [s.ttfs * 1000 for s in ok]
    return {"ok": len(ok), "failed": len(samples) - len(ok),
            "ttfs50": percentile(ttfs, 50), "ttfs95": percentile(ttfs, 95),
            "ttft50": percentile([s.ttft * 1000 for s in ok], 50), "tps": tokens / wall if wall else 0.0,
            "tokens": tokens / len(ok) if ok else 0.0}


def _variants(triton: bool) -> list[Variant]:
    """Every variant, or those whose backend BENCH_GENERATION_ONLY names (comma-separated: torch, gguf1, gguf2,
    triton; the first one listed is then the ratios' baseline)."""
    variants = [Variant("today: transformers, to the token cap", "torch", False)]
    if _llama_cpp():
        variants += [Variant("llama.cpp, 1 context x 1 thread, 2 sentences", "gguf1", True),
                     Variant("llama.cpp, 2 contexts x 1 thread, 2 sentences", "gguf2", True)]
    if triton and os.environ.get("TRITON_BASELINE_GRPC_URL"):  # a second server, started with the old runtime
        variants.append(Variant("today on Triton: transformers, to the token cap", "triton_torch", False))
    if triton:
        runtime = os.environ.get("BENCH_TRITON_RUNTIME", "its runtime")
        variants.append(Variant(f"Triton python backend ({runtime}), 2 sentences", "triton", True))
    only = [k.strip() for k in os.environ.get("BENCH_GENERATION_ONLY", "").split(",") if k.strip()]
    return sorted((v for v in variants if v.backend in only), key=lambda v: only.index(v.backend)) if only \
        else variants


def _llama_cpp() -> bool:
    from seatcopilot.gguf_runtime import llama_cpp_installed, packaged_gguf

    return llama_cpp_installed() and packaged_gguf() is not None


def _backends(triton: bool, wanted: set[str]) -> dict[str, ModelBackend]:
    from seatcopilot.gguf_runtime import llama_cpp_installed, packaged_gguf

    model_dir = build_local_model()
    backends: dict[str, ModelBackend] = {"torch": LocalBackend(model_dir)} if "torch" in wanted else {}
    gguf = packaged_gguf()
    if gguf is not None and llama_cpp_installed() and wanted & {"gguf1", "gguf2"}:
        backends["gguf1"] = GgufBackend(gguf, model_dir, threads=1, pool=1)
        backends["gguf2"] = GgufBackend(gguf, model_dir, threads=2, pool=2)
    if "triton" in wanted:
        backends["triton"] = TritonBackend(os.environ.get("TRITON_GRPC_URL", "127.0.0.1:8001"), "seatcopilot_llm")
    if "triton_torch" in wanted:
        backends["triton_torch"] = TritonBackend(os.environ["TRITON_BASELINE_GRPC_URL"], "seatcopilot_llm")
    return backends


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


async def _measure(backends: dict[str, ModelBackend], prompts: dict[str, list[GenerationRequest]],
                   variants: list[Variant], count: Callable[[str], int]) -> list[list[object]]:
    rows: list[list[object]] = []
    baseline: dict[tuple[str, int], float] = {}
    for kind, requests in prompts.items():
        for variant in variants:
            backend = backends[variant.backend]
            await one(backend, requests[0], variant.stop_after_sentences)  # warm-up (and the prompt cache)
            for concurrency in CONCURRENCY:
                m = await level(backend, requests, concurrency, variant.stop_after_sentences, count)
                base = baseline.setdefault((kind, concurrency), m["ttfs50"])
                rows.append([kind, variant.label, concurrency, m["ok"], m["failed"], m["ttfs50"], m["ttfs95"],
                             m["ttft50"], m["tps"], m["tokens"], base / m["ttfs50"] if m["ttfs50"] else 0.0,
                             _load()])
    for backend in backends.values():
        await backend.close()
    return rows


async def _first_cleared(backend: ModelBackend, config: Any, engine: Any,
                         turn: Turn) -> tuple[float, float, str, str]:
    """Seconds to the first draft (a part or the whole) compliance clears to show, to the whole draft, and who
    wrote the first cleared text and the whole draft (model or script). The generator is the turn's own, having
    seen the call up to the turn, so the prompt is the one the stage builds."""
    from seatcopilot.contracts.generation.v1 import generation_pb2 as gen
    from seatcopilot.policy import load_policy
    from seatcopilot.verdicts import SHOWN_VERDICTS

    from services.generation.logic import Generator

    generator = Generator(backend, load_policy(), config)
    for event in turn.events:
        generator.observe(event)
    started, first, whole, writer = time.perf_counter(), float("nan"), float("nan"), ""
    async for draft in generator.drafts(turn.grounded):
        await engine.warm(draft.text)
        steered = engine.steer(draft)
        whole, wrote = time.perf_counter() - started, ("script" if draft.backend == gen.BACKEND_SCRIPTED else "model")
        if first != first and steered.compliance.verdict in SHOWN_VERDICTS:
            first, writer = whole, wrote
    return (whole if first != first else first), whole, writer, wrote


async def _cleared_rows(turns: list[Turn]) -> list[list[object]]:
    from seatcopilot.config import load
    from seatcopilot.encoder import shared_encoder
    from seatcopilot.gguf_runtime import packaged_gguf
    from seatcopilot.policy import load_policies

    from services.compliance.learned import current_model_dir
    from services.compliance.learned import load as load_detector
    from services.compliance.logic import ComplianceEngine
    from services.generation.config import GenerationConfig

    detector = current_model_dir()
    engine = ComplianceEngine(load_policies(), shared_encoder().encode, None,
                              load_detector(detector) if detector else None)
    gguf = packaged_gguf()
    assert gguf is not None
    backend = GgufBackend(gguf, build_local_model(), threads=2, pool=2)
    rows: list[list[object]] = []
    modes = {"whole drafts (before)": ("false", "false"), "sentence by sentence": ("true", "false"),
             "scripted line first": ("true", "true")}
    for mode, (partial, script_first) in modes.items():
        for concurrency in CONCURRENCY:
            config = load(GenerationConfig, {"GENERATION_BACKEND": "local", "GENERATION_MAX_CONCURRENT":
                                             str(concurrency), "GENERATION_PARTIAL_DRAFTS": partial,
                                             "GENERATION_SCRIPT_FIRST": script_first})
            await _first_cleared(backend, config, engine, turns[0])  # warm-up
            chosen = turns[:SEQUENTIAL] if concurrency == 1 else (turns * concurrency)[:concurrency]
            if concurrency == 1:
                samples = [await _first_cleared(backend, config, engine, t) for t in chosen]
            else:
                samples = list(await asyncio.gather(*(_first_cleared(backend, config, engine, t) for t in chosen)))
            firsts, wholes = [s[0] * 1000 for s in samples], [s[1] * 1000 for s in samples]
            rows.append([mode, concurrency, percentile(firsts, 50), percentile(firsts, 95), percentile(wholes, 50),
                         sum(s[2] == "model" for s in samples), sum(s[3] == "model" for s in samples), len(samples),
                         _load()])
    await backend.close()
    return rows


def run(out: Path) -> list[Table]:
    from transformers import AutoTokenizer

    triton = bool(os.environ.get("SEATCOPILOT_TRITON"))
    tokenizer = AutoTokenizer.from_pretrained(str(build_local_model()))

    def count(text: str) -> int:  # one tokenizer for every runtime: their pieces are not all one token
        return len(tokenizer(text, add_special_tokens=False).input_ids)

    prompts = pipeline_prompts()
    table = Table("Generation — time to first sentence, pipeline prompts, today's path against the faster ones",
                  ["prompt", "variant", "concurrency", "ok", "failed", "TTFS p50 ms", "TTFS p95 ms", "TTFT p50 ms",
                   "tokens/s (all)", "tokens/draft", "TTFS p50 ratio vs today", "load avg 1/5/15"])
    variants = _variants(triton)
    table.rows = asyncio.run(_measure(_backends(triton, {v.backend for v in variants}), prompts, variants, count))
    sizes = ", ".join(f"{k}: {len(v)} prompts" for k, v in prompts.items())
    table.note = (f"SmolLM2-135M-Instruct, greedy, the service's token cap; {sizes} from {CALLS.name}; concurrency 1: "
                  f"{SEQUENTIAL} one after another, 10: ten at once. TTFS: request start to the end of the first "
                  "complete sentence (whitespace after . ! or ?, or the end of the text). Command: `make bench` "
                  "(or `python -m benchmarks generation`; the Triton row with Triton up).")
    tables = [table]
    if _llama_cpp() and os.environ.get("BENCH_GENERATION_CLEARED", "1") != "0":
        cleared = Table("Generation and compliance — time to the first sentence compliance clears, turns without "
                        "a plan", ["drafts", "concurrency", "first cleared p50 ms", "first cleared p95 ms",
                                   "whole draft p50 ms", "first cleared: the model's", "whole draft: the model's",
                                   "turns", "load avg 1/5/15"])
        cleared.rows = asyncio.run(_cleared_rows(pipeline_turns()["suggestion"]))
        cleared.note = ("The generation stage's Generator (llama.cpp, a pool of 2 one-thread contexts; "
                        "GENERATION_MAX_CONCURRENT = the concurrency) and the compliance stage's engine (packs, "
                        "embedding matcher, learned detector) in one process: each draft or part is judged as it "
                        "comes. First cleared: the first part or whole draft judged PASS or REWRITTEN (a blocked "
                        "draft: its whole). The model's: how many of the turns' first cleared texts, and whole drafts, "
                        "the model wrote (the rest are the scripted line: the knowledge base's, shown first, or "
                        "the fallback when the model's draft fails its grounding check). Concurrency 1: 5 turns "
                        "one after another; 10: ten at once. Command: `python -m benchmarks generation` "
                        "(BENCH_GENERATION_CLEARED=0 leaves it out).")
        tables.append(cleared)
    return tables
