"""A floor under redaction quality on the labelled PII set, so a change that loses recall or precision
fails here (the figures themselves are printed by `make bench`)."""

from benchmarks.pii_eval import evaluate, load

RECALL_FLOOR = 0.95
PRECISION_FLOOR = 0.95


def test_the_labelled_set_is_big_enough_and_covers_every_kind():
    rows = load()
    kinds = {item["kind"] for row in rows for item in row["pii"]}
    assert len(rows) >= 300
    assert {"CARD", "ACCOUNT", "ROUTING", "SSN", "ITIN", "PHONE", "EMAIL", "DOB", "ADDRESS", "NAME", "CN_ID"} <= kinds
    assert {row["form"] for row in rows} == {"spoken", "written"}


def test_redaction_keeps_its_recall_and_precision():
    result = evaluate(load())
    assert result.total.recall >= RECALL_FLOOR, result.misses
    assert result.total.precision >= PRECISION_FLOOR, result.false_positives
    spoken = result.by_group["generated spoken"]
    assert spoken.recall >= RECALL_FLOOR, [m for m in result.misses if m[2]]
