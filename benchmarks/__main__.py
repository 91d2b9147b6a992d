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

from seatcopilot.config import CommonConfig, load
from seatcopilot.threads import limit_blas_threads

import benchmarks

SERVER_FLAGS = {"kafka": "SEATCOPILOT_KAFKA", "neo4j": "SEATCOPILOT_NEO4J", "triton": "SEATCOPILOT_TRITON"}


def available() -> list[str]:
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(benchmarks.__path__)
                  if m.name.startswith("bench_"))


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs, or None off Linux."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError, IndexError):
        return None
    return fields[3] + fields[4], sum(fields)


def wait_for_quiet_cpu(idle_share: float = 0.8, limit_s: float = 90.0) -> float | None:
    """Servers just started (JVM warm-up, Triton loading models) hold the CPU for a while, and timing beside them
    measures them: wait until the CPUs are mostly idle over one second, or limit_s passes. The idle share seen."""
    deadline = time.monotonic() + limit_s
    while True:
        before = _cpu_times()
        time.sleep(1.0)
        after = _cpu_times()
        if before is None or after is None:
            return None
        idle = (after[0] - before[0]) / max(1, after[1] - before[1])
        if idle >= idle_share or time.monotonic() > deadline:
            return idle


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of: {', '.join(available())}")
    parser.add_argument("--out", type=Path, default=Path("artifacts/bench"), help="where reports are written")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    limit_blas_threads(load(CommonConfig, os.environ).blas_threads)  # the in-process figures, as services run
    machine = platform.processor() or platform.machine()
    print(f"# Seat Copilot benchmarks — {time.strftime('%Y-%m-%d %H:%M')} — {machine}, {os.cpu_count()} cores\n")
    failed = 0
    for name in args.names or available():
        module = importlib.import_module(f"benchmarks.bench_{name}")
        missing = [s for s in getattr(module, "NEEDS", ()) if not os.environ.get(SERVER_FLAGS[s])]
        if missing:
            print(f"## {name}: skipped (needs {', '.join(missing)}; run `make bench`)\n")
            continue
        idle = wait_for_quiet_cpu()
        if idle is not None:
            print(f"({name}: CPU {idle:.0%} idle when it started)\n")
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
