"""Where the project's own files are: the one place that knows the checkout's layout.

Everything the project reads at run, test or bench time lies inside the checkout (or the per-machine
cache under ~/.cache/seatcopilot); nothing beside it is ever read.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_ROOT / "data"
PUBLIC_DATA_DIR = DATA_DIR / "public"  # public data sets, each folder with its source and licence


def data_path(*parts: str) -> Path:
    """A file or folder under the project's data/ folder."""
    return DATA_DIR.joinpath(*parts)


def read_json(path: Path) -> Any:
    """JSON from `path`, or from `path` + '.gz' where the file is kept compressed (sets over 5 MiB)."""
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    packed = path.with_name(path.name + ".gz")
    if packed.is_file():
        with gzip.open(packed, "rt", encoding="utf-8") as handle:
            return json.load(handle)
    raise FileNotFoundError(2, "No such file", str(path))
