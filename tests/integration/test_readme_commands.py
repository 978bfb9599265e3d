"""Every ``eqn`` command in README.md runs as written, and every option the README names exists.

The README's ``bash`` blocks are read as they stand. Each ``eqn`` command in them is one of:

- **run**: in README order, in one temporary folder (later commands use what earlier ones wrote, e.g.
  ``dialogues.db``), with its piped input produced by the README's own ``printf``; it must exit 0. The commands run
  in this process through typer's ``CliRunner`` (the embedded sensor's libraries load once), except those that
  start worker processes (``simulate``, ``compare``), which run as ``python -m eq_negotiator.cli`` subprocesses;
- **synopsis** (a usage line with ``[...]`` or ``<...>`` placeholders): not run; its command and every option it
  names must exist;
- **not run** for a stated reason (:data:`NOT_RUN`): it needs a provider key, a PostgreSQL server or a LangGraph
  server, or it starts a server that runs until stopped. The list is checked against the README, so it cannot
  name a command that is no longer there.

Inline ``eqn ...`` spans in the prose are checked like synopses. ``xdg-open PATH`` after a command must find the
file the command wrote.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from eq_negotiator.cli import app

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
EQN_WORDS = ("eqn", ".venv/bin/eqn")
SUBPROCESS_COMMANDS = ("simulate", "compare")
"""Commands that start worker processes: run as subprocesses, so that no worker is forked from this test process."""

NOT_RUN: dict[str, str] = {
    "eqn console --db sqlite:///dialogues.db": (
        "starts a web server that runs until stopped (tests/integration/test_console_browser.py starts it and drives "
        "it in a browser)"
    ),
    "eqn chat --model openai:gpt-4o-mini --policy paper2 --scenario case.json": (
        "needs a provider key (OPENAI_API_KEY) and the network"
    ),
    "eqn simulate --creditor-model openai:gpt-4o-mini --debtor openai:gpt-4o-mini --personas angry,cheating "
    "--scenarios csv:../shared/data/emomas-crad/credit_recovery_scenarios_dev.csv --rows 0-19 --out runs/gpt": (
        "needs a provider key (OPENAI_API_KEY) and the network"
    ),
}
"""README commands this test does not run, and why. PostgreSQL and the LangGraph server appear only in Python code and
prose (no ``eqn`` command needs them today); a command needing either belongs here with that reason."""

ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_COLOR": "1",
    "COLUMNS": "200",
    "OPENAI_API_KEY": "",  # nothing here may reach a provider
}


@dataclass(frozen=True)
class Command:
    """One shell command line of a README ``bash`` block (continuation lines joined, comment dropped)."""

    line: str
    words: tuple[str, ...]
    """The shell words, with ``|`` and ``&&`` as words of their own."""
    eqn: tuple[str, ...]
    """The ``eqn`` invocation's arguments (after ``eqn``), empty if the line runs no ``eqn``."""
    stdin: tuple[str, ...]
    """The words of the command piped into ``eqn``, if any."""

    @property
    def text(self) -> str:
        """The ``eqn`` command as the README writes it (for ids and :data:`NOT_RUN`)."""
        return shlex.join(("eqn", *self.eqn))


def _bash_lines() -> list[str]:
    lines: list[str] = []
    for block in re.findall(r"^```bash\n(.*?)^```", README, re.MULTILINE | re.DOTALL):
        lines.extend(line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip())
    return lines


def _eqn_part(line: str) -> str:
    """The line from its ``eqn`` word on (empty if it has none)."""
    match = re.search(r"(?:^|\s)((?:\.venv/bin/)?eqn(?:\s.*)?)$", line)
    return match.group(1) if match else ""


def _is_synopsis(line: str) -> bool:
    part = _eqn_part(line)
    return "[" in part or "<" in part


def _shell_words(line: str) -> tuple[str, ...]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True  # keep sqlite:///x.db, --a=b and the like whole
    return tuple(lexer)


SEPARATORS = ("|", "&&", ";")


def _command(line: str) -> Command:
    words = _shell_words(line)
    segments: list[tuple[str | None, list[str]]] = [(None, [])]  # (the separator before it, its words)
    for word in words:
        if word in SEPARATORS:
            segments.append((word, []))
        else:
            segments[-1][1].append(word)
    for index, (separator, body) in enumerate(segments):
        if body and body[0] in EQN_WORDS:
            stdin = tuple(segments[index - 1][1]) if separator == "|" else ()
            return Command(line, words, tuple(body[1:]), stdin)
    return Command(line, words, (), ())


def run_lines() -> list[Command]:
    """The README's runnable ``eqn`` commands (and ``xdg-open`` checks), in README order, without duplicates."""
    seen: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    commands: list[Command] = []
    for line in _bash_lines():
        if _is_synopsis(line):
            continue
        command = _command(line)
        is_open = command.words[:1] == ("xdg-open",)
        key = (command.words if is_open else command.eqn, command.stdin)
        if not (command.eqn or is_open) or command.text in NOT_RUN or key in seen:
            continue  # `eqn demo` appears twice: it runs once
        seen.add(key)
        commands.append(command)
    return commands


def synopses() -> list[str]:
    """Usage lines from the ``bash`` blocks and inline ``eqn ...`` spans from the prose."""
    prose = re.sub(r"^```.*?^```", "", README, flags=re.MULTILINE | re.DOTALL)
    inline = re.findall(r"`((?:\.venv/bin/)?eqn(?: [^`]+)?)`", prose)
    return [_eqn_part(line) for line in _bash_lines() if _is_synopsis(line)] + inline


def _leaf(words: list[str]) -> tuple[Any, list[str], list[str]]:
    """The ``eqn`` (click) command the words name, its path of subcommand names, and the words after it."""
    command: Any = typer.main.get_command(app)
    path: list[str] = []
    for word in words:
        subcommands = getattr(command, "commands", {})  # a group (typer's groups are not click.Group subclasses)
        if word not in subcommands:
            break
        command = subcommands[word]
        path.append(word)
    return command, path, words[len(path) :]


def _options(command: Any) -> set[str]:
    return {name for param in command.params for name in (*param.opts, *param.secondary_opts)}


@dataclass(frozen=True)
class Outcome:
    """How one README command ended."""

    exit_code: int
    output: str


@dataclass(frozen=True)
class Session:
    """The folder the README's commands ran in, and how each ended (by README line)."""

    folder: Path
    results: dict[str, Outcome]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """Run every runnable README command once, in README order, in one temporary folder."""
    folder = tmp_path_factory.mktemp("readme")
    results: dict[str, Outcome] = {}
    runner = CliRunner()
    here = Path.cwd()
    os.chdir(folder)
    try:
        for command in run_lines():
            if not command.eqn:  # xdg-open PATH: checked by its own test
                continue
            stdin = b""
            if command.stdin:
                produced = subprocess.run(
                    ["bash", "-c", shlex.join(command.stdin)], capture_output=True, check=True, timeout=30
                )
                stdin = produced.stdout
            if command.eqn[0] in SUBPROCESS_COMMANDS:
                env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
                done = subprocess.run(
                    [sys.executable, "-m", "eq_negotiator.cli", *command.eqn],
                    input=stdin,
                    capture_output=True,
                    timeout=900,
                    check=False,
                    env=env,
                )
                output = done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace")
                results[command.line] = Outcome(done.returncode, output)
            else:
                result = runner.invoke(app, list(command.eqn), input=stdin, env=ENV)
                output = result.output + (f"\n{result.exception!r}" if result.exception else "")
                results[command.line] = Outcome(result.exit_code, output)
    finally:
        os.chdir(here)
    return Session(folder, results)


def test_the_readme_has_commands_to_run_and_every_not_run_reason_names_one_of_them() -> None:
    texts = [_command(line).text for line in _bash_lines() if not _is_synopsis(line)]
    assert set(NOT_RUN) <= set(texts), set(NOT_RUN) - set(texts)
    assert all(reason for reason in NOT_RUN.values())
    names = {command.eqn[0] for command in run_lines() if command.eqn}
    assert {"demo", "chat", "operator", "rights", "guard", "simulate", "compare"} <= names


@pytest.mark.parametrize("command", [c for c in run_lines() if c.eqn], ids=lambda c: c.text[:80])
def test_a_readme_command_runs_as_written(session: Session, command: Command) -> None:
    outcome = session.results[command.line]
    assert outcome.exit_code == 0, f"{command.line}\n{outcome.output[-3000:]}"


@pytest.mark.parametrize("command", [c for c in run_lines() if not c.eqn], ids=lambda c: c.line)
def test_a_file_the_readme_opens_was_written(session: Session, command: Command) -> None:
    path = session.folder / command.words[1]
    assert path.is_file(), f"{command.line}: no {command.words[1]} after the commands before it"


@pytest.mark.parametrize("synopsis", synopses())
def test_every_command_and_option_the_readme_names_exists(synopsis: str) -> None:
    words = synopsis.split()[1:]  # after eqn
    command, path, rest = _leaf(words)
    assert path, f"{synopsis!r} names no eqn command"
    if hasattr(command, "commands"):
        assert not rest, f"{synopsis!r}: 'eqn {' '.join(path)}' has no subcommand {rest[0]!r}"
    named = {part for word in rest for part in re.findall(r"--[a-z][a-z0-9-]*", word)}
    unknown = sorted(named - _options(command))
    assert not unknown, f"{synopsis!r}: eqn {' '.join(path)} has no option {', '.join(unknown)}"


def test_python_dash_m_runs_the_cli() -> None:
    # The README and the project's instructions run the CLI as `python -m eq_negotiator.cli` from a checkout.
    env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "eq_negotiator.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "demo" in done.stdout and "operator" in done.stdout
