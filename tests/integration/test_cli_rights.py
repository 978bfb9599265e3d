"""`eqn rights check` as a user runs it: client messages on stdin, one JSON object per message on stdout."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

pytestmark = pytest.mark.integration


def rights_check(stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", "rights", "check", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def records(result: subprocess.CompletedProcess[bytes]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]  # nothing but JSON


def test_one_object_per_message_with_the_contracts_fields() -> None:
    messages = [
        "I can pay 200 a month starting Friday.",
        "",
        "Stop calling me. Talk to my lawyer.",
        "   ",
        "honestly after this month you won't need to chase me, I won't be around to pay it",
    ]
    result = rights_check(("\n".join(messages) + "\n").encode())
    assert result.returncode == 0, result.stderr.decode()
    out = records(result)
    assert [r["line"] for r in out] == [1, 3, 5]  # blank lines skipped, numbers kept
    assert [r["text"] for r in out] == [messages[0], messages[2], messages[4]]
    assert [r["escalates"] for r in out] == [False, True, True]
    assert out[0]["events"] == []
    assert {e["kind"] for e in out[1]["events"]} >= {"cease_contact", "attorney"}
    for record in out:
        for event in record["events"]:
            assert set(event) >= {"kind", "escalates", "layer", "span", "reason"}
            assert event["layer"] in ("rules", "model")
            assert ("score" in event) == (event["layer"] == "model")
            start, end = event["span"]
            assert 0 <= start < end <= len(record["text"])
    assert any(e["kind"] == "crisis" and e["escalates"] for e in out[2]["events"])


def test_rules_only_reads_what_the_patterns_hold_and_nothing_more() -> None:
    text = b"honestly after this month you won't need to chase me, I won't be around to pay it\n"
    with_model, rules_only = records(rights_check(text)), records(rights_check(text, "--rules-only"))
    assert with_model[0]["escalates"] and any(e["layer"] == "model" for e in with_model[0]["events"])
    assert all(e["layer"] == "rules" for e in rules_only[0]["events"])


def test_a_non_utf8_line_is_reported_skipped_and_exits_1() -> None:
    result = rights_check(b"stop calling me\n\xff\xfe broken\nthanks\n")
    assert result.returncode == 1
    assert b"line 2" in result.stderr and b"UTF-8" in result.stderr
    assert [r["line"] for r in records(result)] == [1, 3]
