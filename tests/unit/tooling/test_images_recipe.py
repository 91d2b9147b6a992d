"""What `make images` installs: the run-time part of the lock, generated and current, with no dev tool in it."""

import subprocess
import sys

from tests.helpers import ROOT

RUNTIME_LOCK = ROOT / "deploy" / "docker" / "requirements.runtime.lock"
DEV_EXTRA = ("pytest", "pytest-timeout", "hypothesis", "ruff", "mypy", "kubernetes-validate", "playwright")


def pins(path):
    return {line.split("==")[0].lower(): line for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")}


def test_the_runtime_lock_is_current():
    result = subprocess.run([sys.executable, "scripts/runtime_lock.py", "--check"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr


def test_the_runtime_lock_is_the_full_lock_without_the_dev_extra():
    runtime, full = pins(RUNTIME_LOCK), pins(ROOT / "requirements.lock")
    assert not set(DEV_EXTRA) & set(runtime)
    assert all(full[name] == line for name, line in runtime.items())  # the same exact pins
    for needed in ("torch", "grpcio", "faust-streaming", "nvidia-pytriton", "neo4j", "pyjwt"):
        assert needed in runtime, needed


def test_the_image_build_installs_the_runtime_lock_exactly():
    dockerfile = (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
    assert "COPY deploy/docker/requirements.runtime.lock /tmp/requirements.lock" in dockerfile
    assert "pip install --no-deps" in dockerfile and "COPY requirements.lock" not in dockerfile
