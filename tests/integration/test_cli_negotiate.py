"""`eqn demo` and `eqn chat` as a user runs them: subprocesses with stdin piped (not a terminal), offline.

Every run passes ``--sensor tfidf`` (about 2 s a start) except the ``demo --json`` test, which uses the default
embedded sensor once. Bad inputs must fail with a clear message on stderr, a non-zero exit, and the dialogue already
saved in SQLite intact: each such test checks the thread's rows are unchanged or resumes it and sees the turn count
go on.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eq_negotiator.emotions import LABELS

ROOT = Path(__file__).resolve().parents[2]
CONTRACT_KEYS = {
    "thread_id",
    "turn",
    "client",
    "emotion",
    "belief",
    "stance",
    "reason",
    "reply",
    "offline",
    "model",
    "offer",
    "client_offer",
    "agreement",
    "guard",
    "status",
    "escalation",
    "language",
}
STANCES = {*LABELS, None}
STATUSES = {"ongoing", "agreed", "breakdown", "max_rounds", "escalated", "closed"}
GUARD_ACTIONS = {"passed", "regenerated", "fallback"}
CLIENT_ACTS = {"accept", "propose", "reject", "walk_away", "other"}
DEMO_ASKS = [None, 120, 100, 90, 75, 55]
"""The days the demo's scripted client asks for, turn by turn (it names none at first)."""
TFIDF = ("--sensor", "tfidf")

# Stdin is a pipe in every run; nothing needs the network (the offline responder writes the replies).
ENV = {
    **{k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "OPENAI_API_KEY", "OPENAI_BASE_URL"}},
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_COLOR": "1",
}


def eqn(*args: str, stdin: bytes | str = b"", timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``eqn ARGS`` with ``stdin`` piped in; stdout and stderr decoded as UTF-8."""
    data = stdin.encode("utf-8") if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", *args],
        input=data,
        capture_output=True,
        timeout=timeout,
        check=False,
        env=ENV,
        cwd=ROOT,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8"),
        result.stderr.decode("utf-8", errors="replace"),
    )


def flat(text: str) -> str:
    """``text`` with runs of whitespace made single spaces (rich wraps long lines at the console width)."""
    return " ".join(text.split())


def json_lines(stdout: str) -> list[dict[str, Any]]:
    """Every stdout line parsed as one JSON object (fails on any other output)."""
    lines = stdout.splitlines()
    objects = [json.loads(line) for line in lines]
    assert all(isinstance(obj, dict) for obj in objects), stdout
    return objects


def assert_turn_contract(turn: dict[str, Any]) -> None:
    assert set(turn) >= CONTRACT_KEYS, sorted(CONTRACT_KEYS - set(turn))
    assert isinstance(turn["turn"], int) and turn["turn"] >= 1
    assert isinstance(turn["client"], str) and turn["client"]
    assert set(turn["emotion"]) == {"label", "confidence"}
    assert turn["emotion"]["label"] in LABELS
    assert 0.0 <= turn["emotion"]["confidence"] <= 1.0
    assert isinstance(turn["belief"], dict)
    if turn["belief"]:
        assert sum(turn["belief"].values()) == pytest.approx(1.0, abs=1e-6)
    assert turn["stance"] in STANCES
    assert isinstance(turn["reason"], str) and turn["reason"]
    assert isinstance(turn["reply"], str) and turn["reply"]
    assert turn["offline"] is True
    assert isinstance(turn["model"], str) and turn["model"]
    assert set(turn) - {"decision"} == CONTRACT_KEYS, sorted(set(turn) - CONTRACT_KEYS)  # demo adds the decision
    assert turn["status"] in STATUSES
    # A negotiated turn (the client's rights were not at stake): offers, the client's move and the guard's check.
    offer = turn["offer"]
    assert set(offer) == {"days", "round", "reason"}
    assert isinstance(offer["days"], int) and 30 <= offer["days"] <= 90  # the default scenario's target and limit
    assert 1 <= offer["round"] <= turn["turn"] and offer["reason"]
    assert turn["client_offer"]["act"] in CLIENT_ACTS
    assert turn["client_offer"]["days"] is None or isinstance(turn["client_offer"]["days"], int)
    guard = turn["guard"]
    assert guard["turn"] == turn["turn"] and guard["action"] in GUARD_ACTIONS
    assert isinstance(guard["violations"], list)
    assert turn["escalation"] is None
    if turn["status"] == "agreed":
        agreement = turn["agreement"]
        assert set(agreement) >= {"days", "round", "closed_by", "summary"}
        assert agreement["round"] == turn["turn"] and states_days(turn["reply"], agreement["days"])
    else:
        assert turn["agreement"] is None
        assert states_days(turn["reply"], offer["days"])  # the reply states the standing offer


def states_days(text: str, days: int) -> bool:
    """Whether ``text`` names ``days`` days ("30 days", "a 30-day plan")."""
    return re.search(rf"\b{days}[ -]days?\b", text) is not None


def chat(db: str, thread: str, *lines: str | bytes, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    """``eqn chat --json`` on a thread, one stdin line per item (bytes are sent as they are)."""
    stdin = b"".join((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines)
    return eqn("chat", "--json", "--db", db, "--thread", thread, *TFIDF, *extra, stdin=stdin)


def next_turn(db: str, thread: str) -> int:
    """Send one more good line on ``thread`` and return the turn number it got."""
    result = chat(db, thread, "Okay, let's talk about a plan I can manage.")
    assert result.returncode == 0, result.stderr
    (turn,) = json_lines(result.stdout)
    assert_turn_contract(turn)
    assert turn["thread_id"] == thread
    return int(turn["turn"])


def thread_rows(path: Path, thread: str) -> tuple[int, int]:
    """How many checkpoint and pending-write rows ``thread`` has in a SQLite checkpoint file."""
    connection = sqlite3.connect(path)
    try:
        checkpoints = connection.execute("SELECT count(*) FROM checkpoints WHERE thread_id = ?", (thread,)).fetchone()
        writes = connection.execute("SELECT count(*) FROM writes WHERE thread_id = ?", (thread,)).fetchone()
    finally:
        connection.close()
    return int(checkpoints[0]), int(writes[0])


# --- eqn --help, eqn demo ------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_help_lists_demo_and_chat() -> None:
    script = Path(sys.executable).parent / "eqn"
    command = (
        [str(script)] if script.is_file() else [sys.executable, "-c", "from eq_negotiator.cli import main; main()"]
    )
    result = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=60, check=False, env=ENV)
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "chat" in result.stdout


def assert_demo_negotiation(turns: list[dict[str, Any]]) -> None:
    """The demo's course: the creditor concedes from 30 days, the client from 120, and they agree in the last turn."""
    assert [turn["turn"] for turn in turns] == [1, 2, 3, 4, 5, 6]  # the script has six lines; the sixth settles it
    assert [turn["client_offer"]["days"] for turn in turns] == DEMO_ASKS
    assert [turn["status"] for turn in turns] == ["ongoing"] * 5 + ["agreed"]
    offered = [turn["offer"]["days"] for turn in turns]
    assert offered[0] == 30 and offered == sorted(offered) and offered[-1] > 30
    assert [turn["offer"]["round"] for turn in turns[:5]] == [1, 2, 3, 4, 5]
    agreement = turns[-1]["agreement"]
    assert (agreement["days"], agreement["round"], agreement["closed_by"]) == (55, 6, "creditor")
    assert "Agreed on 55 days" in agreement["summary"]


@pytest.mark.integration
def test_demo_json_is_one_object_whose_six_offline_turns_end_in_agreement() -> None:
    # The one run with the default (embedded transformer) sensor.
    result = eqn("demo", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)  # the whole stdout: exactly one JSON object
    assert isinstance(data, dict)
    assert result.stdout.count("\n") == 1 and result.stdout.endswith("\n")
    assert data["offline"] is True
    turns = data["turns"]
    for turn in turns:
        assert_turn_contract(turn)
        assert turn["thread_id"] == data["thread_id"]
        assert turn["model"] == turns[0]["model"]
        assert turn["decision"]["stance"] == turn["stance"]  # the demo adds the policy's decision record
    assert_demo_negotiation(turns)
    # The scripted client is worried first and cooperative last; the sensor hears at least three emotions.
    assert len({turn["emotion"]["label"] for turn in turns}) >= 3


@pytest.mark.integration
def test_demo_prints_each_turns_stance_and_reason() -> None:
    plain = eqn("demo", *TFIDF)
    assert plain.returncode == 0, plain.stderr
    text = flat(plain.stdout)
    assert "offline responder" in text
    reference = eqn("demo", "--json", *TFIDF)  # same seed and sensor: the same dialogue
    assert reference.returncode == 0, reference.stderr
    turns = json.loads(reference.stdout)["turns"]
    assert_demo_negotiation(turns)
    for turn in turns:
        assert f"Client (turn {turn['turn']}):" in text
        assert flat(f"stance: {turn['stance'] or 'none'} - {turn['reason']}") in text
        assert f"Agent [{turn['stance'] or 'no stance'}] (offline responder):" in text
        assert flat(turn["reply"]) in text
        if turn["client_offer"]["days"] is not None:
            assert f"client: {turn['client_offer']['act']} {turn['client_offer']['days']} days" in text
        if turn["agreement"] is None:
            assert flat(f"offer: {turn['offer']['days']} days - {turn['offer']['reason']}") in text
    assert text.count("sensed:") == 6 and text.count("belief:") == 6
    assert text.count("offer: ") == 5  # no offer line once agreed
    assert text.count("Agreement:") == 1 and flat(f"Agreement: {turns[-1]['agreement']['summary']}") in text
    assert text.index("Agreement:") > text.index("Client (turn 6):")


@pytest.mark.integration
def test_help_does_not_load_the_heavy_libraries() -> None:
    heavy = ("torch", "transformers", "langgraph", "langchain_core", "sklearn", "scipy")
    probe = f"import sys, eq_negotiator.cli; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True, env=ENV
    )
    assert result.stdout.strip() == "[]"


# --- eqn chat ------------------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_chat_json_prints_one_object_per_line_and_resumes_the_thread(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/c.db"
    sent = [
        "Hi, I lost some hours at work and I'm scared I can't pay the balance.",
        "Thirty days? That's — impossible €!",
    ]
    first = chat(db, "t1", *sent)
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.splitlines()) == 2
    turns = json_lines(first.stdout)
    for number, (turn, line) in enumerate(zip(turns, sent, strict=True), start=1):
        assert_turn_contract(turn)
        assert turn["turn"] == number
        assert turn["thread_id"] == "t1"
        assert turn["client"] == line
        assert turn["status"] == "ongoing"
        assert turn["offer"]["round"] == number
        assert turn["guard"]["action"] == "passed"
    assert turns[0]["offer"]["days"] == 30  # the creditor's target comes first
    assert turns[1]["client_offer"]["act"] == "reject"  # "Thirty days? That's impossible" names no counter-offer
    assert "t1" in first.stderr  # the thread note goes to stderr, never stdout

    again = chat(db, "t1", "I'm sorry, I'm just stressed. What can we do?")
    assert again.returncode == 0, again.stderr
    (third,) = json_lines(again.stdout)
    assert_turn_contract(third)
    assert third["turn"] == 3
    assert third["client"] == "I'm sorry, I'm just stressed. What can we do?"
    # The resumed thread negotiates on from its saved offer: never fewer days than before.
    assert third["offer"]["round"] == 3 and third["offer"]["days"] >= turns[1]["offer"]["days"]


@pytest.mark.integration
def test_chat_says_how_to_resume_only_a_thread_that_survives_the_process(tmp_path: Path) -> None:
    in_memory = eqn("chat", "--json", "--thread", "m1", *TFIDF, stdin="Hello, I got your letter.\n")
    assert in_memory.returncode == 0, in_memory.stderr
    note = flat(in_memory.stderr)
    assert "thread m1 (memory): it will not survive this process and cannot be resumed" in note
    assert "resume with" not in note  # --thread m1 on a new process would silently start again at turn 1

    db = f"sqlite:///{tmp_path}/c.db"
    saved = chat(db, "s1", "Hello, I got your letter.")
    assert saved.returncode == 0, saved.stderr
    squeezed = "".join(saved.stderr.split())  # rich may fold a long path anywhere, so compare without whitespace
    assert "".join(f"resume with --db {db} --thread s1".split()) in squeezed


@pytest.mark.integration
def test_chat_json_reports_an_agreement_and_the_thread_ends(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/c.db"
    result = chat(db, "deal", "Hello, I got your letter.", "Fine, I accept the 30 days.")
    assert result.returncode == 0, result.stderr
    first, second = json_lines(result.stdout)
    assert_turn_contract(first)
    assert_turn_contract(second)
    assert second["status"] == "agreed" and second["client_offer"]["act"] == "accept"
    assert (second["agreement"]["days"], second["agreement"]["round"]) == (30, 2)

    after = chat(db, "deal", "One more thing.")
    assert after.returncode == 1
    assert after.stdout == ""
    error = flat(after.stderr)
    assert "line 1" in error and "has ended" in error and "Agreed on 30 days" in error


@pytest.mark.integration
def test_chat_asks_to_confirm_a_garbled_number_instead_of_agreeing(tmp_path: Path) -> None:
    # Issue 14: "10^9 days" was read as 9 days, agreed and the dialogue closed.
    db = f"sqlite:///{tmp_path}/c.db"
    result = chat(db, "exp", "Hello", "I'll pay in 10^9 days")
    assert result.returncode == 0, result.stderr
    _, second = json_lines(result.stdout)
    assert_turn_contract(second)
    assert second["status"] == "ongoing" and second["agreement"] is None
    assert second["client_offer"]["days"] is None and second["client_offer"]["doubt"] == "unreadable_number"
    assert "exact terms" in second["reply"] and not states_days(second["reply"], 9)


def test_chat_answers_a_message_it_cannot_read_in_english_and_records_its_language(tmp_path: Path) -> None:
    # Issue 14: Spanish, Chinese and French were read as neutral, no offer, with no word that they were not read.
    db = f"sqlite:///{tmp_path}/c.db"
    spanish_accept = "Sí, acepto, de acuerdo, trato hecho. Muchas gracias."
    chinese_ask = "我现在没有钱，可以给我三个月吗？"
    result = chat(db, "es", "Hello", spanish_accept, chinese_ask)
    assert result.returncode == 0, result.stderr
    first, spanish, chinese = json_lines(result.stdout)
    assert_turn_contract(first)
    assert first["language"]["supported"]
    for turn, name in ((spanish, "Spanish"), (chinese, "Chinese")):
        assert set(turn) == CONTRACT_KEYS
        assert turn["language"]["supported"] is False and turn["stance"] is None
        assert f"seems to be in {name}" in turn["reply"] and "a person" in turn["reply"]
        assert turn["status"] == "ongoing" and turn["agreement"] is None and turn["client_offer"] is None
        assert turn["offer"] == first["offer"] and turn["guard"]["action"] == "passed"
    assert (spanish["language"]["code"], chinese["language"]["code"]) == ("es", "zh")


@pytest.mark.integration
def test_chat_show_reasoning_prints_emotion_belief_and_stance() -> None:
    line = "This is ridiculous. I've been a customer for years and this is how you treat me?\n"
    shown = eqn("chat", "--show-reasoning", *TFIDF, stdin=line)
    assert shown.returncode == 0, shown.stderr
    lines = [row.strip() for row in shown.stdout.splitlines()]
    sensed = next(row for row in lines if row.startswith("sensed:"))
    assert sensed.split()[1] in LABELS
    assert any(row.startswith("belief:") and "confrontational" in row for row in lines)
    stance = next(row for row in lines if row.startswith("stance:"))
    assert stance.split()[1] in {*LABELS, "none"} and " - " in stance
    assert any(row.startswith("Agent [") for row in lines)
    assert "offline responder" in flat(shown.stdout + shown.stderr)

    quiet = eqn("chat", *TFIDF, stdin=line)
    assert quiet.returncode == 0, quiet.stderr
    assert "sensed:" not in quiet.stdout and "belief:" not in quiet.stdout
    assert "Agent [" in quiet.stdout


# --- bad client lines: an error for that line, the rest of the thread kept -----------------------------------------


@pytest.mark.integration
def test_an_empty_line_is_refused_and_the_thread_goes_on(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/c.db"
    result = chat(db, "t1", "I can pay part of it now.", "", "And the rest next month.")
    assert result.returncode == 1
    assert "line 2" in result.stderr and "empty" in result.stderr
    turns = json_lines(result.stdout)
    assert [(t["turn"], t["client"]) for t in turns] == [
        (1, "I can pay part of it now."),
        (2, "And the rest next month."),
    ]
    assert next_turn(db, "t1") == 3


@pytest.mark.integration
def test_a_100kb_line_is_refused_with_the_limit_and_max_chars_accepts_it(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/c.db"
    long_line = ("I really cannot pay this all at once. " * 3000)[:100_000]
    result = chat(db, "t1", "Hello, about my balance.", long_line)
    assert result.returncode == 1
    error = flat(result.stderr)
    assert "line 2" in error and "100,000 characters" in error and "limit is 4,000" in error
    assert [t["turn"] for t in json_lines(result.stdout)] == [1]

    accepted = chat(db, "t1", long_line, extra=("--max-chars", "200000"))
    assert accepted.returncode == 0, accepted.stderr
    (turn,) = json_lines(accepted.stdout)
    assert_turn_contract(turn)
    assert turn["turn"] == 2
    assert turn["client"] == long_line


@pytest.mark.integration
def test_a_non_utf8_line_is_refused_and_the_thread_goes_on(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/c.db"
    result = chat(db, "t1", "I got your letter.", b"\xff\xfe bad", "Can we agree on a plan?")
    assert result.returncode == 1
    assert "line 2" in result.stderr and "UTF-8" in result.stderr
    turns = json_lines(result.stdout)
    assert [(t["turn"], t["client"]) for t in turns] == [(1, "I got your letter."), (2, "Can we agree on a plan?")]
    assert next_turn(db, "t1") == 3


@pytest.mark.integration
def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    result = chat(f"sqlite:///{path}", "t1", "Hello.")
    assert result.returncode == 2
    assert result.stdout == ""
    error = flat(result.stderr)
    assert "error:" in error and "Traceback" not in error
    assert "notes.db" in "".join(error.split())  # rich may break the long path anywhere at the console width


@pytest.mark.integration
def test_an_unreachable_postgres_is_a_clear_error_without_the_password() -> None:
    result = chat("postgresql://u:secret@127.0.0.1:1/db", "t1", "Hello.")
    assert result.returncode == 2
    assert result.stdout == ""
    error = flat(result.stderr)
    assert "error:" in error and "postgresql://u@127.0.0.1:1/db" in error and "refused" in error.lower()
    assert "secret" not in error and "Traceback" not in error


@pytest.mark.integration
def test_emoji_codes_are_printed_as_they_are(tmp_path: Path) -> None:
    # Every offline reply opens with the debtor's first name, so the scenario's name reaches the printed reply.
    scenario = tmp_path / "emoji.json"
    scenario.write_text(json.dumps({"debtor": ":warning: Morgan"}), encoding="utf-8")
    result = eqn("chat", *TFIDF, "--scenario", str(scenario), stdin="Hello :smile:, about my balance.\n")
    assert result.returncode == 0, result.stderr
    assert ":warning:" in result.stdout
    assert "\u26a0" not in result.stdout

    # A client line quoted in an error message (here as a thread id) is printed as typed, too.
    refused = eqn("chat", *TFIDF, "--thread", ":smile:", stdin="Hello.\n")
    assert refused.returncode == 2
    assert "':smile:'" in refused.stderr
    assert "\U0001f604" not in refused.stderr


# --- bad settings: refused before anything is written --------------------------------------------------------------


@pytest.fixture(scope="module")
def kept_thread(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A SQLite file holding thread ``kept`` with one answered turn."""
    path = tmp_path_factory.mktemp("kept") / "kept.db"
    result = chat(f"sqlite:///{path}", "kept", "I want to sort out my overdue balance.")
    assert result.returncode == 0, result.stderr
    assert [t["turn"] for t in json_lines(result.stdout)] == [1]
    return path, "kept"


def _write(folder: Path, name: str, text: str) -> str:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD_SETTINGS: dict[str, tuple[Any, tuple[str, ...]]] = {
    # name: (extra arguments given the temp folder, phrases the error must contain)
    "unknown model provider": (lambda _: ("--model", "foo:bar"), ("foo:bar", "provider:model")),
    "unknown policy": (lambda _: ("--policy", "best"), ("best", "valid policies", "eq, paper1, paper2")),
    "unknown db form": (lambda _: ("--db", "mysql://x"), ("mysql://x", "valid forms", "sqlite:///", "memory")),
    "bad thread id": (lambda _: ("--thread", "bad id"), ("'bad id'", "letters, digits")),
    "malformed scenario": (
        lambda folder: ("--scenario", _write(folder, "broken.json", '{"balance": 100,')),
        ("broken.json", "not valid JSON"),
    ),
    "invalid scenario field": (
        lambda folder: ("--scenario", _write(folder, "negative.json", '{"balance": -5}')),
        ("negative.json", "not a valid scenario", "balance", "greater than 0"),
    ),
    # json.loads reads 1e309 as inf and accepts NaN: the scenario must refuse both, naming the field.
    "infinite balance": (
        lambda folder: ("--scenario", _write(folder, "inf.json", '{"balance": 1e309}')),
        ("inf.json", "balance: Input should be a finite number (got inf)"),
    ),
    "NaN balance": (
        lambda folder: ("--scenario", _write(folder, "nan.json", '{"balance": NaN}')),
        ("nan.json", "balance: Input should be a finite number (got nan)"),
    ),
    "absurd balance": (
        lambda folder: ("--scenario", _write(folder, "huge.json", '{"balance": 1e300}')),
        ("huge.json", "balance: Input should be less than or equal to 1000000000000"),
    ),
    "missing scenario file": (
        lambda folder: ("--scenario", str(folder / "none.json")),
        ("none.json", "cannot read scenario file", "No such file"),
    ),
    "non-positive max chars": (lambda _: ("--max-chars", "0"), ("max_message_chars", "positive")),
}


@pytest.mark.integration
@pytest.mark.parametrize("case", list(BAD_SETTINGS))
def test_bad_settings_are_clear_errors_that_write_nothing(
    case: str, kept_thread: tuple[Path, str], tmp_path: Path
) -> None:
    path, thread = kept_thread
    make_args, phrases = BAD_SETTINGS[case]
    before = thread_rows(path, thread)
    # Later options win, so the case's --db/--thread replace the kept ones where it names them.
    result = eqn(
        "chat",
        "--json",
        "--db",
        f"sqlite:///{path}",
        "--thread",
        thread,
        *TFIDF,
        *make_args(tmp_path),
        stdin="This line must not be answered.\n",
    )
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1, result.stderr  # one line, however long
    error = flat(result.stderr)
    assert "error:" in error and "Traceback" not in error
    for phrase in phrases:
        assert phrase in error, (phrase, error)
    assert thread_rows(path, thread) == before


@pytest.mark.integration
def test_the_kept_thread_goes_on_after_the_bad_settings(kept_thread: tuple[Path, str]) -> None:
    path, thread = kept_thread
    assert next_turn(f"sqlite:///{path}", thread) == 2


# --- benchmarks/turn.py --------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_turn_benchmark_prints_its_figures_as_json_on_the_last_line() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "turn.py"), "--dialogues", "2", "--turns", "2", *TFIDF],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=ENV,
    )
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(figures) >= {"turn_ms_p50", "turn_ms_p95", "rss_mb", "rss_peak_mb", "turns"}
    assert figures["turns"] == 4
    assert 0 < figures["turn_ms_p50"] <= figures["turn_ms_p95"]
    assert 0 < figures["rss_mb"] <= figures["rss_peak_mb"] + 1


def test_chat_trace_privacy_is_checked_and_accepted() -> None:
    refused = eqn("chat", "--trace-privacy", "partial", *TFIDF, stdin="Hello.\n")
    assert refused.returncode == 2 and "trace_privacy must be one of" in refused.stderr and not refused.stdout
    hidden = eqn("chat", "--trace-privacy", "hidden", "--json", *TFIDF, stdin="Hello.\n")
    assert hidden.returncode == 0, hidden.stderr
    assert json.loads(hidden.stdout.splitlines()[0])["turn"] == 1
