"""One writer per dialogue on memory and SQLite: concurrent turns on a thread are serialised, never interleaved."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from langgraph.checkpoint.base import BaseCheckpointSaver

from eq_negotiator.graph import Negotiator, open_checkpointer, open_negotiator
from eq_negotiator.graph.locking import (
    FileThreadLocks,
    PostgresThreadLocks,
    ThreadBusyError,
    ThreadLocks,
    lock_key,
)
from tests.conftest import REPO_ROOT
from tests.unit.graph.fakes import ScriptedSensor, close_connections, keyword_sensor
from tests.writers import CONTEXT, SlowSensor, assert_serialised, message, write_turns

TURNS = 4
"""Messages per writer in the race tests."""


@pytest.fixture(params=["memory", "sqlite"])
def writers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Negotiator, Negotiator]]:
    """Two Negotiators (two workers) on one database, each with its own graph and services."""
    if request.param == "memory":
        saver = open_checkpointer("memory")  # two workers of one process sharing the in-memory checkpoints
        pair = tuple(open_negotiator(saver, context=CONTEXT, sensor=SlowSensor()) for _ in range(2))
    else:
        db = f"sqlite:///{tmp_path}/shared.db"  # two connections, as two processes would have
        pair = tuple(open_negotiator(db, context=CONTEXT, sensor=SlowSensor()) for _ in range(2))
    yield pair  # type: ignore[misc]
    for negotiator in pair:
        close_connections(negotiator.graph)


def test_the_backend_picks_its_lock_kind(tmp_path: Path) -> None:
    saver = open_checkpointer("memory")
    assert type(ThreadLocks.for_checkpointer(saver)) is ThreadLocks
    assert ThreadLocks.for_checkpointer(saver) is ThreadLocks.for_checkpointer(saver)  # shared by its workers
    sqlite = open_checkpointer(f"sqlite:///{tmp_path}/k.db")
    locks = ThreadLocks.for_checkpointer(sqlite)
    assert isinstance(locks, FileThreadLocks)
    assert locks.folder == tmp_path / "k.db.locks"
    sqlite.conn.close()  # type: ignore[attr-defined]
    postgres = open_checkpointer("postgresql://u:p@127.0.0.1:1/db")  # never connects: the pool is not open
    assert isinstance(ThreadLocks.for_checkpointer(postgres), PostgresThreadLocks)
    assert type(ThreadLocks.for_checkpointer(open_checkpointer("sqlite:///:memory:"))) is ThreadLocks


def test_lock_keys_are_stable_signed_64_bit_and_distinct() -> None:
    keys = {lock_key(f"thread-{index}") for index in range(1000)}
    assert len(keys) == 1000
    assert all(-(2**63) <= key < 2**63 for key in keys)
    # Fixed across processes and versions (a salted hash() would not be): workers on other hosts must agree.
    assert lock_key("client-1") == int.from_bytes(
        hashlib.blake2b(b"eq-negotiator:thread:client-1", digest_size=8).digest(), "big", signed=True
    )


def test_two_writers_on_one_thread_are_serialised(writers: tuple[Negotiator, Negotiator]) -> None:
    first, second = writers
    start = threading.Barrier(2)

    def run(negotiator: Negotiator, tag: str) -> list[int]:
        start.wait()
        return write_turns(negotiator, "shared", TURNS, tag)

    with ThreadPoolExecutor(2) as pool:
        turns_a, turns_b = pool.submit(run, first, "a"), pool.submit(run, second, "b")
        got = turns_a.result() + turns_b.result()

    assert sorted(got) == list(range(1, 2 * TURNS + 1))  # every turn number handed out once
    assert_serialised(first.state("shared"), {"a": TURNS, "b": TURNS})
    assert first.state("shared") == second.state("shared")


def test_without_the_lock_the_same_race_breaks_the_thread() -> None:
    """The race test can fail: with a lock that never excludes, the same writers corrupt or refuse turns."""

    class NoLocks(ThreadLocks):
        def hold(self, thread_id: str, timeout: float = 0) -> Iterator[None]:  # type: ignore[override]
            from contextlib import nullcontext

            return nullcontext()  # type: ignore[return-value]

    saver = open_checkpointer("memory")
    pair = [open_negotiator(saver, context=CONTEXT, sensor=SlowSensor()) for _ in range(2)]
    for negotiator in pair:
        negotiator.locks = NoLocks()
    start = threading.Barrier(2)

    def run(negotiator: Negotiator, tag: str) -> None:
        start.wait()
        write_turns(negotiator, "shared", TURNS, tag)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(run, negotiator, tag) for negotiator, tag in zip(pair, "ab", strict=True)]
        errors = [future.exception() for future in futures]
    broken = any(errors)
    if not broken:
        try:
            assert_serialised(pair[0].state("shared"), {"a": TURNS, "b": TURNS})
        except AssertionError:
            broken = True
    assert broken


def test_a_second_writer_gets_thread_busy_while_a_turn_runs(writers: tuple[Negotiator, Negotiator]) -> None:
    first, second = writers
    entered, release = threading.Event(), threading.Event()

    class GateSensor(SlowSensor):
        def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
            entered.set()
            release.wait(10)
            return ScriptedSensor._probabilities(self, texts)

    # The first worker's database and locks, with a sensor that holds its turn open until released.
    assert isinstance(first.graph.checkpointer, BaseCheckpointSaver)
    gated = open_negotiator(first.graph.checkpointer, context=CONTEXT, sensor=GateSensor())
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(gated.send, "busy", message("a", 0))
        assert entered.wait(10)
        second.lock_timeout = 0
        with pytest.raises(ThreadBusyError, match=r"thread 'busy' is being advanced by another worker"):
            second.send("busy", message("b", 0))
        second.lock_timeout = 0.05
        began = time.monotonic()
        with pytest.raises(ThreadBusyError, match=r"within 0\.05 s"):
            second.close("busy")
        assert time.monotonic() - began >= 0.05
        assert second.send("other", message("b", 0)).turn == 1  # another thread is not blocked
        release.set()
        assert running.result(10).turn == 1

    assert second.send("busy", message("b", 0)).turn == 2  # free again once the turn ended
    assert_serialised(second.state("busy"), {"a": 1, "b": 1})


def test_a_held_lock_blocks_every_writing_method_and_writes_nothing(writers: tuple[Negotiator, Negotiator]) -> None:
    first, second = writers
    second.lock_timeout = 0
    first.send("held", message("a", 0))
    before = second.state("held")
    with first.locks.hold("held"):
        for attempt in (
            lambda: second.send("held", message("b", 0)),
            lambda: second.resume("held"),
            lambda: second.close("held"),
            lambda: list(second.stream("held", message("b", 0))),
            lambda: second.resume_escalation("held", action="close", operator="op"),
        ):
            with pytest.raises(ThreadBusyError):
                attempt()
        assert second.send("free", message("b", 0)).turn == 1  # different threads never block each other
    assert second.state("held") == before


def test_stream_holds_the_lock_until_the_turn_ends() -> None:
    saver = open_checkpointer("memory")
    first, second = (open_negotiator(saver, context=CONTEXT, sensor=keyword_sensor()) for _ in range(2))
    second.lock_timeout = 0
    replies = first.stream("s", message("a", 0))
    assert next(replies)  # the turn is under way (suspended after its reply): the lock is held
    with pytest.raises(ThreadBusyError):
        second.send("s", message("b", 0))
    assert list(replies) == []
    assert second.send("s", message("b", 0)).turn == 2


def test_an_abandoned_stream_releases_the_lock() -> None:
    negotiator = open_negotiator("memory", context=CONTEXT, sensor=keyword_sensor(), lock_timeout=0)
    replies = negotiator.stream("s", message("a", 0))
    next(replies)
    assert isinstance(replies, Generator)
    replies.close()  # the caller stops reading
    with negotiator.locks.hold("s", timeout=0):
        pass


def test_a_bad_thread_id_or_timeout_is_refused() -> None:
    from eq_negotiator.graph import ThreadIdError

    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    with pytest.raises(ThreadIdError):
        negotiator.send("../x", "Hello.")
    with pytest.raises(ValueError, match="lock_timeout must be a non-negative"):
        Negotiator(negotiator.graph, lock_timeout=-1)


def test_file_locks_exclude_threads_of_one_process(tmp_path: Path) -> None:
    locks_a, locks_b = FileThreadLocks(tmp_path / "l"), FileThreadLocks(tmp_path / "l")
    with locks_a.hold("t", timeout=0):
        with pytest.raises(ThreadBusyError), locks_b.hold("t", timeout=0):
            pass
        with locks_b.hold("u", timeout=0):
            pass
    with locks_b.hold("t", timeout=0):
        pass


HOLDER = """
import sys, time
from pathlib import Path
from eq_negotiator.graph.locking import FileThreadLocks
with FileThreadLocks(Path(sys.argv[1])).hold("t", timeout=0):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_file_locks_exclude_another_process_and_die_with_it(tmp_path: Path) -> None:
    folder = tmp_path / "db.locks"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        cwd=REPO_ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(ThreadBusyError), FileThreadLocks(folder).hold("t", timeout=0.02):
            pass
    finally:
        holder.kill()  # a worker that dies holding the lock...
        holder.wait()
    with FileThreadLocks(folder).hold("t", timeout=0):  # ...does not leave the thread locked
        pass


@pytest.mark.integration
def test_two_processes_on_one_sqlite_thread_are_serialised(tmp_path: Path) -> None:
    run_processes_on_one_thread(f"sqlite:///{tmp_path}/procs.db", tmp_path)
    reader = open_negotiator(f"sqlite:///{tmp_path}/procs.db", sensor=keyword_sensor())
    assert_serialised(reader.state("procs"), {"a": TURNS, "b": TURNS})
    close_connections(reader.graph)


def run_processes_on_one_thread(db: str, barrier: Path) -> list[int]:
    """Two worker processes send :data:`TURNS` messages each on thread ``procs`` at once; their turn numbers."""
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.writers", db, "procs", str(TURNS), tag, str(barrier)],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for tag in "ab"
    ]
    try:
        deadline = time.monotonic() + 120  # generous: the workers import the whole stack on a possibly busy host
        while not all((barrier / f"ready-{tag}").exists() for tag in "ab"):
            if any(worker.poll() is not None for worker in workers) or time.monotonic() > deadline:
                for worker in workers:
                    worker.kill()
                pytest.fail(f"the workers did not start: {[worker.communicate()[1][-2000:] for worker in workers]}")
            time.sleep(0.01)
        (barrier / "go").touch()
        outputs = [worker.communicate(timeout=120) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, stderr
    turns = [turn for stdout, _ in outputs for turn in json.loads(stdout)]
    assert sorted(turns) == list(range(1, 2 * TURNS + 1))
    return turns
