"""The `eqn` command as a user runs it: a subprocess, stdout holding only JSON under --json."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from eq_negotiator.emotions import LABELS

pytestmark = pytest.mark.integration


def eqn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_predict_json_contract() -> None:
    result = eqn("emotion", "predict", "I'm so worried I'll lose the house", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"label", "confidence", "distribution"}
    assert list(data["distribution"]) == list(LABELS)
    assert data["label"] == max(data["distribution"], key=data["distribution"].get)


def test_predict_table_output_and_empty_input() -> None:
    result = eqn("emotion", "predict", "   ", "--sensor", "tfidf")
    assert result.returncode == 0, result.stderr
    assert "neutral" in result.stdout and "empty_input" in result.stdout


def test_unknown_sensor_is_a_clear_error() -> None:
    result = eqn("emotion", "predict", "hi", "--sensor", "bert")
    assert result.returncode == 2
    assert "valid forms" in result.stderr and result.stdout == ""


def test_eval_json_contract_on_a_generic_csv(tiny_csv: Path, tmp_path: Path) -> None:
    png = tmp_path / "confusion.png"
    result = eqn("emotion", "eval", "--model", "tfidf", "--data", f"csv:{tiny_csv}", "--json", "--confusion", str(png))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n"] == 42
    assert set(report["per_class"]) == set(LABELS)
    assert set(report["per_class"]["joy"]) == {"precision", "recall", "f1", "support"}
    for key in ("accuracy", "macro_f1", "weighted_f1", "ece", "latency_ms_p50"):
        assert isinstance(report[key], float)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_eval_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = eqn("emotion", "eval", "--model", "tfidf", "--data", f"csv:{tmp_path / 'none.csv'}", "--json")
    assert result.returncode == 2
    assert "none.csv" in result.stderr and result.stdout == ""


# On POSIX the byte 0xe9 (Latin-1 "é") reaches Python as the lone surrogate U+DCE9; subprocess encodes it back.
NOT_UTF8 = "caf\udce9"


@pytest.mark.parametrize(
    ("args", "position"),
    [
        (("emotion", "predict", NOT_UTF8), "argument 3"),
        (("emotion", "predict", "--sensor", "tfidf", NOT_UTF8), "argument 5 is"),
        (("chat", "--thread", NOT_UTF8), "argument 3, after --thread"),
        (("chat", "--segment", NOT_UTF8), "argument 3, after --segment"),
        (("demo", "--policy", NOT_UTF8), "argument 3, after --policy"),
        (("operator", "resume", "--thread", "t", "--action", "close", "--operator", NOT_UTF8), "after --operator"),
        (("operator", "resume", "--thread", "t", "--action", "close", "--operator", "o", "--note", NOT_UTF8), "--note"),
        (("guard", "check", "--scenario", NOT_UTF8), "after --scenario"),
        (("rights", "check", NOT_UTF8), "argument 3"),
        (("simulate", "--personas", NOT_UTF8), "after --personas"),
        (("emotion", "eval", f"--data=csv:{NOT_UTF8}.csv"), "argument 3"),
    ],
)
def test_command_line_text_that_is_not_utf8_is_a_clear_error(args: tuple[str, ...], position: str) -> None:
    result = eqn(*args)
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()  # one line, no traceback
    assert line.startswith("error: command-line argument ") and position in line, line
    assert "is not valid UTF-8 text" in line and "(byte 0xe9 at character" in line
