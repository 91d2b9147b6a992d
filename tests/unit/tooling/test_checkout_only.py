"""The project reads nothing beside its checkout: no tracked file names a folder outside it, or the
variable that once pointed at one. A stranger's machine holds only the clone."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from seatcopilot.paths import PROJECT_ROOT, PUBLIC_DATA_DIR

# Built from pieces so this file does not match itself.
FORBIDDEN = [re.compile(p) for p in (
    r"SEATCOPILOT_" + r"SHARED_DATA",
    r"\.\./" + r"shared\b",
    r"""parents?\b.{0,20}/ *["']""" + r"shared",
    r"\bshared/" + r"data\b",
)]
RELATIVE = re.compile(r"(?<![\w.])((?:\.\./)+)[\w.-]")


def tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True).stdout
    paths = [PROJECT_ROOT / name for name in listed.decode().split("\0") if name]
    return [p for p in paths if p.is_file() and p.suffix not in {".png", ".jpg", ".gz", ".safetensors"}
            and PUBLIC_DATA_DIR not in p.parents]


def escapes_checkout(path: Path, ups: str) -> bool:
    """A relative path of `ups` ('../../') written in `path` climbs above the checkout."""
    depth = len(path.parent.relative_to(PROJECT_ROOT).parts)
    return ups.count("../") > depth


def offences(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return []
    found = [f"{path.relative_to(PROJECT_ROOT)}: {m.group(0)!r}" for rx in FORBIDDEN for m in rx.finditer(text)]
    found += [f"{path.relative_to(PROJECT_ROOT)}: climbs out with {m.group(0)!r}"
              for m in RELATIVE.finditer(text) if escapes_checkout(path, m.group(1))]
    return found


def test_no_tracked_file_reads_beside_the_checkout():
    files = tracked_text_files()
    assert len(files) > 100  # the listing really ran
    found = [line for path in files for line in offences(path)]
    assert not found, "tracked files point outside the checkout:\n" + "\n".join(found)


def test_the_guard_catches_each_form(tmp_path):
    doc = PROJECT_ROOT / "docs" / "x.md"
    assert escapes_checkout(doc, "../../")
    assert not escapes_checkout(doc, "../")
    for sample in ("SEATCOPILOT_" + "SHARED_DATA", "../" + "shared/" + "data", 'ROOT.parent / "' + 'shared"',
                   "shared/" + "data beside"):
        assert any(rx.search(sample) for rx in FORBIDDEN), sample


def test_public_data_sets_carry_source_and_licence():
    folders = [p for p in PUBLIC_DATA_DIR.iterdir() if p.is_dir()]
    assert {"banking77", "clinc150"} <= {p.name for p in folders}
    for folder in folders:
        readme = (folder / "README.md").read_text()
        assert "Source" in readme and "icense" in readme, folder
        assert all(f.stat().st_size < 5 * 1024 * 1024 for f in folder.iterdir()), folder
