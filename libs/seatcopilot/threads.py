"""How many threads numpy's BLAS may start in a stage's process.

Every stage shares a few cores with the others, Kafka and Neo4j, and most also run an encoder with its own thread
pool (torch's OpenMP, ONNX Runtime's). numpy's OpenBLAS starts a second pool: a small product right after an
encode (compliance's sentences against a pack's examples, 3 x 384 by 384 x 242) then waits for BLAS threads the
encoder's pool still holds. Measured in one process: p50 0.57 ms, mean 1.26 ms with the default two BLAS threads;
0.08 ms with one; in the open loop at 20/s, 189 of py-spy's samples sat on that one product
(docs/journal/2026-12-07-blas-threads.md). The products a stage runs are small: one thread loses nothing."""

from __future__ import annotations

from threadpoolctl import threadpool_info, threadpool_limits

BLAS = "blas"


def limit_blas_threads(threads: int) -> None:
    """numpy's BLAS keeps to `threads` threads for the rest of the process (0: leave BLAS's own default)."""
    if threads:
        threadpool_limits(limits=threads, user_api=BLAS)


def blas_threads() -> list[int]:
    """The thread count of each BLAS library this process has loaded."""
    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == BLAS]
