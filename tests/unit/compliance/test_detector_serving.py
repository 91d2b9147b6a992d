"""Compliance serves the detector `make models` built and never trains one: without it, the service refuses to
start (a clear configuration error), rather than judging operators with less than it was told to use."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from seatcopilot.config import ConfigError, load

from services.compliance import learned
from services.compliance.config import ComplianceConfig
from services.compliance.main import _detector


def test_a_missing_detector_stops_the_start_with_a_clear_error(tmp_path: Path):
    config = dataclasses.replace(load(ComplianceConfig, {}), detector_dir=str(tmp_path))
    with pytest.raises(ConfigError, match="no detector in"):
        _detector(config)


def test_the_built_version_is_the_one_named_current(tmp_path: Path):
    assert learned.current_model_dir(tmp_path) is None  # nothing built here
    (tmp_path / "v1-abc").mkdir()
    (tmp_path / learned.CURRENT).write_text("v1-abc\n")
    assert learned.current_model_dir(tmp_path) is None  # named, but incomplete: not served
    (tmp_path / "v1-abc" / learned.MODEL_FILE).write_bytes(b"")
    assert learned.current_model_dir(tmp_path) == tmp_path / "v1-abc"
