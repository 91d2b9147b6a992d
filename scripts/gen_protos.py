"""Generates the Python code for protos/ into libs/ (one command, reproducible) or checks for drift."""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"


def generate(out: Path) -> list[Path]:
    sources = sorted(PROTOS.rglob("*.proto"))
    well_known = str(files("grpc_tools") / "_proto")
    args = [
        "protoc",
        f"-I{PROTOS}",
        f"-I{well_known}",
        f"--python_out={out}",
        f"--pyi_out={out}",
        f"--grpc_python_out={out}",
        *[str(s) for s in sources],
    ]
    if protoc.main(args) != 0:
        sys.exit("protoc failed")
    generated = []
    for source in sources:
        package_dir = out / source.parent.relative_to(PROTOS)
        for parent in [package_dir, *package_dir.parents]:
            if parent == out:
                break
            (parent / "__init__.py").touch()
        generated.extend(sorted(package_dir.glob(source.stem + "_pb2*")))
    return generated


def check(target: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = generate(Path(tmp))
        drift = []
        for path in fresh:
            committed = target / path.relative_to(tmp)
            if not committed.exists() or not filecmp.cmp(path, committed, shallow=False):
                drift.append(str(committed.relative_to(ROOT)))
        expected = {p.relative_to(tmp) for p in fresh}
        for stale in target.rglob("*_pb2*.py*"):
            if stale.relative_to(target) not in expected:
                drift.append(f"{stale.relative_to(ROOT)} (no proto produces it)")
    if drift:
        print("generated code is out of date; run `make protos`:\n  " + "\n  ".join(drift), file=sys.stderr)
        return 1
    print(f"generated code matches protos/ ({len(fresh)} files)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write generated code here")
    group.add_argument("--check", type=Path, help="compare generated code with this folder")
    args = parser.parse_args()
    if args.check:
        return check(args.check.resolve())
    generated = generate(args.out.resolve())
    print(f"generated {len(generated)} files into {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
