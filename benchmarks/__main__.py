"""Runs the benchmarks: `python -m benchmarks [name ...]` (default: all whose servers are up)."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time
from pathlib import Path

import benchmarks

SERVER_FLAGS = {"kafka": "SEATCOPILOT_KAFKA", "neo4j": "SEATCOPILOT_NEO4J", "triton": "SEATCOPILOT_TRITON"}


def available() -> list[str]:
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(benchmarks.__path__)
                  if m.name.startswith("bench_"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of: {', '.join(available())}")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench"), help="where reports are written")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    machine = platform.processor() or platform.machine()
    print(f"# Seat Copilot benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — {machine}, {os.cpu_count()} cores\n")
    failed = 0
    for name in args.names or available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        missing = [s for s in getattr(module, "NEEDS", ()) if not os.environ.get(SERVER_FLAGS[s])]
        if missing:
            print(f"## {name}: skipped (needs {', '.join(missing)}; run `make bench`)\n")
            continue
        started = time.perf_counter()
        try:
            tables = module.run(args.out)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            failed += 1
            print(f"## {name}: FAILED: {type(error).__name__}: {error}\n")
            continue
        for table in tables:
            print(table.render())
        print(f"({name} took {time.perf_counter() - started:.1f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
