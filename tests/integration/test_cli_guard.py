"""`eqn guard check` as a user runs it: replies on stdin, one JSON object per reply on stdout, errors on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def guard_check(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", "guard", "check", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def records(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    # Nothing but JSON on stdout: every line must parse.
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]


def test_one_json_object_per_reply_with_the_default_scenario() -> None:
    replies = [
        "Thank you, Alex. The balance is $4,850, and we can offer you 60 days to repay it.",
        "If you don't pay by tonight, we will sue you and call your boss.",
        "Your balance is $17,500.",
    ]
    result = guard_check(("\n".join(replies) + "\n").encode())
    assert result.returncode == 0, result.stderr.decode()
    out = records(result)
    assert [r["text"] for r in out] == replies
    assert [r["compliant"] for r in out] == [True, False, False]
    assert out[0]["violations"] == []
    assert {v["type"] for v in out[1]["violations"]} >= {
        "false_urgency",
        "threat_false_action",
        "third_party_disclosure",
    }
    assert all(v["layer"] in ("rules", "model") for r in out for v in r["violations"])
    assert all(("score" in v) == (v["layer"] == "model") for r in out for v in r["violations"])
    assert out[2]["violations"][0]["type"] == "wrong_amount" and out[2]["violations"][0]["span"] == "$17,500"
    for record in out:
        for violation in record["violations"]:
            assert record["text"][violation["start"] : violation["end"]] == violation["span"]


def test_a_non_utf8_line_is_reported_and_skipped_and_the_exit_code_is_1() -> None:
    stdin = b"We will garnish your wages.\n\xff\xfe not text\r\nThanks, that works for me.\r\n"
    result = guard_check(stdin)
    assert result.returncode == 1
    assert b"line 2" in result.stderr and b"UTF-8" in result.stderr
    out = records(result)
    assert [(r["line"], r["text"], r["compliant"]) for r in out] == [
        (1, "We will garnish your wages.", False),
        (3, "Thanks, that works for me.", True),
    ]


def test_the_scenario_file_changes_what_is_true(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.json"
    scenario.write_text(json.dumps({"balance": 15700, "legal_action_in_progress": True}), encoding="utf-8")
    stdin = b"Your balance is $15,700.\nThe lawsuit has been filed, and settling now could resolve it.\n"
    assert [r["compliant"] for r in records(guard_check(stdin))] == [False, False]
    result = guard_check(stdin, "--scenario", str(scenario))
    assert result.returncode == 0, result.stderr.decode()
    assert [r["compliant"] for r in records(result)] == [True, True]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, b"cannot read scenario file"),
        ("{not json", b"not valid JSON"),
        ("[1, 2]", b"JSON object"),
        ('{"balance": -5}', b"balance"),
        ('{"balance": 1e309}', b"balance: Input should be a finite number (got inf)"),
        ('{"balance": NaN}', b"balance: Input should be a finite number (got nan)"),
        ('{"colour": "blue"}', b"colour"),
    ],
)
def test_a_bad_scenario_file_is_a_clear_error_with_exit_code_2(
    tmp_path: Path, content: str | None, message: bytes
) -> None:
    path = tmp_path / "scenario.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = guard_check(b"Your balance is $15,700.\n", "--scenario", str(path))
    assert result.returncode == 2
    assert result.stdout == b""
    assert b"error:" in result.stderr and message in result.stderr


def test_blank_lines_and_a_byte_order_mark_are_not_replies() -> None:
    result = guard_check("\ufeffYou idiot, pay up.\n\n   \nThanks.".encode())
    assert result.returncode == 0
    out = records(result)
    assert [r["text"] for r in out] == ["You idiot, pay up.", "Thanks."]
    assert out[0]["violations"][0]["type"] == "abusive_language"


def test_the_benchmark_prints_its_figures_as_json_on_the_last_line() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "guard.py"), "--repeat", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"precision", "recall", "per_type_recall", "n", "checks_per_s", "splits", "first_contact"} <= set(figures)
    assert set(figures["splits"]) >= {"dev", "test"}
    assert figures["n"] == sum(split["n"] for split in figures["splits"].values())
    assert figures["checks_per_s"] > 0
