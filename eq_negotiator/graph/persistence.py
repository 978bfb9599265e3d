"""Checkpointers and stores from URL-like specs, with strict checkpoint deserialisation.

Specs:

* ``memory``: in-process (lost when the process ends).
* ``sqlite:///relative/path.db`` or ``sqlite:////absolute/path.db``: a SQLite file (created if missing).
* ``postgresql://user:pass@host:port/db``: PostgreSQL through a psycopg connection pool (``postgres`` extra).

Checkpoints are read back with LangGraph's strict msgpack allow-list (plain data and LangChain messages only), so
a row that names any other Python type is refused instead of being imported and executed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

SPEC_FORMS: Final[tuple[str, ...]] = ("memory", "sqlite:///<path>", "postgresql://<user>:<password>@<host>/<db>")


class PersistenceSpecError(ValueError):
    """A checkpointer/store spec that is malformed or names an unsupported backend."""


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


def _sqlite_connection(path: str) -> sqlite3.Connection:
    if path != ":memory:":
        folder = Path(path).expanduser().parent
        if not folder.is_dir():
            raise PersistenceSpecError(f"sqlite:///{path}: folder {folder} does not exist")
    # Used from the graph's worker threads; the savers serialise access with their own locks.
    connection = sqlite3.connect(path, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def _postgres_pool(url: str) -> Any:
    try:
        from psycopg.rows import dict_row
        from psycopg_pool import ConnectionPool
    except ImportError:
        raise PersistenceSpecError(
            "PostgreSQL needs the postgres extra: pip install 'eq-negotiator[postgres]'"
        ) from None
    # The pool opens lazily: building the graph never blocks on the network.
    return ConnectionPool(
        url,
        open=False,
        kwargs={"autocommit": True, "prepare_threshold": 0, "row_factory": dict_row},
        check=ConnectionPool.check_connection,
    )


def open_checkpointer(spec: str | BaseCheckpointSaver[Any]) -> BaseCheckpointSaver[Any]:
    """A checkpointer for ``spec`` (or ``spec`` itself if it already is one).

    Raises:
        PersistenceSpecError: If the spec is malformed, the SQLite folder is missing, or the Postgres extra is
            not installed.
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

        store = SqliteStore(_sqlite_connection(parsed.target))
        store.setup()
        return store
    from langgraph.store.postgres import PostgresStore

    return PostgresStore(_postgres_pool(parsed.target))
