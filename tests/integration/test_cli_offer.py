"""`eqn offer parse` as a user runs it: a subprocess reading stdin, stdout holding only JSON lines."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def eqn_offer(*args: str, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", "offer", "parse", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def json_lines(stdout: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.decode("utf-8").splitlines()]


def test_one_json_object_per_input_line() -> None:
    messages = [
        "I can't do 30, maybe 40?",
        "",
        "ok",
        "I can pay $200 now",
        "no way",
        "forty-five days 🙏",
    ]
    result = eqn_offer("--standing-offer", "30", stdin=("\n".join(messages) + "\n").encode("utf-8"))
    assert result.returncode == 0, result.stderr.decode()
    records = json_lines(result.stdout)
    assert [r["text"] for r in records] == messages
    assert all(set(r) == {"text", "days", "act", "amount", "basis", "doubt"} for r in records)
    assert [(r["days"], r["act"]) for r in records] == [
        (40, "propose"),
        (None, "other"),
        (30, "accept"),
        (None, "propose"),
        (None, "reject"),
        (45, "propose"),
    ]
    assert records[3]["amount"] == 200.0


def test_speaker_option_moves_the_range_bound() -> None:
    stdin = b"60 to 90 days\r\n"  # a Windows line ending is not part of the text
    debtor = json_lines(eqn_offer(stdin=stdin).stdout)
    creditor = json_lines(eqn_offer("--speaker", "creditor", stdin=stdin).stdout)
    assert debtor == [
        {"text": "60 to 90 days", "days": 60, "act": "propose", "amount": None, "basis": None, "doubt": None}
    ]
    assert creditor[0]["days"] == 90


def test_non_utf8_line_is_reported_and_the_rest_still_parsed() -> None:
    result = eqn_offer(stdin=b"60 days\n\xff\xfe broken\n90 days\n")
    assert result.returncode == 1
    assert [r["days"] for r in json_lines(result.stdout)] == [60, 90]
    stderr = result.stderr.decode()
    assert "line 2" in stderr and "UTF-8" in stderr


def test_bad_options_fail_without_stdout() -> None:
    for args in (("--speaker", "agent"), ("--standing-offer", "-5"), ("--standing-offer", "soon")):
        result = eqn_offer(*args, stdin=b"60 days\n")
        assert result.returncode == 2, args
        assert result.stdout == b""


def test_empty_stdin_prints_nothing() -> None:
    result = eqn_offer(stdin=b"")
    assert (result.returncode, result.stdout) == (0, b"")


def test_help_does_not_import_heavy_libraries() -> None:
    probe = (
        "import sys\n"
        "from eq_negotiator.cli import app\n"
        "from typer.testing import CliRunner\n"
        "result = CliRunner().invoke(app, ['offer', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = sorted(m for m in ('torch', 'langgraph', 'transformers', 'langchain_core') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_balance_and_reference_date_give_rates_and_dates_their_days() -> None:
    stdin = b"I can pay 200 a month\nI'll pay it all this Friday\nI can pay on the 15th\n"
    bare = json_lines(eqn_offer(stdin=stdin).stdout)
    assert [r["days"] for r in bare] == [None, None, None]  # no balance, no date: the parser never guesses
    result = eqn_offer("--balance", "4850", "--reference-date", "2026-12-02", stdin=stdin)  # a Wednesday
    assert result.returncode == 0, result.stderr.decode()
    records = json_lines(result.stdout)
    assert [(r["days"], r["basis"], r["doubt"]) for r in records] == [
        (750, "instalments", None),  # 25 payments of 200, a month apart
        (2, "in_full", None),
        (13, "date", "unclear_amount"),
    ]


@pytest.mark.parametrize(
    ("option", "value", "named"),
    [("--reference-date", "2026-13-01", "--reference-date"), ("--balance", "inf", "--balance")],
)
def test_a_bad_balance_or_date_is_refused_by_name(option: str, value: str, named: str) -> None:
    result = eqn_offer(option, value, stdin=b"30 days\n")
    assert result.returncode == 2
    assert named in result.stderr.decode()
    assert result.stdout == b""
