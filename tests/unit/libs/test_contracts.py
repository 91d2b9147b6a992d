import subprocess
import sys

from seatcopilot import topics

from tests.helpers import ROOT


def test_generated_code_matches_the_protos():
    result = subprocess.run([sys.executable, "scripts/gen_protos.py", "--check", "libs"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_topic_names_are_unique_and_versioned():
    names = [t.name for t in topics.ALL]
    assert len(names) == len(set(names))
    assert all(name.startswith("seatcopilot.") and name.endswith(".v1") for name in names)
