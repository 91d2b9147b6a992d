"""The chart's README values table is generated from values.yaml and must not go stale."""

import subprocess
import sys

from tests.helpers import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import gen_chart_readme


def test_the_values_table_matches_values_yaml():
    result = subprocess.run([sys.executable, "scripts/gen_chart_readme.py", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_leaf_is_a_row_with_its_default_and_its_comment():
    text = ("a:\n  # the first\n  b: 1\n  c: [x]\n"
            "components:\n  intake:\n    # its port\n    port: 2\n  other:\n    port: 3\n")
    rows = gen_chart_readme.table(text).splitlines()[2:]
    assert rows == ['| `a.b` | `1` | the first |', '| `a.c` | `["x"]` |  |',
                    '| `components.<name>.port` | `2` | its port |']
