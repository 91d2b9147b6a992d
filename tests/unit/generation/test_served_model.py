"""Which model `make run` / `make up` serve: the model kit's newest export that is complete and passed its
gate, else the base model; SEATCOPILOT_LLM=base always serves the base model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seatcopilot import local_model


@pytest.fixture
def kit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(local_model.MODELKIT_DIR_ENV, str(tmp_path / "modelkit"))
    monkeypatch.setenv(local_model.SERVED_CHOICE_ENV, "auto")
    monkeypatch.setattr(local_model, "build_local_model", lambda: tmp_path / "base")
    return tmp_path / "modelkit"


def export(kit: Path, name: str, *, at: str = "2026-12-07T10:00:00+00:00", weights: bool = True,
           manifest: bool = True, gate: bool | None = True) -> Path:
    folder = kit / "export" / name
    target = local_model.export_weights(folder)
    target.mkdir(parents=True)
    if weights:
        (target / "config.json").write_text("{}")
        (target / "model.safetensors").write_bytes(b"0")
    if manifest:
        (folder / "export.json").write_text(json.dumps({"exported_at": at}))
    if gate is not None:
        (kit / "eval" / name).mkdir(parents=True)
        (kit / "eval" / name / "gate.json").write_text(json.dumps({"passed": gate}))
    return target


def test_no_kit_export_serves_the_base_model(kit: Path) -> None:
    served = local_model.served_model()
    assert (served.kind, served.path.name, served.reason) == ("base", "base", "no model kit export")


def test_a_complete_export_whose_gate_passed_is_served(kit: Path) -> None:
    weights = export(kit, "smoke-abc-s7")
    served = local_model.served_model()
    assert (served.kind, served.path) == ("kit", weights)
    assert "smoke-abc-s7" in served.describe() and "gate passed" in served.describe()


@pytest.mark.parametrize(("options", "why"), [
    ({"manifest": False}, "export incomplete"),
    ({"weights": False}, "export has no weights"),
    ({"gate": None}, "not judged (no gate report)"),
    ({"gate": False}, "gate failed"),
])
def test_an_incomplete_unjudged_or_failed_export_falls_back_to_the_base_model(kit: Path, options: dict,
                                                                              why: str) -> None:
    export(kit, "run-1", **options)
    served = local_model.served_model()
    assert served.kind == "base" and served.reason == f"kit export run-1: {why}"


def test_an_export_still_being_written_is_not_served(kit: Path) -> None:
    export(kit, "run-1.partial")
    assert local_model.served_model().kind == "base"


def test_the_newest_present_export_is_served(kit: Path) -> None:
    export(kit, "older", at="2026-12-01T10:00:00+00:00")
    newer = export(kit, "newer", at="2026-12-05T10:00:00+00:00")
    export(kit, "newest-failed", at="2026-12-07T10:00:00+00:00", gate=False)
    assert local_model.served_model().path == newer


def test_base_is_served_when_asked_for(kit: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export(kit, "run-1")
    monkeypatch.setenv(local_model.SERVED_CHOICE_ENV, "base")
    assert local_model.served_model().kind == "base"
    monkeypatch.setenv(local_model.SERVED_CHOICE_ENV, "newest")
    with pytest.raises(ValueError, match="auto or base"):
        local_model.served_model()


def test_the_gate_report_the_served_choice_reads_is_written_by_the_comparison(tmp_path: Path) -> None:
    from seatcopilot_models.evaluation.report import write_comparison

    report = {"model": "base", "data_version": "v1", "results": {"task_score": 0.1}}
    _, passed = write_comparison(tmp_path, report, report | {"model": "trained"})
    assert json.loads((tmp_path / "gate.json").read_text())["passed"] is passed
