"""Who may import whom: services serve and never import another service, the CLI or the model kit; the
shared libs import none of them; the model kit (offline work) never imports the CLI, so the CLI can
import it without a loop. Tests share code through tests/helpers only."""

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


def conftest_helpers(path: Path) -> list[str]:
    """Module-level functions and classes in a conftest that are neither fixtures nor pytest hooks."""
    found = []
    for node in ast.parse(path.read_text(), filename=str(path)).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            fixture = any("fixture" in ast.unparse(decorator) for decorator in node.decorator_list)
            if not (fixture or node.name.startswith("pytest_")):
                found.append(f"{path.relative_to(ROOT)} defines {node.name}")
    return found


def test_tests_share_code_through_the_helpers_only():
    """A test module imports nothing from another test module or a conftest, only from tests.helpers; conftests
    hold fixtures and hooks."""
    tests = ROOT / "tests"
    imports = [(path.relative_to(ROOT), name) for path in sorted(tests.rglob("*.py"))
               for name in sorted(imported_roots(path)) if name.split(".")[0] == "tests"]
    assert len(imports) > 50  # the checker sees the tests' imports
    assert [f"{path} imports {name}" for path, name in imports if name.split(".")[:2] != ["tests", "helpers"]] == []
    assert [line for path in sorted(tests.rglob("conftest.py")) for line in conftest_helpers(path)] == []


def test_the_checker_sees_imports(tmp_path: Path):
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom services.retrieval import logic\n"
                      "def f():\n    from seatcopilot_cli import main\n")
    assert imported_roots(module) == {"os", "services.retrieval", "seatcopilot_cli"}
