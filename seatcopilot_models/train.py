"""Three-stage LoRA construction on one adapter that each stage carries on:

1. domain     continued pretraining on the domain text (packed blocks, loss on every token);
2. capability instruction items for reading comprehension, intent analysis and task classification;
3. task       suggestions, summaries and compliant rewrites, mixed in two phases with the internal
              and generic pools at the profile's ratios.

Seeded (same data order and initialisation for the same seed), with a progress bar, and resumable:
a checkpoint (adapter, optimizer, scheduler, step, RNG) is written every `save_every` steps and a
rerun continues from it. Instruction items are trained on the assistant's answer only.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from seatcopilot_models.mixing import draw, mix, two_phase
from seatcopilot_models.profiles import STAGES, Profile

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
IGNORE = -100


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def end_id(tokenizer) -> int:
    """The token that ends an assistant turn (generation stops on it); GGUF-converted tokenizers may
    name another token as eos."""
    token = tokenizer.convert_tokens_to_ids("<|im_end|>")
    return token if isinstance(token, int) and token != tokenizer.unk_token_id else tokenizer.eos_token_id


def chat_prompt(tokenizer, entry: dict) -> list[int]:
    messages = [{"role": "system", "content": entry["system"]}, {"role": "user", "content": entry["prompt"]}]
    return list(tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                              return_dict=True)["input_ids"])


def instruction_example(tokenizer, entry: dict, max_len: int) -> Example | None:
    prompt = chat_prompt(tokenizer, entry)
    answer = [*tokenizer(entry["target"], add_special_tokens=False).input_ids, end_id(tokenizer)]
    if len(prompt) + len(answer) > max_len:
        return None
    return Example(prompt + answer, [IGNORE] * len(prompt) + answer)


def domain_examples(tokenizer, texts: list[str], max_len: int) -> list[Example]:
    """Documents joined by end-of-text and cut into full blocks."""
    stream: list[int] = []
    for text in texts:
        stream += [*tokenizer(text, add_special_tokens=False).input_ids, end_id(tokenizer)]
    blocks = [stream[i:i + max_len] for i in range(0, len(stream) - max_len + 1, max_len)]
    return [Example(block, list(block)) for block in blocks]


def collate(batch: list[Example], pad_id: int) -> dict[str, torch.Tensor]:
    width = max(len(e.input_ids) for e in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, example in enumerate(batch):
        n = len(example.input_ids)
        ids[row, :n], labels[row, :n], mask[row, :n] = (torch.tensor(example.input_ids),
                                                        torch.tensor(example.labels), 1)
    return {"input_ids": ids, "labels": labels, "attention_mask": mask}


def stage_schedule(stage: str, data_dir: Path, tokenizer, profile: Profile) -> tuple[list[Example], dict]:
    """The examples the stage's steps consume, in order (steps × batch size), and what was skipped."""
    spec, seed, total = profile.stages[stage], profile.seed + STAGES.index(stage), 0
    total = spec.steps * profile.batch_size
    if stage == "domain":
        texts = [row["text"] for row in read_jsonl(data_dir / "domain.jsonl")]
        blocks = domain_examples(tokenizer, texts, profile.max_len)
        return draw(blocks, total, random.Random(seed)), {"blocks": len(blocks)}
    pools: dict[str, list[Example]] = {"instruction": [], "internal": [], "generic": []}
    skipped = 0
    for entry in read_jsonl(data_dir / "train.jsonl"):
        if stage == "capability" and entry["stage"] != "capability":
            continue
        example = instruction_example(tokenizer, entry, profile.max_len)
        if example is None:
            skipped += 1
        else:
            pools[entry["pool"]].append(example)
    sizes: dict[str, Any] = {name: len(pool) for name, pool in pools.items()} | {"skipped_too_long": skipped}
    # A pool the data lacks (no shared public sets here) drops out of the mix; the metrics say so.
    present = lambda ratios: {k: v for k, v in ratios.items() if pools.get(k)}  # noqa: E731
    wanted = profile.stage2_mix if stage == "capability" else {**profile.phase1, **profile.phase2}
    sizes["empty_pools"] = sorted(k for k, v in wanted.items() if v > 0 and not pools.get(k))
    if stage == "capability":
        return mix(pools, present(profile.stage2_mix), total, random.Random(seed)), sizes
    return two_phase(pools, present(profile.phase1), present(profile.phase2), total, seed, profile.phase_split), sizes


def load_model(base_dir: Path, previous_adapter: Path | None, profile: Profile):
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
    if previous_adapter is not None:
        return PeftModel.from_pretrained(model, str(previous_adapter), is_trainable=True)
    layers = model.config.num_hidden_layers
    top = list(range(layers - profile.lora_layers, layers)) if 0 < profile.lora_layers < layers else None
    config = LoraConfig(r=profile.lora_r, lora_alpha=profile.lora_alpha, lora_dropout=profile.lora_dropout,
                        target_modules=LORA_TARGETS, layers_to_transform=top, task_type="CAUSAL_LM")
    return get_peft_model(model, config)


def _save_checkpoint(path: Path, model, optimizer, scheduler, step: int, losses: list) -> None:
    partial = path.with_name(path.name + ".partial")
    model.save_pretrained(str(partial))
    torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "step": step,
                "losses": losses, "rng": torch.get_rng_state()}, partial / "trainer_state.pt")
    if path.exists():
        import shutil

        shutil.rmtree(path)
    partial.rename(path)


def _resume(path: Path, model, optimizer, scheduler) -> tuple[int, list]:
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    set_peft_model_state_dict(model, load_file(str(path / "adapter_model.safetensors")))
    state = torch.load(path / "trainer_state.pt", weights_only=False)
    optimizer.load_state_dict(state["optimizer"])
    scheduler.load_state_dict(state["scheduler"])
    torch.set_rng_state(state["rng"])
    return state["step"], state["losses"]


def train_stage(stage: str, data_dir: Path, base_dir: Path, run_dir: Path, profile: Profile,
                previous_adapter: Path | None = None, progress: bool = True) -> Path:
    """Trains one stage into run_dir/<stage>/adapter; returns it (at once when already done)."""
    from tqdm import tqdm
    from transformers import AutoTokenizer, get_linear_schedule_with_warmup

    stage_dir = run_dir / stage
    final = stage_dir / "adapter"
    if (final / "adapter_config.json").exists():
        return final
    torch.manual_seed(profile.seed)
    tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
    examples, sizes = stage_schedule(stage, data_dir, tokenizer, profile)
    model = load_model(base_dir, previous_adapter, profile)
    spec = profile.stages[stage]
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=spec.lr, weight_decay=0.0)
    scheduler = get_linear_schedule_with_warmup(optimizer, max(1, spec.steps // 10), spec.steps)
    checkpoint = stage_dir / "checkpoint"
    step, losses = _resume(checkpoint, model, optimizer, scheduler) if checkpoint.exists() else (0, [])
    pad = end_id(tokenizer)
    model.train()
    started = time.perf_counter()
    bar = tqdm(total=spec.steps, initial=step, desc=f"stage {stage}", disable=not progress, unit="step")
    while step < spec.steps:
        batch = collate(examples[step * profile.batch_size:(step + 1) * profile.batch_size], pad)
        loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        step += 1
        value = loss.detach().item()
        losses.append([step, round(value, 4)])
        bar.update(1)
        bar.set_postfix(loss=f"{value:.3f}")
        if step % profile.save_every == 0 and step < spec.steps:
            _save_checkpoint(checkpoint, model, optimizer, scheduler, step, losses)
    bar.close()
    model.save_pretrained(str(final))
    (stage_dir / "metrics.json").write_text(json.dumps({
        "stage": stage, "steps": spec.steps, "lr": spec.lr, "batch_size": profile.batch_size,
        "max_len": profile.max_len, "seconds_this_run": round(time.perf_counter() - started, 1),
        "pools": sizes, "losses": losses}, indent=1))
    if checkpoint.exists():
        import shutil

        shutil.rmtree(checkpoint)
    return final


def train(data_dir: Path, base_dir: Path, run_dir: Path, profile: Profile, stages: tuple[str, ...] = STAGES,
          progress: bool = True) -> Path:
    """The stages in order, each starting from the one before's adapter; returns the last adapter."""
    previous: Path | None = None
    for stage in STAGES:
        done = run_dir / stage / "adapter"
        if stage in stages:
            previous = train_stage(stage, data_dir, base_dir, run_dir, profile, previous, progress)
        elif (done / "adapter_config.json").exists():
            previous = done
    if previous is None:
        raise RuntimeError("no stage trained")
    return previous
