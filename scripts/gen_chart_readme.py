"""Writes the values table of the chart's README (deploy/helm/seatcopilot/README.md) from values.yaml: every
leaf key, its default, and the comment written above it (or above its nearest commented parent). The
components share one set of keys, shown once as `components.<name>.*` with intake's defaults. `--check`
fails when the README's table differs from values.yaml."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

CHART = Path(__file__).resolve().parent.parent / "deploy" / "helm" / "seatcopilot"
BEGIN, END = "<!-- values-table:begin -->", "<!-- values-table:end -->"
KEY = re.compile(r"^(\s*)([A-Za-z_][\w.-]*):")


def comments_by_path(text: str) -> dict[str, str]:
    """The comment block right above each key, by dotted path."""
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []
    pending: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            body = stripped.lstrip("#").strip()
            if not body.startswith("--"):  # section rulers are not descriptions
                pending.append(body)
            continue
        match = KEY.match(line)
        if not match or line.lstrip().startswith("-"):
            pending = [] if not stripped else pending
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([*(name for _, name in stack), match.group(2)])
        stack.append((indent, match.group(2)))
        if pending:
            found[path] = " ".join(pending)
        pending = []
    return found


def leaves(value: object, path: str) -> list[tuple[str, object]]:
    if isinstance(value, dict) and value:
        return [leaf for key, inner in value.items() for leaf in leaves(inner, f"{path}.{key}" if path else key)]
    return [(path, value)]


def described(path: str, comments: dict[str, str], shown: set[str]) -> str:
    """The key's own comment; else, on the first leaf under it, the nearest commented parent's."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        text = comments.get(prefix)
        if text:
            if end == len(parts) or prefix not in shown:
                shown.add(prefix)
                return text
            return ""
    return ""


def table(values_text: str) -> str:
    values = yaml.safe_load(values_text)
    comments = comments_by_path(values_text)
    rows = ["| key | default | description |", "|---|---|---|"]
    printed: set[str] = set()
    for path, default in leaves(values, ""):
        if path.startswith("components.") and not path.startswith("components.intake."):
            continue
        shown = path.replace("components.intake.", "components.<name>.", 1)
        text = described(path, comments, printed).replace("|", "\\|")
        rows.append(f"| `{shown}` | `{json.dumps(default)}` | {text} |")
    return "\n".join(rows)


def rendered(readme: str, values_text: str) -> str:
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table(values_text)}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    readme_path = CHART / "README.md"
    readme = readme_path.read_text()
    text = rendered(readme, (CHART / "values.yaml").read_text())
    if args.check:
        if text != readme:
            print("deploy/helm/seatcopilot/README.md is out of date: run scripts/gen_chart_readme.py", file=sys.stderr)
            return 1
        return 0
    readme_path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
