"""Concurrent writers on one dialogue, for the single-writer tests (threads, and processes through ``main``).

Run as ``python -m tests.writers DB THREAD TURNS TAG BARRIER_DIR``: the worker opens a Negotiator on ``DB``, writes
``BARRIER_DIR/ready-TAG``, waits for ``BARRIER_DIR/go`` (so that two workers start together), sends ``TURNS``
messages on ``THREAD`` and prints the turn numbers it got as JSON.

Run as ``python -m tests.writers chat TAG BARRIER_DIR``: the worker runs ``eqn chat`` (its command, in this
process) once per round, on cue: for round ``R`` it writes ``BARRIER_DIR/ready-R-TAG``, waits for
``BARRIER_DIR/go-R`` (JSON: ``db``, ``thread``, ``turns``), pipes ``turns`` messages of writer ``TAG`` into the
command and writes what it printed to ``BARRIER_DIR/done-R-TAG.json`` (see :func:`chat_once`). Between rounds it
holds nothing open, so the test may kill it; it also ends when the test process does.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.messages import AIMessage, HumanMessage

from eq_negotiator.graph import Context, Negotiator, open_negotiator
from tests.unit.graph.fakes import ScriptedSensor

SENSE_DELAY_S = 0.03
"""How long each reading takes: it widens the window in which two unserialised turns would interleave."""

CONTEXT = Context(max_rounds=100)
"""No negotiation ends within a test's turns."""

LETTERS = "abcdefghijklmnopqrstuvwxyz"


class SlowSensor(ScriptedSensor):
    """The keyword-free scripted sensor (always neutral), ``delay`` seconds per reading."""

    def __init__(self, delay: float = SENSE_DELAY_S) -> None:
        super().__init__(keywords={})
        self.delay = delay

    def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        time.sleep(self.delay)
        return super()._probabilities(texts)


def message(tag: str, index: int) -> str:
    """The ``index``-th message of writer ``tag`` (no digits: a number would read as an offer)."""
    return f"Hello from writer {tag}, note {LETTERS[index]}."


def write_turns(negotiator: Negotiator, thread_id: str, turns: int, tag: str) -> list[int]:
    """Send ``turns`` messages of writer ``tag``; the turn numbers the replies carried."""
    return [negotiator.send(thread_id, message(tag, index)).turn for index in range(turns)]


def assert_serialised(state: dict[str, Any], turns_by_tag: dict[str, int]) -> None:
    """The thread's state shows strictly serialised turns: every message once, in order, client and agent alternating.

    Args:
        state: The thread's state values.
        turns_by_tag: How many messages each writer sent.
    """
    messages = state["messages"]
    total = sum(turns_by_tag.values())
    assert state["turn"] == total
    assert len(messages) == 2 * total
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * total  # no turn lost its reply or doubled
    said = [m.text for m in messages[::2]]
    for tag, turns in turns_by_tag.items():
        mine = [text for text in said if text.startswith(f"Hello from writer {tag},")]
        assert mine == [message(tag, index) for index in range(turns)]  # each once, in the writer's order
    assert all(reply.text for reply in messages[1::2])


def wait_to_go(barrier: Path, ready: str, go: str, timeout: float = 60.0) -> None:
    """Say ``ready`` (a file in ``barrier``), then wait for the test's ``go`` file.

    Raises:
        TimeoutError: If it does not come within ``timeout`` seconds, or the test process is gone.
    """
    parent = os.getppid()
    (barrier / ready).touch()
    deadline = time.monotonic() + timeout
    while not (barrier / go).exists():
        if time.monotonic() > deadline or os.getppid() != parent:
            raise TimeoutError("the test never said go")
        time.sleep(0.005)


def chat_once(db: str, thread_id: str, lines: list[str]) -> dict[str, Any]:
    """Run ``eqn chat --json --db DB --thread THREAD_ID`` in this process with ``lines`` piped in.

    The command runs as a user runs it, except that the Negotiator it opens gets the light sensor of these tests
    (the embedded one takes seconds to load) and is shut down when the command ends.

    Returns:
        The ``exit`` code, the ``turns`` printed and the end of ``stderr`` (with any unexpected exception).
    """
    from typer.testing import CliRunner

    from eq_negotiator.cli import app
    from eq_negotiator.graph import session

    opened: list[Negotiator] = []
    real_open = session.open_negotiator

    def open_light(*args: Any, **kwargs: Any) -> Negotiator:
        negotiator = real_open(*args, **{**kwargs, "sensor": SlowSensor()})
        opened.append(negotiator)
        return negotiator

    session.open_negotiator = open_light  # the command imports it from there when it runs
    try:
        stdin = "".join(f"{line}\n" for line in lines)
        result = CliRunner().invoke(app, ["chat", "--json", "--db", db, "--thread", thread_id], input=stdin)
    finally:
        session.open_negotiator = real_open
        for negotiator in opened:
            shut_down(negotiator)
    error = "" if result.exception is None or isinstance(result.exception, SystemExit) else repr(result.exception)
    return {
        "exit": result.exit_code,
        "turns": [json.loads(line)["turn"] for line in result.stdout.splitlines()],
        "stderr": (result.stderr + error)[-2000:],
    }


def chat_worker(tag: str, barrier: Path) -> None:
    """Run :func:`chat_once` with writer ``tag``'s messages, once per round, until the test ends (see the module)."""
    for number in itertools.count():
        wait_to_go(barrier, f"ready-{number}-{tag}", f"go-{number}", timeout=600)
        order = json.loads((barrier / f"go-{number}").read_text())
        result = chat_once(order["db"], order["thread"], [message(tag, index) for index in range(order["turns"])])
        written = barrier / f"done-{number}-{tag}.part"
        written.write_text(json.dumps(result))
        written.rename(barrier / f"done-{number}-{tag}.json")  # whole, or not there


def shut_down(negotiator: Negotiator) -> None:
    """Close what ``negotiator`` holds open: SQLite connections or PostgreSQL pools (a worker stopping)."""
    for part in (negotiator.graph.checkpointer, negotiator.graph.store):
        connection = getattr(part, "conn", None)
        if connection is not None and not getattr(connection, "closed", False):
            connection.close()


def main(argv: list[str]) -> int:
    if argv[0] == "chat":
        chat_worker(argv[1], Path(argv[2]))
        return 0
    db, thread_id, turns, tag, barrier = argv[0], argv[1], int(argv[2]), argv[3], Path(argv[4])
    negotiator = open_negotiator(db, context=CONTEXT, sensor=SlowSensor())
    wait_to_go(barrier, f"ready-{tag}", "go")
    print(json.dumps(write_turns(negotiator, thread_id, turns, tag)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
