"""Never drop a message: ``eqn chat`` sessions and API callers writing one thread at once, on SQLite and PostgreSQL.

A second writer on a busy thread waits for the thread's lock and then sends its own messages; another writer's turn
in flight is never taken for an unfinished turn (to resume, or to refuse a message over). The process tests also
open a new SQLite file from two processes at once, every round (the set-up lock). The chat processes run the CLI's
own command with the light sensor of these tests (see :func:`tests.writers.chat_rounds`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from eq_negotiator.graph import Negotiator, open_negotiator
from eq_negotiator.graph.locking import ThreadLocks
from tests.conftest import REPO_ROOT
from tests.unit.graph.fakes import ScriptedSensor, keyword_sensor
from tests.writers import CONTEXT, SlowSensor, assert_serialised, chat_once, message, shut_down

pytestmark = pytest.mark.integration

TURNS = 3
"""Messages each writer sends per round."""

ROUNDS = 10
"""Process pairs started together, each on a new SQLite file (or a new PostgreSQL thread)."""

WAIT_S = 30.0
"""How long the tests wait for a step that takes well under a second: a hang fails, it does not block CI."""


@pytest.fixture(params=["sqlite", "postgres"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database spec: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "postgres":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{tmp_path}/shared.db"


class GateSensor(SlowSensor):
    """Holds each turn open inside its reading: sets ``entered``, then waits for ``release``."""

    def __init__(self) -> None:
        super().__init__()
        self.entered, self.release = threading.Event(), threading.Event()

    def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        self.entered.set()
        self.release.wait(WAIT_S)
        return ScriptedSensor._probabilities(self, texts)


@pytest.fixture()
def turn_in_flight(db: str) -> Iterator[tuple[Negotiator, GateSensor, Any]]:
    """Writer a's first turn under way on thread ``t1``: its message saved, its reply held back by the sensor.

    Yields the writer, its sensor (set ``release`` to let the turn end) and the future of its ``send``.
    """
    sensor = GateSensor()
    writer = open_negotiator(db, context=CONTEXT, sensor=sensor)
    pool = ThreadPoolExecutor(1)
    running = pool.submit(writer.send, "t1", message("a", 0))
    try:
        assert sensor.entered.wait(WAIT_S)
        assert writer.pending("t1")  # what another writer reads now, without the lock: an "unanswered" message
        yield writer, sensor, running
    finally:
        sensor.release.set()
        pool.shutdown()
        shut_down(writer)


def test_a_chat_started_during_another_writers_turn_waits_and_sends_its_own_lines(
    turn_in_flight: tuple[Negotiator, GateSensor, Any], db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported loss: the chat saw the turn in flight as pending, resumed it, and exited 1 unread."""
    writer, sensor, running = turn_in_flight
    read = Negotiator.pending

    def read_then_let_the_turn_end(self: Negotiator, thread_id: str) -> bool:
        seen = read(self, thread_id)
        sensor.release.set()  # the other writer's turn ends only after the chat has looked at the thread
        return seen

    monkeypatch.setattr(Negotiator, "pending", read_then_let_the_turn_end)
    result = chat_once(db, "t1", [message("b", index) for index in range(TURNS)])

    assert result["exit"] == 0, result["stderr"]
    assert result["turns"] == [2, 3, 4]  # after writer a's turn, every line of its own
    assert running.result(WAIT_S).turn == 1
    assert_serialised(writer.state("t1"), {"a": 1, "b": TURNS})


def test_stream_waits_for_another_writers_turn_instead_of_refusing_the_message(
    turn_in_flight: tuple[Negotiator, GateSensor, Any], db: str
) -> None:
    writer, sensor, running = turn_in_flight
    other = open_negotiator(db, context=CONTEXT, sensor=SlowSensor())
    locks = other.locks

    class Announcing(ThreadLocks):
        """``other``'s own locks, letting writer a's turn end once ``other`` asks for the thread's lock."""

        def hold(self, thread_id: str, timeout: float = 0) -> Any:
            sensor.release.set()
            return locks.hold(thread_id, timeout)

    other.locks = Announcing()
    try:
        with ThreadPoolExecutor(1) as pool:
            replies = pool.submit(lambda: list(other.stream("t1", message("b", 0)))).result(WAIT_S)
        assert replies and running.result(WAIT_S).turn == 1
        assert other.last_turn("t1").turn == 2
        assert_serialised(writer.state("t1"), {"a": 1, "b": 1})
    finally:
        shut_down(other)


class ChatPair:
    """Two worker processes that run a chat session each, started together, once per :meth:`round`.

    Started once for the module: the workers import the whole stack once, then run rounds on cue (see
    :func:`tests.writers.chat_worker`).
    """

    def __init__(self, barrier: Path) -> None:
        self.barrier = barrier
        self.rounds = 0
        self.workers: dict[str, subprocess.Popen[bytes]] = {}
        for tag in "ab":
            with (barrier / f"worker-{tag}.log").open("w") as log:  # a file, not a pipe nobody reads until the end
                self.workers[tag] = subprocess.Popen(
                    [sys.executable, "-m", "tests.writers", "chat", tag, str(barrier)],
                    cwd=REPO_ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )

    def _wait_for(self, name: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not all((self.barrier / name.format(tag=tag)).exists() for tag in self.workers):
            if any(worker.poll() is not None for worker in self.workers.values()) or time.monotonic() > deadline:
                self.stop()
                errors = {tag: (self.barrier / f"worker-{tag}.log").read_text()[-2000:] for tag in self.workers}
                pytest.fail(f"the chat workers stopped in round {self.rounds}: {errors}")
            time.sleep(0.005)

    def _go(self, order: dict[str, Any]) -> None:
        written = self.barrier / f"go-{self.rounds}.part"
        written.write_text(json.dumps(order))
        written.rename(self.barrier / f"go-{self.rounds}")  # both workers read it whole

    def round(self, db: str, thread: str) -> dict[str, dict[str, Any]]:
        """Both workers send :data:`TURNS` messages on ``thread`` of ``db`` at once; what each chat printed."""
        number = self.rounds
        self._wait_for(f"ready-{number}-{{tag}}", timeout=120)  # generous: the first waits for the imports
        self._go({"db": db, "thread": thread, "turns": TURNS})
        self._wait_for(f"done-{number}-{{tag}}.json", timeout=120)
        self.rounds += 1
        return {tag: json.loads((self.barrier / f"done-{number}-{tag}.json").read_text()) for tag in self.workers}

    def stop(self) -> None:
        """End the workers. Between rounds they hold nothing open, and a kill spares the seconds that Python takes
        to tear down the libraries they loaded."""
        for worker in self.workers.values():
            worker.kill()
            worker.wait()


@pytest.fixture(scope="module")
def chat_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatPair]:
    pair = ChatPair(tmp_path_factory.mktemp("barrier"))
    try:
        yield pair
    finally:
        pair.stop()


def test_two_chat_processes_started_together_keep_every_message(db: str, chat_pair: ChatPair, tmp_path: Path) -> None:
    """Rounds of two ``eqn chat`` processes started at once on one thread (on SQLite, a new file each round)."""
    for number in range(ROUNDS):
        spec = f"sqlite:///{tmp_path}/round-{number}.db" if db.startswith("sqlite") else db
        thread = f"t{number}"
        results = chat_pair.round(spec, thread)
        for tag, result in results.items():
            assert result["exit"] == 0, f"round {number}, writer {tag}: {result['stderr']}"
        assert sorted(results["a"]["turns"] + results["b"]["turns"]) == list(range(1, 2 * TURNS + 1))
        reader = open_negotiator(spec, sensor=keyword_sensor())
        assert_serialised(reader.state(thread), {"a": TURNS, "b": TURNS})
        shut_down(reader)
