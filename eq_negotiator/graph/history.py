"""How much of a thread's checkpoint history is kept: every checkpoint (``full``) or only the latest (``latest``).

LangGraph saves a checkpoint after every step, and the state's append-only lists (messages, readings, decisions,
offers, ...) are serialised whole each time they change, so a thread's stored bytes grow with the square of its
turns under ``full``. ``latest`` deletes a thread's older checkpoints, and their pending writes, after each run that
advanced it, so the thread keeps one checkpoint and grows linearly with its dialogue. Measured with
``benchmarks/growth.py`` (one 30-turn dialogue, offline responder):

==========  ======================  ======================
backend     full: 10 / 20 / 30      latest: 10 / 20 / 30
==========  ======================  ======================
SQLite      1.2 / 4.1 / 8.5 MB      22 / 40 / 57 kB
PostgreSQL  0.29 / 0.82 / 1.6 MB    21 / 38 / 55 kB
==========  ======================  ======================

(PostgreSQL stores each channel's value once per version, so only the lists a step changes are written again;
SQLite stores every channel at every step.)

What ``latest`` gives up is time travel: ``get_state_history`` then shows only the latest checkpoint, and a thread
can no longer be replayed or forked from an earlier step. What it keeps: the latest checkpoint with its pending
writes, which is all that resuming needs, so a turn that failed part-way (a model outage) or is waiting for an
operator resumes exactly as under ``full``. Pruning runs only after a run that finished (a failed run prunes
nothing), under the thread's writer lock.

The mode is chosen with ``open_negotiator(..., history="latest")`` or in the spec's query,
``sqlite:///dialogues.db?history=latest`` / ``postgresql://...?history=latest``.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Final, Literal, get_args
from urllib.parse import parse_qsl, urlencode

from langgraph.checkpoint.memory import InMemorySaver

HistoryMode = Literal["full", "latest"]
"""``full`` keeps every checkpoint (LangGraph's default); ``latest`` only each thread's newest."""

HISTORY_MODES: Final[tuple[HistoryMode, ...]] = get_args(HistoryMode)

DEFAULT_HISTORY: Final[HistoryMode] = "full"

HISTORY_PARAMETER: Final[str] = "history"
"""The spec's query parameter that sets the mode."""


class HistoryModeError(ValueError):
    """A history mode that is not one of :data:`HISTORY_MODES`, or a checkpointer that cannot prune."""


def check_history(mode: str) -> HistoryMode:
    """Return ``mode`` if it is one of :data:`HISTORY_MODES`.

    Raises:
        HistoryModeError: Otherwise (the message lists the modes).
    """
    for known in HISTORY_MODES:
        if mode == known:
            return known
    raise HistoryModeError(f"history must be one of {', '.join(HISTORY_MODES)}, not {mode!r}")


def split_history(spec: str) -> tuple[str, HistoryMode | None]:
    """Take the ``history`` query parameter off a persistence spec.

    Args:
        spec: A persistence spec, e.g. ``sqlite:///dialogues.db?history=latest``.

    Returns:
        The spec without the parameter (other query parameters kept in order), and the mode it named, or ``None``
        when it named none.

    Raises:
        HistoryModeError: If the parameter is given more than once or names an unknown mode.
    """
    base, separator, query = spec.partition("?")
    if not separator:
        return spec, None
    pairs = parse_qsl(query, keep_blank_values=True)
    named = [value for name, value in pairs if name == HISTORY_PARAMETER]
    if not named:
        return spec, None
    if len(named) > 1:
        raise HistoryModeError(f"the spec names {HISTORY_PARAMETER}= {len(named)} times; give it once")
    kept = urlencode([(name, value) for name, value in pairs if name != HISTORY_PARAMETER])
    return (f"{base}?{kept}" if kept else base), check_history(named[0])


def can_prune(checkpointer: object) -> bool:
    """Whether :func:`prune_thread` supports ``checkpointer`` (memory, SQLite and PostgreSQL savers)."""
    return isinstance(checkpointer, InMemorySaver) or saver_kind(checkpointer) in ("sqlite", "postgres")


def saver_kind(checkpointer: object) -> str | None:
    """``"sqlite"`` or ``"postgres"`` for LangGraph's savers of those databases, else ``None``."""
    module = type(checkpointer).__module__
    if module.startswith("langgraph.checkpoint.sqlite") and hasattr(checkpointer, "conn"):
        return "sqlite"
    if module.startswith("langgraph.checkpoint.postgres") and hasattr(checkpointer, "prune"):
        return "postgres"
    return None


def prune_thread(checkpointer: object, thread_id: str) -> None:
    """Delete every checkpoint of ``thread_id`` but the latest of each namespace, with the older ones' writes.

    The latest checkpoint keeps its pending writes (a failed or interrupted step's saved results), so whatever
    could be resumed before can be resumed after. Call it only while no other run advances the thread (the
    :class:`~eq_negotiator.graph.session.Negotiator` holds the thread's writer lock).

    Args:
        checkpointer: A memory, SQLite or PostgreSQL saver.
        thread_id: The thread to prune.

    Raises:
        HistoryModeError: If the checkpointer is of another kind.
    """
    if isinstance(checkpointer, InMemorySaver):
        _prune_memory(checkpointer, thread_id)
        return
    kind = saver_kind(checkpointer)
    if kind == "postgres":
        # LangGraph's own: one transaction per thread, and it keeps the blobs the latest checkpoint references.
        saver: Any = checkpointer  # PostgresSaver: the postgres extra is optional, so not imported for its type
        saver.prune([thread_id], strategy="keep_latest")
        return
    if kind == "sqlite":
        _prune_sqlite(checkpointer, thread_id)
        return
    raise HistoryModeError(
        f"history='latest' needs a memory, SQLite or PostgreSQL checkpointer, not {type(checkpointer).__name__}"
    )


# SqliteSaver.get_tuple loads the greatest checkpoint_id of a namespace (ids are time-ordered uuid6), so that one
# is kept. Writes go first: they are matched against the checkpoints still there.
_SQLITE_PRUNE: Final[tuple[str, ...]] = (
    """DELETE FROM writes WHERE thread_id = :thread AND checkpoint_id < (
        SELECT max(c.checkpoint_id) FROM checkpoints c
        WHERE c.thread_id = writes.thread_id AND c.checkpoint_ns = writes.checkpoint_ns)""",
    """DELETE FROM checkpoints WHERE thread_id = :thread AND checkpoint_id < (
        SELECT max(c.checkpoint_id) FROM checkpoints c
        WHERE c.thread_id = checkpoints.thread_id AND c.checkpoint_ns = checkpoints.checkpoint_ns)""",
)


def _prune_sqlite(checkpointer: Any, thread_id: str) -> None:
    connection: sqlite3.Connection = checkpointer.conn
    with checkpointer.lock:  # the saver's own lock: its connection is shared by the graph's threads
        checkpointer.setup()
        if connection.in_transaction:  # the saver commits its own; nothing of another caller's is left open here
            connection.commit()
        try:
            connection.execute("BEGIN IMMEDIATE")
            for statement in _SQLITE_PRUNE:
                connection.execute(statement, {"thread": thread_id})
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise


def _prune_memory(checkpointer: InMemorySaver, thread_id: str) -> None:
    namespaces = checkpointer.storage.get(thread_id, {})
    kept_blobs: set[tuple[str, str, str, Any]] = set()
    for namespace, checkpoints in namespaces.items():
        if not checkpoints:
            continue
        latest = max(checkpoints)
        for checkpoint_id in [key for key in checkpoints if key != latest]:
            del checkpoints[checkpoint_id]
            checkpointer.writes.pop((thread_id, namespace, checkpoint_id), None)
        saved = checkpointer.serde.loads_typed(checkpoints[latest][0])
        kept_blobs.update((thread_id, namespace, channel, v) for channel, v in saved["channel_versions"].items())
    for key in [key for key in checkpointer.blobs if key[0] == thread_id and key not in kept_blobs]:
        del checkpointer.blobs[key]
