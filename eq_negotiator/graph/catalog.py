"""Which threads a checkpointer holds: the collection desk's queue, one page at a time.

LangGraph's savers list checkpoints, not threads, and loading every thread's latest checkpoint to find the few that
wait for a person costs a deserialisation per thread. :func:`list_threads` asks the database instead: per thread its
latest checkpoint (ids are time-ordered uuid6, so the greatest is the newest, as the savers' own ``get_tuple``
takes it), and whether that checkpoint carries a pending ``__interrupt__`` write, which is how LangGraph records a
run paused by ``interrupt()`` (in this graph, only ``escalate`` waits so; a turn paused before its first node by
``"turn"`` durability writes none). Waiting threads come first, then the most recently written. It reads only the
tables' key columns, never a checkpoint's contents, so it works on encrypted checkpoints too.

Read-only: nothing here writes to the database.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from langgraph.checkpoint.memory import InMemorySaver

from eq_negotiator.graph.history import saver_kind

INTERRUPT_CHANNEL: Final[str] = "__interrupt__"
"""The channel of the pending write LangGraph saves when a node calls ``interrupt()``."""


@dataclass(frozen=True)
class ThreadRef:
    """One thread of a page: its id, its latest checkpoint's id, and whether it waits for a person."""

    thread_id: str
    checkpoint_id: str
    waiting: bool


@dataclass(frozen=True)
class ThreadPage:
    """A page of threads, waiting ones first, then the most recently written.

    Attributes:
        threads: This page's threads.
        total: Threads in the database.
        waiting: Threads in the database waiting for a person.
        offset: Threads before this page.
    """

    threads: tuple[ThreadRef, ...]
    total: int
    waiting: int
    offset: int


# Both databases: the latest checkpoint of each thread (root namespace), marked 1 when a pending interrupt write
# hangs on it. {writes} is the writes table's name, {p} the driver's placeholder.
_MARKED = """
    SELECT l.thread_id, l.checkpoint_id,
        CASE WHEN EXISTS (
            SELECT 1 FROM {writes} w
            WHERE w.thread_id = l.thread_id AND w.checkpoint_ns = '' AND w.checkpoint_id = l.checkpoint_id
                AND w.channel = {p}
        ) THEN 1 ELSE 0 END AS waiting
    FROM (
        SELECT thread_id, max(checkpoint_id) AS checkpoint_id FROM checkpoints WHERE checkpoint_ns = ''
        GROUP BY thread_id
    ) l
"""
_PAGE = "SELECT thread_id, checkpoint_id, waiting FROM ({marked}) m ORDER BY waiting DESC, checkpoint_id DESC "
_PAGE += "LIMIT {p} OFFSET {p}"
_COUNT = "SELECT count(*), coalesce(sum(waiting), 0) FROM ({marked}) m"


def list_threads(checkpointer: object, *, limit: int = 50, offset: int = 0) -> ThreadPage:
    """A page of the threads ``checkpointer`` holds, waiting ones first, then the most recently written.

    Args:
        checkpointer: A memory, SQLite or PostgreSQL saver (as :func:`~eq_negotiator.graph.open_checkpointer`
            opens them).
        limit: Threads per page (at least 1).
        offset: Threads to skip (at least 0).

    Raises:
        ValueError: For a bad ``limit`` or ``offset``, or a checkpointer of another kind.
    """
    if limit < 1 or offset < 0:
        raise ValueError(f"limit must be at least 1 and offset at least 0, got {limit} and {offset}")
    if isinstance(checkpointer, InMemorySaver):
        rows = _memory_rows(checkpointer)
        page = rows[offset : offset + limit]
        return ThreadPage(tuple(page), len(rows), sum(row.waiting for row in rows), offset)
    kind = saver_kind(checkpointer)
    if kind is None:
        raise ValueError(f"threads can be listed from memory, SQLite or PostgreSQL, not {type(checkpointer).__name__}")
    writes, placeholder = ("writes", "?") if kind == "sqlite" else ("checkpoint_writes", "%s")
    marked = _MARKED.format(writes=writes, p=placeholder)
    with _cursor(checkpointer, kind) as cursor:
        cursor.execute(_COUNT.format(marked=marked), (INTERRUPT_CHANNEL,))
        total, waiting = cursor.fetchone()
        cursor.execute(_PAGE.format(marked=marked, p=placeholder), (INTERRUPT_CHANNEL, limit, offset))
        found = cursor.fetchall()
    threads = tuple(ThreadRef(str(thread), str(checkpoint), bool(flag)) for thread, checkpoint, flag in found)
    return ThreadPage(threads, int(total), int(waiting), offset)


@contextlib.contextmanager
def _cursor(checkpointer: Any, kind: str) -> Iterator[Any]:
    """A cursor on the saver's database, yielding plain tuples."""
    if kind == "sqlite":
        with checkpointer.lock:  # the saver's connection is shared by the graph's threads
            cursor = checkpointer.conn.cursor()
            try:
                yield cursor
            finally:
                cursor.close()
                if checkpointer.conn.in_transaction:  # a read opens none in autocommit; end any the driver began
                    checkpointer.conn.commit()
        return
    from psycopg.rows import tuple_row

    conn = checkpointer.conn  # a pool (as open_checkpointer makes it) or an embedder's single connection
    source = conn.connection() if hasattr(conn, "connection") else contextlib.nullcontext(conn)
    with source as connection, connection.cursor(row_factory=tuple_row) as cursor:
        yield cursor


def _memory_rows(saver: InMemorySaver) -> list[ThreadRef]:
    rows = []
    for thread_id, namespaces in saver.storage.items():
        checkpoints = namespaces.get("", {})
        if not checkpoints:
            continue
        latest = max(checkpoints)
        writes = saver.writes.get((thread_id, "", latest), {})
        waiting = any(write[1] == INTERRUPT_CHANNEL for write in writes.values())
        rows.append(ThreadRef(thread_id, latest, waiting))
    rows.sort(key=lambda row: (row.waiting, row.checkpoint_id), reverse=True)
    return rows
