"""Export: the base model with the trained adapter merged in, written as a Triton model repository that
services/generation's python-backend model serves as is (the weights sit in the version folder, which
the model prefers over SEATCOPILOT_LLM_DIR). Start it with `scripts/triton.sh start <out>`; the default
repository is untouched."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import torch
from seatcopilot.paths import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "services" / "generation" / "model_repository"
MODEL_NAME = "seatcopilot_llm"


def weights_dir(repository: Path, model: str = MODEL_NAME, version: str = "1") -> Path:
    return repository / model / version / "weights"


def export(base_dir: Path, adapter: Path, out: Path, *, dtype: str = "float32", manifest: dict | None = None) -> Path:
    """Writes out/<model>/{config.pbtxt, 1/model.py, 1/weights/}; returns the weights directory."""
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(str(base_dir), dtype=torch.float32)
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.copytree(TEMPLATE / MODEL_NAME, partial / MODEL_NAME, ignore=shutil.ignore_patterns("__pycache__"))
    target = weights_dir(partial)
    merged.to(getattr(torch, dtype)).save_pretrained(str(target))
    AutoTokenizer.from_pretrained(str(base_dir)).save_pretrained(str(target))
    for name in ("generation_config.json",):
        if (base_dir / name).exists():
            shutil.copy(base_dir / name, target / name)
    (partial / "export.json").write_text(json.dumps({
        "base": str(base_dir), "adapter": str(adapter), "dtype": dtype,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"), **(manifest or {})}, indent=1))
    shutil.rmtree(out, ignore_errors=True)
    partial.rename(out)
    return weights_dir(out)
