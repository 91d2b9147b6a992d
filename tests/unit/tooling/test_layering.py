"""Who may import whom: services serve and never import another service, the CLI or the model kit; the
shared libs import none of them; the model kit (offline work) never imports the CLI, so the CLI can
import it without a loop."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.helpers import ROOT

SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "main.py").is_file())


def imported_roots(path: Path) -> set[str]:
    """Dotted names a module imports (absolute imports only; the project uses no relative ones)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offending(folder: Path, forbidden: tuple[str, ...]) -> list[str]:
    return [f"{path.relative_to(ROOT)} imports {name}"
            for path in sorted(folder.rglob("*.py")) if "contracts" not in path.parts
            for name in sorted(imported_roots(path)) if name.startswith(forbidden)]


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_no_other_service_nor_offline_code(service: str):
    others = tuple(f"services.{s}" for s in SERVICES if s != service)
    assert offending(ROOT / "services" / service, (*others, "seatcopilot_cli", "seatcopilot_models")) == []


def test_shared_libs_import_no_service_cli_or_model_kit():
    assert offending(ROOT / "libs" / "seatcopilot", ("services", "seatcopilot_cli", "seatcopilot_models")) == []


def test_the_model_kit_never_imports_the_cli():
    assert offending(ROOT / "seatcopilot_models", ("seatcopilot_cli",)) == []


def test_the_checker_sees_imports(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom services.retrieval import logic\n"
                      "def f():\n    from seatcopilot_cli import main\n")
    assert imported_roots(module) == {"os", "services.retrieval", "seatcopilot_cli"}
