"""Checkpointers and stores from URL-like specs, with strict checkpoint deserialisation.

Specs:

* ``memory``: in-process (lost when the process ends).
* ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: a SQLite file (created if missing).
* ``postgresql://user:pass@host:port/db``: PostgreSQL through a psycopg connection pool (``postgres`` extra).

Opening a spec never touches the network: :func:`prepare_persistence` then opens the PostgreSQL pools and creates
the tables, failing with :class:`PersistenceError` (naming the server, never the password) when the server cannot
be reached. :func:`~eq_negotiator.graph.session.open_negotiator` and
:func:`~eq_negotiator.graph.builder.build_graph` call it.

Checkpoints are read back with LangGraph's strict msgpack allow-list (plain data and LangChain messages only), so
a row that names any other Python type is refused instead of being imported and executed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

if TYPE_CHECKING:  # the postgres extra is optional
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore

SPEC_FORMS: Final[tuple[str, ...]] = ("memory", "sqlite:///<path>", "postgresql://<user>:<password>@<host>/<db>")

POSTGRES_TIMEOUT_S: Final[float] = 10.0
"""How long to wait for a PostgreSQL connection (connecting, or getting one from a busy pool) before failing."""


class PersistenceSpecError(ValueError):
    """A checkpointer/store spec that is malformed or names an unsupported backend."""


class PersistenceError(RuntimeError):
    """A checkpointer or store that could not be opened.

    For example a file that is not a SQLite database, a database server that cannot be reached, or set-up that the
    database refused.
    """


def redact_spec(spec: str) -> str:
    """``spec`` fit to print: a PostgreSQL URL loses its password and query (which may hold one too).

    Args:
        spec: A persistence spec.

    Returns:
        ``postgresql://user@host:port/db`` for a PostgreSQL URL; any other spec unchanged.
    """
    scheme, separator, rest = spec.strip().partition("://")
    if not separator or scheme not in ("postgresql", "postgres"):
        return spec
    netloc, _, path = rest.partition("/")
    userinfo, at, hostport = netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    database = path.partition("?")[0]
    return f"{scheme}://{user}{at}{hostport}/{database}"


@dataclass(frozen=True)
class PersistenceSpec:
    """A parsed spec: the backend and its target (file path or connection string)."""

    kind: Literal["memory", "sqlite", "postgres"]
    target: str = ""

    @classmethod
    def parse(cls, spec: str) -> PersistenceSpec:
        """Parse ``spec``.

        Raises:
            PersistenceSpecError: If the form is unknown or the target is empty (the message lists the forms).
        """
        if not isinstance(spec, str):
            raise PersistenceSpecError(f"persistence spec must be a string, not {type(spec).__name__}")
        text = spec.strip()
        if text == "memory":
            return cls("memory")
        if text.startswith("sqlite:///"):
            path = text.removeprefix("sqlite:///")
            if not path:
                raise PersistenceSpecError(f"{spec!r}: no file after sqlite:///; valid forms: {', '.join(SPEC_FORMS)}")
            return cls("sqlite", path)
        if text.startswith(("postgresql://", "postgres://")):
            if text.split("://", 1)[1] in ("", "/"):
                raise PersistenceSpecError(f"{spec!r}: no server in the URL; valid forms: {', '.join(SPEC_FORMS)}")
            return cls("postgres", text)
        raise PersistenceSpecError(f"unknown persistence spec {spec!r}; valid forms: {', '.join(SPEC_FORMS)}")


def strict_serializer() -> JsonPlusSerializer:
    """LangGraph's serializer restricted to its built-in safe types (``LANGGRAPH_STRICT_MSGPACK`` semantics)."""
    return JsonPlusSerializer(allowed_msgpack_modules=None)


def _sqlite_connection(path: str, *, autocommit: bool = False) -> sqlite3.Connection:
    if path != ":memory:":
        folder = Path(path).expanduser().parent
        if not folder.is_dir():
            raise PersistenceSpecError(f"sqlite:///{path}: folder {folder} does not exist")
    # Used from the graph's worker threads; the savers serialise access with their own locks.
    # The store manages its own BEGIN/COMMIT and needs autocommit mode (as its from_conn_string sets); left in the
    # default mode, its set-up would hold a write transaction open and lock out the checkpointer.
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None if autocommit else "DEFERRED")
    try:
        # The first statement that reads the file: a file that is not a database fails here, at start-up.
        connection.execute("PRAGMA journal_mode=WAL")
        # In WAL mode NORMAL syncs at checkpoints instead of every commit: the file cannot be corrupted and a process
        # crash loses nothing; only an OS crash or power cut can roll back the last commits. FULL cost ~4 ms a turn.
        connection.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as error:
        connection.close()
        raise PersistenceError(f"sqlite:///{path}: cannot use it as a SQLite database ({error})") from error
    return connection


def _postgres_pool(url: str) -> Any:
    try:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise PersistenceSpecError(
            "PostgreSQL needs the postgres extra: pip install 'eq-negotiator[postgres]'"
        ) from None
    timeout = int(POSTGRES_TIMEOUT_S)
    # Built closed, so building the graph never blocks on the network; prepare_persistence() opens it.
    return ConnectionPool(
        url,
        open=False,
        name="eq-negotiator",
        kwargs={
            "autocommit": True,
            "prepare_threshold": 0,
            "row_factory": dict_row,
            # Without it an unreachable host is given up only after the OS's TCP timeout (minutes).
            "connect_timeout": timeout,
        },
        # A connection the server or a proxy dropped while idle is found and replaced before it is handed out.
        check=ConnectionPool.check_connection,
        # Under the idle timeouts of common proxies and load balancers, and renewed within the hour.
        max_idle=5 * 60.0,
        max_lifetime=30 * 60.0,
        # Waiting for a connection of a busy or broken pool fails in seconds, not the default 30 s.
        timeout=POSTGRES_TIMEOUT_S,
    )


def open_checkpointer(spec: str | BaseCheckpointSaver[Any]) -> BaseCheckpointSaver[Any]:
    """A checkpointer for ``spec`` (or ``spec`` itself if it already is one).

    Raises:
        PersistenceSpecError: If the spec is malformed, the SQLite folder is missing, or the Postgres extra is
            not installed.
        PersistenceError: If the SQLite file is not a database.
    """
    if isinstance(spec, BaseCheckpointSaver):
        return spec
    parsed = PersistenceSpec.parse(spec)
    if parsed.kind == "memory":
        return InMemorySaver(serde=strict_serializer())
    if parsed.kind == "sqlite":
        from langgraph.checkpoint.sqlite import SqliteSaver

        return SqliteSaver(_sqlite_connection(parsed.target), serde=strict_serializer())
    from langgraph.checkpoint.postgres import PostgresSaver

    return PostgresSaver(_postgres_pool(parsed.target), serde=strict_serializer())


def open_store(spec: str | BaseStore) -> BaseStore:
    """A store (for what policies learn across dialogues) for ``spec`` (or ``spec`` itself if it already is one).

    Raises:
        PersistenceSpecError: As :func:`open_checkpointer`.
    """
    if isinstance(spec, BaseStore):
        return spec
    parsed = PersistenceSpec.parse(spec)
    if parsed.kind == "memory":
        return InMemoryStore()
    if parsed.kind == "sqlite":
        from langgraph.store.sqlite import SqliteStore

        store = SqliteStore(_sqlite_connection(parsed.target, autocommit=True))
        try:
            store.setup()
        except sqlite3.Error as error:
            store.conn.close()
            raise PersistenceError(f"sqlite:///{parsed.target}: cannot set up the store ({error})") from error
        return store
    from langgraph.store.postgres import PostgresStore

    return PostgresStore(_postgres_pool(parsed.target))


_POSTGRES_MODULES: Final[tuple[str, ...]] = ("langgraph.checkpoint.postgres", "langgraph.store.postgres")


def prepare_persistence(
    checkpointer: BaseCheckpointSaver[Any] | None,
    store: BaseStore | None,
    *,
    timeout: float = POSTGRES_TIMEOUT_S,
) -> None:
    """Make a checkpointer and store ready for their first run; call once at start-up.

    For PostgreSQL this opens a connection pool that is not open yet (waiting until it has connected) and runs
    the saver's and store's ``setup()``, which creates their tables and applies migrations (both idempotent).
    Memory and SQLite need nothing here: SQLite files are checked and set up when they are opened.

    Args:
        checkpointer: The graph's checkpointer, if any.
        store: The graph's store, if any.
        timeout: Seconds to wait for the database server.

    Raises:
        PersistenceError: If the server cannot be reached in time or refuses the set-up; the message names the
            server (without the password) and the reason.
    """
    parts = [part for part in (checkpointer, store) if type(part).__module__.startswith(_POSTGRES_MODULES)]
    if not parts:  # memory and SQLite need no preparing, nor psycopg's import (~9 MB)
        return
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore

    for part in parts:
        if isinstance(part, (PostgresSaver, PostgresStore)):
            _prepare_postgres(part, timeout)


def _prepare_postgres(part: PostgresSaver | PostgresStore, timeout: float) -> None:
    import psycopg
    from psycopg_pool import ConnectionPool

    connection = part.conn
    if isinstance(connection, ConnectionPool):
        # A pool may be given a function returning the conninfo (e.g. to renew a token); ours are given strings.
        conninfo = connection.conninfo() if callable(connection.conninfo) else connection.conninfo
    else:
        conninfo = connection.info.dsn  # a single connection (an embedder's own saver): psycopg omits the password
    unopened_pool = connection if isinstance(connection, ConnectionPool) and connection.closed else None
    opened_pool = None
    try:
        if unopened_pool is not None:
            # One direct connection first: it fails at once with the server's own reason (refused, bad password,
            # no such database), where the pool would retry in the background and time out saying only that.
            psycopg.connect(conninfo, connect_timeout=max(2, round(timeout))).close()
            opened_pool = unopened_pool
            opened_pool.open(wait=True, timeout=timeout)
        part.setup()
    except psycopg.Error as error:
        if opened_pool is not None:
            opened_pool.close(timeout=0)  # stop its workers from reconnecting in the background
        # libpq's messages run over several lines; one line reads better in logs and terminals.
        reason = _without_password(" ".join(str(error).split()) or type(error).__name__, conninfo)
        raise PersistenceError(f"cannot use PostgreSQL at {redact_spec(conninfo)}: {reason}") from error


def _without_password(text: str, conninfo: str) -> str:
    """``text`` with the connection's password masked, should a driver message ever quote it."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        password = conninfo_to_dict(conninfo).get("password")
    except psycopg.Error:  # an unparsable conninfo: at least never repeat it whole
        return text.replace(conninfo, redact_spec(conninfo))
    return text.replace(str(password), "***") if password else text
