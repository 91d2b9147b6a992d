"""Subjective items scored by a judge model through the generation interface (the same model backends
generation and the summarizer use: a local model in-process or Triton), with a rubric per task.
The judge's raw answer is kept for human review; an answer without a score counts as unscored."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from pathlib import Path

from seatcopilot.model_backends import GenerationRequest, LocalBackend, ModelBackend, TritonBackend, complete

RUBRICS = {
    "suggest": "5: answers the customer's question using only the facts, in one or two sentences, and is "
               "compliant. 3: relevant but vague, or adds facts not given. 1: wrong, off topic, or makes "
               "promises or threats.",
    "summary": "5: says what the customer wanted and what was agreed, faithful to the transcript, three "
               "sentences. 3: partly right or missing the outcome. 1: wrong or invented.",
}
_SCORE = re.compile(r"\b([1-5])\b")


@lru_cache(maxsize=2)
def judge_backend(spec: str) -> ModelBackend:
    """`local` (the bundled instruct model), `local:DIR`, or `triton:HOST:PORT/MODEL`; one per process."""
    kind, _, rest = spec.partition(":")
    if kind == "local":
        from seatcopilot.local_model import build_local_model

        # The base model, never the served one: a kit model must not judge itself.
        return LocalBackend(Path(rest) if rest else build_local_model())
    if kind == "triton" and "/" in rest:
        url, model = rest.rsplit("/", 1)
        return TritonBackend(url, model)
    raise ValueError(f"judge {spec!r}: expected local, local:DIR or triton:HOST:PORT/MODEL")


def judge_messages(task: str, prompt: str, answer: str, reference: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": "You grade replies written for contact-center operators. "
                                          "Answer with a single digit from 1 to 5."},
            {"role": "user", "content": f"Task given:\n{prompt}\n\nReference answer:\n{reference}\n\n"
                                        f"Reply to grade:\n{answer}\n\nRubric: {RUBRICS[task]}\n"
                                        "Grade the reply: answer with one digit, 1 to 5."}]


def parse_score(text: str) -> int | None:
    match = _SCORE.search(text)
    return int(match.group(1)) if match else None


async def _judge_all(backend: ModelBackend, rows: list[dict], deadline_s: float) -> list[str]:
    answers = []
    for row in rows:
        request = GenerationRequest(judge_messages(row["task"], row["prompt"], row["output"], row["reference"]),
                                    max_tokens=12, repetition_penalty=1.0)
        answers.append(await complete(backend, request, deadline_s))
    await backend.close()
    return answers


def judge(rows: list[dict], spec: str, deadline_s: float = 120.0) -> list[tuple[int | None, str]]:
    """(score, the judge's raw answer) per row (rows: task, prompt, output, reference)."""
    answers = asyncio.run(_judge_all(judge_backend(spec), rows, deadline_s))
    return [(parse_score(answer), answer) for answer in answers]
