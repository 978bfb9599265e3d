import json
import subprocess
import sys
from pathlib import Path

import pytest

from eq_negotiator.reasoning import POLICY_NAMES

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_reasoning_benchmark_prints_one_json_object_per_policy_on_its_last_line() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "reasoning.py"), "--turns", "90"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) == set(POLICY_NAMES)
    for values in figures.values():
        assert values["decision_ms_p50"] > 0
        assert values["decisions_per_s"] > 0
