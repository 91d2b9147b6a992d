"""`make up`'s ports: the shell script and the Python tools agree, and none lies in the ephemeral range."""

from __future__ import annotations

import re

from seatcopilot.config import LOCAL_GRPC_BASE, LOCAL_METRICS_BASE
from seatcopilot.paths import PROJECT_ROOT

EPHEMERAL = range(32768, 61000)  # Linux's default net.ipv4.ip_local_port_range
UP = (PROJECT_ROOT / "scripts" / "up.sh").read_text()


def _default(variable: str) -> int:
    found = re.search(r"\$\{" + variable + r":-(\d+)\}", UP)
    assert found, f"scripts/up.sh has no default for {variable}"
    return int(found.group(1))


def test_up_sh_and_python_tools_share_port_bases():
    assert _default("SEATCOPILOT_GRPC_BASE") == LOCAL_GRPC_BASE
    assert _default("SEATCOPILOT_METRICS_BASE") == LOCAL_METRICS_BASE


def test_no_service_port_is_ephemeral():
    listed = re.search(r"^SERVICES=\(([^)]*)\)", UP, re.M)
    assert listed, "scripts/up.sh lists no SERVICES"
    services = len(listed.group(1).split())
    ports = [LOCAL_GRPC_BASE + n for n in range(1, services + 1)]
    ports += [LOCAL_GRPC_BASE + 20 + n for n in range(1, services + 1)]  # mTLS health ports
    ports += [LOCAL_GRPC_BASE + 40, *(LOCAL_METRICS_BASE + n for n in range(1, services + 1))]
    assert not [port for port in ports if port in EPHEMERAL]
