"""`eqn chat` on a thread handed to a person, and `eqn operator resume`, as a user runs them (subprocesses, SQLite).

Every run passes ``--sensor tfidf`` (the operator command builds the same services as chat, sensor included), so
no transformer is loaded and nothing needs the network.
"""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from eq_negotiator.graph import Context, build_graph
from eq_negotiator.graph.session import open_negotiator
from eq_negotiator.negotiation.rights import RightsEvent, appropriate_reply, detect_rights_events
from eq_negotiator.scenario import Scenario
from tests.unit.graph.fakes import close_connections, keyword_sensor

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
TFIDF = ("--sensor", "tfidf")
STOP = "please stop calling me"
ENV = {
    **{k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "OPENAI_API_KEY", "OPENAI_BASE_URL"}},
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_COLOR": "1",
    "COLUMNS": "400",  # keep rich from wrapping the error lines the tests read
}


def operator_registered() -> bool:
    from eq_negotiator.cli import app

    return any(group.name == "operator" for group in app.registered_groups)


needs_operator = pytest.mark.skipif(
    not operator_registered(), reason="`eqn operator` is not registered in eq_negotiator/cli/__init__.py"
)


def eqn(*args: str, stdin: str = "", timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run ``eqn ARGS`` with ``stdin`` piped in."""
    return subprocess.run(
        [sys.executable, "-c", "from eq_negotiator.cli import main; main()", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
        env=ENV,
        cwd=ROOT,
    )


def json_lines(stdout: str) -> list[dict[str, Any]]:
    objects = [json.loads(line) for line in stdout.splitlines()]
    assert all(isinstance(obj, dict) for obj in objects), stdout
    return objects


def flat(text: str) -> str:
    return " ".join(text.split())


class Thread:
    """One dialogue in one SQLite file, driven through the CLI."""

    def __init__(self, tmp_path: Path, thread_id: str = "t1") -> None:
        self.path = tmp_path / "c.db"
        self.db = f"sqlite:///{self.path}"
        self.id = thread_id

    def chat(self, *lines: str) -> subprocess.CompletedProcess[str]:
        stdin = "".join(f"{line}\n" for line in lines)
        return eqn("chat", "--json", "--db", self.db, "--thread", self.id, *TFIDF, stdin=stdin)

    def resume(self, action: str, operator: str | None = "ops", *extra: str) -> subprocess.CompletedProcess[str]:
        """``eqn operator resume`` on this thread; ``operator=None`` leaves ``--operator`` out."""
        named = ("--operator", operator) if operator is not None else ()
        return eqn(
            "operator", "resume", "--thread", self.id, "--db", self.db, "--action", action,
            *named, "--json", *TFIDF, *extra,
        )  # fmt: skip

    def resume_with(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``eqn operator resume`` on this thread as ``ops``, with ``args`` in place of ``--action``."""
        return eqn(
            "operator", "resume", "--thread", self.id, "--db", self.db, "--operator", "ops", "--json", *TFIDF, *args
        )

    def state(self) -> tuple[bool, dict[str, Any]]:
        """Whether the thread waits for an operator, and its state, read in this process."""
        negotiator = open_negotiator(self.db, context=Context(sensor="tfidf"))
        try:
            return negotiator.escalated(self.id), negotiator.state(self.id)
        finally:
            close_connections(negotiator.graph)


@pytest.fixture()
def escalated(tmp_path: Path) -> Iterator[Thread]:
    """A thread whose first client line asked us to stop calling: handed to a person."""
    thread = Thread(tmp_path)
    run = thread.chat(STOP)
    assert run.returncode == 0, run.stderr
    (turn,) = json_lines(run.stdout)
    assert turn["status"] == "escalated"
    yield thread


def test_a_cease_request_hands_the_thread_to_a_person(tmp_path: Path) -> None:
    thread = Thread(tmp_path)
    run = thread.chat(STOP)
    assert run.returncode == 0, run.stderr
    (turn,) = json_lines(run.stdout)
    assert turn["thread_id"] == "t1" and turn["turn"] == 1 and turn["client"] == STOP
    assert turn["status"] == "escalated"
    event = turn["escalation"]["event"]
    assert event["kind"] == "cease_contact"
    assert turn["escalation"]["decision"] is None
    (expected,) = detect_rights_events(STOP)
    assert turn["reply"] == appropriate_reply(RightsEvent(event["kind"], expected.span, expected.reason), Scenario())
    assert turn["offer"] is None and turn["client_offer"] is None and turn["guard"] is None
    assert turn["stance"] is None and turn["offline"] is False
    waiting, state = thread.state()
    assert waiting and len(state["messages"]) == 2


def test_a_second_line_on_an_escalated_thread_is_refused(escalated: Thread) -> None:
    run = escalated.chat("I can do 60 days")
    assert run.returncode != 0
    error = flat(run.stderr)
    assert "was handed to a person (cease_contact)" in error
    assert "eqn operator resume" in error
    assert not any(turn["client"] == "I can do 60 days" for turn in json_lines(run.stdout))
    waiting, state = escalated.state()
    assert waiting
    assert len(state["messages"]) == 2 and state["messages"][0].text == STOP


def test_a_refused_line_on_an_escalated_thread_prints_no_turn(escalated: Thread) -> None:
    run = escalated.chat("I can do 60 days")
    assert run.returncode != 0
    assert run.stdout == ""
    assert "finishing the unanswered turn" not in run.stderr


@needs_operator
def test_an_operator_continue_lets_the_chat_go_on(escalated: Thread) -> None:
    bad = escalated.resume("reopen")
    assert bad.returncode == 2 and bad.stdout == ""
    assert "action must be one of continue, close" in flat(bad.stderr)
    assert escalated.state()[0]  # still waiting

    nobody = escalated.resume("continue", " ")
    assert nobody.returncode == 2 and "name the operator" in flat(nobody.stderr)
    assert escalated.state()[0]

    run = escalated.resume("continue", "ops", "--note", "client called back")
    assert run.returncode == 0, run.stderr
    (summary,) = json_lines(run.stdout)
    assert summary["thread_id"] == "t1" and summary["status"] == "ongoing"
    assert summary["escalation"]["event"]["kind"] == "cease_contact"
    assert summary["escalation"]["decision"] == {"action": "continue", "operator": "ops", "note": "client called back"}
    assert not escalated.state()[0]

    chat = escalated.chat("I can do 60 days")
    assert chat.returncode == 0, chat.stderr
    (turn,) = json_lines(chat.stdout)
    assert turn["turn"] == 2 and turn["client"] == "I can do 60 days"
    assert turn["status"] == "ongoing" and turn["escalation"] is None
    assert turn["client_offer"]["days"] == 60
    assert 30 <= turn["offer"]["days"] <= 90
    assert f"{turn['offer']['days']} days" in turn["reply"] or f"{turn['offer']['days']}-day" in turn["reply"]
    assert turn["guard"]["action"] == "passed"

    again = escalated.resume("continue")
    assert again.returncode == 2 and "not waiting for an operator" in flat(again.stderr)


@needs_operator
def test_an_operator_close_ends_the_thread(escalated: Thread) -> None:
    run = escalated.resume("close")
    assert run.returncode == 0, run.stderr
    (summary,) = json_lines(run.stdout)
    assert summary["status"] == "closed"
    assert summary["escalation"]["decision"]["action"] == "close"

    chat = escalated.chat("I can do 60 days")
    assert chat.returncode == 1
    assert "has ended" in flat(chat.stderr)
    assert json_lines(chat.stdout) == []
    waiting, state = escalated.state()
    assert not waiting and state["closed"] is True and len(state["messages"]) == 2


@needs_operator
def test_resuming_a_thread_that_is_not_escalated_is_refused(tmp_path: Path) -> None:
    thread = Thread(tmp_path, "t2")
    assert thread.chat("Hello, I got your letter.").returncode == 0
    run = thread.resume("continue")
    assert run.returncode == 2 and run.stdout == ""
    assert "not waiting for an operator" in flat(run.stderr)


@dataclass
class Tampered:
    """A type no checkpoint of ours holds: a row naming it has been tampered with."""

    command: str


@pytest.fixture()
def tampered(escalated: Thread) -> Thread:
    """The escalated thread, its checkpoint then made to name a type outside the strict allow-list."""
    graph = build_graph(escalated.db, sensor=keyword_sensor())
    graph.update_state({"configurable": {"thread_id": escalated.id}}, {"scenario": {"creditor": Tampered("x")}})
    close_connections(graph)
    return escalated


@needs_operator
def test_a_tampered_checkpoint_is_one_clear_error_without_traceback_or_noise(tampered: Thread) -> None:
    for run in (tampered.resume("continue"), tampered.chat("Hello again.")):
        assert run.returncode != 0 and run.stdout == ""
        (line,) = [line for line in run.stderr.splitlines() if not line.startswith("thread ")]  # chat's thread note
        assert line.startswith("error: ") and "refused to load the checkpoint of thread 't1'" in line, run.stderr
        assert f"{__name__}.Tampered" in line
        assert "Traceback" not in run.stderr and "Blocked deserialization" not in run.stderr


@needs_operator
def test_the_readme_form_without_operator_resumes_and_records_the_login_name(escalated: Thread) -> None:
    # README: `eqn operator resume --thread ID --action continue|close` (here with the --db the chat used).
    run = escalated.resume("continue", None)
    assert run.returncode == 0, run.stderr
    (summary,) = json_lines(run.stdout)
    assert summary["status"] == "ongoing"
    assert summary["escalation"]["decision"]["operator"] == getpass.getuser()
    assert not escalated.state()[0]


@needs_operator
def test_an_unknown_thread_is_no_such_thread_in_the_named_database(tmp_path: Path) -> None:
    without_db = eqn("operator", "resume", "--thread", "nobody", "--action", "continue", *TFIDF)
    assert without_db.returncode == 2 and without_db.stdout == ""
    error = flat(without_db.stderr)
    assert "no such thread 'nobody' in memory" in error and "not waiting" not in error
    assert "--db the chat used" in error  # memory never holds another process's thread: say where to look

    thread = Thread(tmp_path)
    assert thread.chat(STOP).returncode == 0  # the database exists and holds another thread
    in_sqlite = eqn("operator", "resume", "--thread", "nobody", "--db", thread.db, "--action", "close", *TFIDF)
    assert in_sqlite.returncode == 2
    assert f"no such thread 'nobody' in {thread.db}" in flat(in_sqlite.stderr)
    assert thread.state()[0]  # the escalated thread there is untouched


def test_no_such_thread_names_a_postgres_database_without_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from eq_negotiator.cli import app
    from eq_negotiator.cli import negotiate as negotiate_cli

    # No server needed: the command reads an empty in-memory database under a PostgreSQL spec.
    monkeypatch.setattr(negotiate_cli, "_open", lambda db, context: open_negotiator("memory", context=context))
    url = "postgresql://collector:s3cret-pw@db.internal:5432/eqn?sslmode=require"
    args = ["operator", "resume", "--thread", "nobody", "--db", url, "--action", "continue", *TFIDF]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 2
    assert "no such thread 'nobody' in postgresql://collector@db.internal:5432/eqn" in flat(result.output)
    assert "s3cret-pw" not in result.output


@needs_operator
def test_an_operator_reply_is_guarded_then_sent(escalated: Thread) -> None:
    neither = escalated.resume_with()
    assert neither.returncode == 2 and "say what to do: an action (continue or close) or a reply" in flat(
        neither.stderr
    )

    refused = escalated.resume_with("--reply", "Pay today or we will have you arrested.")
    assert refused.returncode == 2 and refused.stdout == ""
    assert "the compliance guard refused the reply, so it was not sent: threat arrest" in flat(refused.stderr)
    waiting, state = escalated.state()
    assert waiting and len(state["messages"]) == 2

    reply = "This is Sam from the team: we have noted your request and will only write to you from now on."
    run = escalated.resume_with("--reply", reply, "--note", "by phone")
    assert run.returncode == 0, run.stderr
    (summary,) = json_lines(run.stdout)
    assert summary["status"] == "ongoing"
    assert summary["escalation"]["decision"] == {
        "action": "continue",
        "operator": "ops",
        "note": "by phone",
        "reply": reply,
    }
    waiting, state = escalated.state()
    assert not waiting and state["messages"][-1].text == reply
