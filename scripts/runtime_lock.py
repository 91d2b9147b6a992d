"""Writes deploy/docker/requirements.runtime.lock: the pins of requirements.lock that the services need at run
time — the dependency closure of pyproject's [project].dependencies, read from the installed distributions'
metadata — leaving out the dev extra (pytest, ruff, hypothesis, playwright, ...) and whatever only it needs.
Run with the project's environment; `--check` fails when the file differs (a unit test runs it)."""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "deploy" / "docker" / "requirements.runtime.lock"
HEADER = ("# The run-time part of requirements.lock (scripts/runtime_lock.py writes it: the closure of the project's\n"
          "# dependencies, without the dev extra). The images install exactly this.\n")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: list[Requirement]) -> set[str]:
    environment = default_environment()
    seen: set[str] = set()
    todo = [(requirement, tuple(sorted(requirement.extras))) for requirement in roots]
    while todo:
        requirement, extras = todo.pop()
        name = canonical(requirement.name)
        key = f"{name}[{','.join(extras)}]"
        if key in seen:
            continue
        seen.add(key)
        seen.add(name)
        for text in metadata.requires(requirement.name) or []:
            child = Requirement(text)
            wanted = any(child.marker is None or child.marker.evaluate({**environment, "extra": extra})
                         for extra in ("", *extras)) if child.marker else True
            if wanted:
                todo.append((child, tuple(sorted(child.extras))))
    return {key for key in seen if "[" not in key}


def rendered() -> str:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = closure([Requirement(text) for text in project["dependencies"]])
    pins = [line for line in (ROOT / "requirements.lock").read_text().splitlines()
            if line.strip() and not line.startswith("#") and canonical(line.split("==")[0]) in needed]
    return HEADER + "\n".join(pins) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = rendered()
    if args.check:
        if not OUT.is_file() or OUT.read_text() != text:
            print("deploy/docker/requirements.runtime.lock is stale: run scripts/runtime_lock.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
