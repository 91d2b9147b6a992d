"""`seatcopilot compliance evaluate --jsonl FILE`: exact counts on a small set, clear refusals, and
the bundled labelled set through the real command (semantic matcher on) with a quality floor."""

import io
import json
import re
import subprocess
import sys
from collections import Counter
from contextlib import redirect_stderr, redirect_stdout

from seatcopilot_cli.main import parser
from tests.helpers import ROOT

LABELLED = ROOT / "data" / "compliance" / "labelled.jsonl"
ROWS = [
    ("It's basically guaranteed approval.", "SALES", "OPERATOR", ["UDAAP-GUARANTEED-APPROVAL"]),  # hit
    ("Approval depends on a credit review.", "SALES", "OPERATOR", []),  # correctly quiet
    ("Stop calling me.", "COLLECTIONS", "CUSTOMER", ["CEASE-CONTACT-REQUEST"]),  # hit (a signal)
    ("The loan is as good as yours already.", "SALES", "OPERATOR", ["UDAAP-GUARANTEED-APPROVAL"]),  # missed
    ("There are no fees on this loan.", "SALES", "OPERATOR", []),  # a false alarm against this label
]


def evaluate(path, *extra):
    args = parser().parse_args(["compliance", "evaluate", "--jsonl", str(path), *extra])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = args.func(args)
    return code, out.getvalue().splitlines(), err.getvalue()


def write(tmp_path, rows):
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" if isinstance(r, dict) else r + "\n" for r in rows))
    return path


def test_counts_per_family_and_the_last_line(tmp_path):
    path = write(tmp_path, [{"text": t, "scenario": s, "speaker": p, "expected_rule_ids": e} for t, s, p, e in ROWS])
    code, lines, _ = evaluate(path, "--no-semantic", "--no-detector")
    assert code == 0
    table = {line.split()[0]: line.split()[1:] for line in lines[1:-2]}
    assert table["misleading_claims"] == ["2", "1", "1", "1", "0.500", "0.500"]  # support, tp, fp, fn, p, r
    assert table["cease_contact"] == ["1", "1", "0", "0", "1.000", "1.000"]
    assert lines[-2] == "5 utterances, 2 hits, 1 false alarms, 1 misses"
    assert lines[-1] == "recall=0.667 precision=0.667"


def test_bad_rows_are_refused_with_where_and_why(tmp_path):
    good = {"text": "hi", "scenario": "SALES", "speaker": "OPERATOR", "expected_rule_ids": []}
    code, _, err = evaluate(write(tmp_path, [good, "{not json"]), "--no-semantic", "--no-detector")
    assert code == 2 and "set.jsonl:2: not valid JSON" in err
    code, _, err = evaluate(write(tmp_path, [{**good, "speaker": "BOT"}]), "--no-semantic", "--no-detector")
    assert code == 2 and "speaker one of" in err
    unknown = [{**good, "expected_rule_ids": ["NO-SUCH-RULE"]}]
    code, _, err = evaluate(write(tmp_path, unknown), "--no-semantic", "--no-detector")
    assert code == 2 and "unknown rule ids ['NO-SUCH-RULE']" in err


def test_the_bundled_set_covers_the_three_scenarios_compliant_and_not():
    rows = [json.loads(line) for line in LABELLED.read_text().splitlines()]
    assert len(rows) >= 300
    kinds = Counter((r["scenario"], bool(r["expected_rule_ids"])) for r in rows)
    assert all(kinds[(scenario, flagged)] >= 30 for scenario in ("SALES", "SERVICE", "COLLECTIONS")
               for flagged in (True, False))


def test_the_command_on_the_bundled_set_meets_the_quality_floor():
    result = subprocess.run([sys.executable, "-m", "seatcopilot_cli", "compliance", "evaluate", "--jsonl",
                             str(LABELLED)], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert {"misleading_claims", "privacy", "threats_false_statements", "third_party", "harassment",
            "cease_contact", "consent"} <= {line.split()[0] for line in lines[2:-2]}
    last = re.fullmatch(r"recall=(0\.\d{3}|1\.000) precision=(0\.\d{3}|1\.000)", lines[-1])
    assert last, lines[-1]
    # With the learned detector on (the default) recall rose (0.93 to 0.99 on this set) and precision fell
    # (0.97 to 0.89): the floor follows that trade-off; docs/compliance.md has the held-out figures.
    assert float(last.group(1)) >= 0.95 and float(last.group(2)) >= 0.85
