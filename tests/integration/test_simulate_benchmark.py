import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.integration
def test_simulate_benchmark_prints_its_figures_as_json_on_the_last_line() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "simulate.py"), "--scenarios", "builtin:1", "--seeds", "1"]
    command += ["--sensor", "tfidf", "--workers", "2"]
    result = subprocess.run(command, capture_output=True, text=True, check=True, timeout=300)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["dialogues"] == 9  # one scenario × the nine personas
    assert figures["negotiations_per_s"] > 0
    assert 0 <= figures["debtor_movement"] <= 1
    assert isinstance(figures["violations"], int) and figures["errors"] == 0
