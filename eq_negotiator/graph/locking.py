"""One writer per dialogue: a lock per thread id, held for the whole of every run that advances the thread.

LangGraph does not stop two workers from running the same thread at once: both would read the same checkpoint,
both would answer, and the later write would fork the thread's history or drop a message. Every
:class:`~eq_negotiator.graph.session.Negotiator` run that writes (send, stream, resume, close, an operator's
decision) therefore first takes the thread's lock, and checks that the thread can take the run only once it holds
it. The lock lives where the checkpoints do, so it binds every worker that shares them:

* PostgreSQL (a pooled checkpointer): a session-level advisory lock keyed by a stable 64-bit hash of the thread
  id, held on a connection of the checkpointer's pool for the whole run; it binds processes on any host.
* SQLite: an exclusive ``flock`` on a file per thread in a ``<database>.locks`` folder beside the database; it
  binds the processes of one host (SQLite's own limit). The same folder holds the database's set-up lock
  (:meth:`FileThreadLocks.hold_setup`), under which the checkpointer's and store's migrations run.
* Memory (and checkpointers of other kinds): a lock per thread id within this process.

A lock that is not free within the timeout raises :class:`ThreadBusyError`; nothing is written then.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

DEFAULT_LOCK_TIMEOUT_S: Final[float] = 30.0
"""How long a run waits for another worker's run on the same thread to finish before giving up."""

_POLL_FIRST_S: Final[float] = 0.005
_POLL_MAX_S: Final[float] = 0.1


class ThreadBusyError(RuntimeError):
    """Another worker is advancing the same thread and did not finish within the lock timeout."""


def lock_key(thread_id: str) -> int:
    """A stable signed 64-bit key for ``thread_id`` (PostgreSQL's ``bigint`` advisory-lock key).

    Stable across processes and Python versions (``hash()`` is salted per process); namespaced so that it does not
    collide with advisory locks other software takes on the same database.
    """
    digest = hashlib.blake2b(f"eq-negotiator:thread:{thread_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _busy(thread_id: str, timeout: float) -> ThreadBusyError:
    return ThreadBusyError(
        f"thread {thread_id!r} is being advanced by another worker (its lock was not free within {timeout:g} s); "
        "nothing was written: try again once that turn has finished"
    )


def _poll(try_once: Callable[[], bool], timeout: float) -> bool:
    """Call ``try_once`` until it succeeds or ``timeout`` seconds have passed (at least once); whether it did."""
    deadline = time.monotonic() + timeout
    delay = _POLL_FIRST_S
    while not try_once():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(delay, remaining))
        delay = min(2 * delay, _POLL_MAX_S)  # quick for short turns, few queries for long ones
    return True


class ThreadLocks:
    """Per-thread locks within this process (the memory checkpointer's, and the fallback for unknown kinds)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    @contextlib.contextmanager
    def hold(self, thread_id: str, timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> Iterator[None]:
        """Hold ``thread_id``'s lock for the ``with`` block.

        Args:
            thread_id: The thread to lock.
            timeout: Seconds to wait for another holder; 0 tries once.

        Raises:
            ThreadBusyError: If the lock was not free within ``timeout``.
        """
        with self._guard:
            lock = self._locks.setdefault(thread_id, threading.Lock())
        acquired = lock.acquire(timeout=timeout) if timeout > 0 else lock.acquire(blocking=False)
        if not acquired:
            raise _busy(thread_id, timeout)
        try:
            yield
        finally:
            lock.release()

    @staticmethod
    def for_checkpointer(checkpointer: Any) -> ThreadLocks:
        """The locks that bind every worker sharing ``checkpointer``'s storage (see the module docstring).

        Two Negotiators over the same checkpointer instance get the same locks.
        """
        with _SHARED_GUARD:
            try:
                locks = _SHARED.get(checkpointer)
            except TypeError:  # not weakly referable: its locks cannot be shared, only made
                return _locks_for(checkpointer)
            if locks is None:
                locks = _SHARED[checkpointer] = _locks_for(checkpointer)
            return locks


_SHARED: weakref.WeakKeyDictionary[Any, ThreadLocks] = weakref.WeakKeyDictionary()
_SHARED_GUARD = threading.Lock()


def _locks_for(checkpointer: Any) -> ThreadLocks:
    module = type(checkpointer).__module__
    if module.startswith("langgraph.checkpoint.postgres"):
        from psycopg_pool import ConnectionPool

        # A saver on a single connection (an embedder's own) has no connection to spare for a lock.
        if isinstance(checkpointer.conn, ConnectionPool):
            return PostgresThreadLocks(checkpointer.conn)
    elif module.startswith("langgraph.checkpoint.sqlite"):
        database = _sqlite_file(checkpointer)
        if database:
            return FileThreadLocks.beside(database)
    return ThreadLocks()


def _sqlite_file(saver: Any) -> str:
    """The file of a SQLite saver's main database (empty for an in-memory database)."""
    lock = getattr(saver, "lock", None) or contextlib.nullcontext()
    with lock:
        rows = saver.conn.execute("PRAGMA database_list").fetchall()
    return next((str(file) for _, name, file in rows if name == "main"), "")


@contextlib.contextmanager
def _file_lock(path: Path, timeout: float, busy: Callable[[], Exception]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` (created if missing) for the ``with`` block.

    Raises:
        Exception: ``busy()`` if the lock was not free within ``timeout`` seconds.
    """
    import fcntl
    import os

    path.parent.mkdir(exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:

        def try_once() -> bool:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

        if not _poll(try_once, timeout):
            raise busy()
        yield  # closing the file below releases the lock
    finally:
        os.close(descriptor)


SETUP_LOCK_FILE: Final[str] = "setup.lock"
"""The set-up lock's file in a ``<database>.locks`` folder (thread lock files are named by 16 hex digits)."""


class FileThreadLocks(ThreadLocks):
    """Per-thread ``flock`` locks on files in ``folder``: they bind the threads and processes of one host.

    ``flock`` belongs to an open file, not to the process, so two threads of one process exclude each other too
    (each opens the file itself). The files are empty and stay after use (one per thread that ever ran).
    """

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    @classmethod
    def beside(cls, database: str | Path) -> FileThreadLocks:
        """The locks of the SQLite database file ``database``: files in a ``<database>.locks`` folder beside it."""
        return cls(Path(f"{database}.locks"))

    @contextlib.contextmanager
    def hold(self, thread_id: str, timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> Iterator[None]:
        """As :meth:`ThreadLocks.hold`, across processes."""
        path = self.folder / f"{lock_key(thread_id) & 0xFFFF_FFFF_FFFF_FFFF:016x}.lock"
        with _file_lock(path, timeout, lambda: _busy(thread_id, timeout)):
            yield

    @contextlib.contextmanager
    def hold_setup(self, timeout: float) -> Iterator[None]:
        """Hold the database's set-up lock for the ``with`` block.

        LangGraph's SQLite migrations are not safe to run twice at once (they read the applied version, then apply
        the later ones), so processes opening a new database together would fail on each other's tables and
        columns. Under this lock the later processes find the migrations applied and do nothing.

        Raises:
            TimeoutError: If another process held it for more than ``timeout`` seconds.
        """

        def busy() -> TimeoutError:
            return TimeoutError(f"another process has been setting up the database for over {timeout:g} s")

        with _file_lock(self.folder / SETUP_LOCK_FILE, timeout, busy):
            yield


class PostgresThreadLocks(ThreadLocks):
    """Per-thread PostgreSQL advisory locks, each held on a connection of ``pool`` for the whole run.

    Session-level locks: the server releases them when the connection ends, so a worker that dies mid-turn does
    not leave its thread locked. A lock is held on a connection taken from the pool for that purpose, so a pool
    serves one connection per concurrent run on top of the checkpointer's own.
    """

    def __init__(self, pool: Any) -> None:
        super().__init__()
        self.pool = pool

    @contextlib.contextmanager
    def hold(self, thread_id: str, timeout: float = DEFAULT_LOCK_TIMEOUT_S) -> Iterator[None]:
        """As :meth:`ThreadLocks.hold`, across processes and hosts.

        Raises:
            ThreadBusyError: If the lock was not free within ``timeout``.
            psycopg.Error: If the database cannot be reached.
        """
        import psycopg
        from psycopg.rows import tuple_row

        key = lock_key(thread_id)
        with self.pool.connection() as connection:

            def run(query: str) -> bool:
                # A cursor of its own: the pool's row factory may be anything.
                with connection.cursor(row_factory=tuple_row) as cursor:
                    row = cursor.execute(query, (key,)).fetchone()
                return bool(row and row[0])

            try:
                acquired = _poll(lambda: run("SELECT pg_try_advisory_lock(%s)"), timeout)
            except BaseException:
                connection.close()  # whatever the server did, ending the session releases it
                raise
            if not acquired:
                raise _busy(thread_id, timeout)
            try:
                yield
            finally:
                try:
                    run("SELECT pg_advisory_unlock(%s)")
                except psycopg.Error:
                    connection.close()  # a broken connection: the server releases its locks as it ends
