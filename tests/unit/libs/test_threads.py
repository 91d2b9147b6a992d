"""numpy's BLAS thread limit, read back from the BLAS library numpy really loaded (threadpoolctl), in a fresh
process so that this test's limit stays out of the others'."""

import json
import subprocess
import sys

import pytest
from seatcopilot.config import CommonConfig, ConfigError, load

PROBE = """
import json, numpy
from seatcopilot.threads import blas_threads, limit_blas_threads
before = blas_threads()
limit_blas_threads({threads})
print(json.dumps([before, blas_threads()]))
"""


def _blas_threads(threads: int) -> tuple[list[int], list[int]]:
    done = subprocess.run([sys.executable, "-c", PROBE.format(threads=threads)], capture_output=True, text=True,
                          check=True, env={"OPENBLAS_NUM_THREADS": "2", "PATH": ""})
    before, after = json.loads(done.stdout)
    return before, after


def test_one_blas_thread_is_applied_to_the_library_numpy_loaded() -> None:
    before, after = _blas_threads(1)
    assert before == [2]  # numpy's OpenBLAS, started with two threads
    assert after == [1]


def test_zero_leaves_blas_its_own_default() -> None:
    before, after = _blas_threads(0)
    assert after == before == [2]


def test_the_setting_defaults_to_one_and_refuses_a_negative_count() -> None:
    assert load(CommonConfig, {}).blas_threads == 1
    with pytest.raises(ConfigError, match="BLAS_THREADS"):
        load(CommonConfig, {"BLAS_THREADS": "-1"})
