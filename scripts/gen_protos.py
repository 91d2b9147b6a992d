"""Generates the Python code for protos/ into libs/ (one command, reproducible) or checks for drift."""

from __future__ import annotations

import argparse
import filecmp
import re
import sys
import tempfile
from importlib.resources import files
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
# The generated code lives in its own package, seatcopilot.contracts, apart from the hand-written runtime:
# protoc names modules after the proto paths (seatcopilot/<area>/v1/...), so the files are moved under
# contracts/ and their imports of each other follow them. The wire contract (proto packages) is unchanged.
PROTO_ROOT, PACKAGE = "seatcopilot", "seatcopilot.contracts"
PACKAGE_DIR = Path(*PACKAGE.split("."))


def _relocated(text: str) -> str:
    return re.sub(rf"^(from|import) {PROTO_ROOT}\.(?!contracts\.)", rf"\1 {PACKAGE}.", text, flags=re.M)


def generate(out: Path) -> list[Path]:
    """Generates every proto's code into out/seatcopilot/contracts/; returns the files written."""
    sources = sorted(PROTOS.rglob("*.proto"))
    well_known = str(files("grpc_tools") / "_proto")
    with tempfile.TemporaryDirectory() as raw:
        args = ["protoc", f"-I{PROTOS}", f"-I{well_known}", f"--python_out={raw}", f"--pyi_out={raw}",
                f"--grpc_python_out={raw}", *[str(s) for s in sources]]
        if protoc.main(args) != 0:
            sys.exit("protoc failed")
        generated = []
        for made in sorted(Path(raw, PROTO_ROOT).rglob("*_pb2*")):
            target = out / PACKAGE_DIR / made.relative_to(Path(raw, PROTO_ROOT))
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_relocated(made.read_text()))
            generated.append(target)
    for target in generated:
        for parent in [target.parent, *target.parents]:
            if parent == out / PACKAGE_DIR.parent:
                break
            (parent / "__init__.py").touch()
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
