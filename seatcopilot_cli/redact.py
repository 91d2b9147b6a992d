"""`seatcopilot redact`: lines on stdin, redacted lines on stdout, so a tenant can check its policy.

Each line is read on its own with the tenant's policy (mask, keyed hash or drop per kind) from the
intake tenants file — the same detectors and rendering intake applies, without a call's context (what
the operator just asked, names said earlier), so live redaction catches at least this much.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from seatcopilot.pii import find_pii

from services.intake.redactor import render
from services.intake.tenants import RedactionPolicy, load_tenants


def policy_for(tenant: str, tenants_file: Path | None) -> RedactionPolicy:
    if not tenant:
        return RedactionPolicy()
    from services.intake.config import DEFAULT_TENANTS_FILE

    return load_tenants(tenants_file or DEFAULT_TENANTS_FILE).for_event(tenant).redaction


def redact_lines(source: TextIO, sink: TextIO, policy: RedactionPolicy) -> int:
    count = 0
    for line in source:
        text = line.rstrip("\n")
        sink.write(render(text, find_pii(text), policy) + "\n")
        count += 1
    sink.flush()
    return count


def run(tenant: str, tenants_file: Path | None) -> int:
    redact_lines(sys.stdin, sys.stdout, policy_for(tenant, tenants_file))
    return 0
