"""Checkpointer/store specs, resuming a dialogue after a restart, and strict checkpoint deserialisation."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ormsgpack
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.checkpoint.serde.jsonplus import EXT_CONSTRUCTOR_POS_ARGS, JsonPlusSerializer
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from langgraph.store.sqlite import SqliteStore

from eq_negotiator.graph import (
    PersistenceError,
    PersistenceSpecError,
    build_graph,
    open_checkpointer,
    open_negotiator,
    open_store,
    persistence,
    prepare_persistence,
)
from eq_negotiator.graph.persistence import (
    POSTGRES_TIMEOUT_S,
    SPEC_FORMS,
    CheckpointIntegrityError,
    PersistenceSpec,
    redact_spec,
    strict_serializer,
)
from eq_negotiator.graph.session import Negotiator
from tests.unit.graph.fakes import ScriptedChatModel, close_connections, keyword_sensor, offering, say, thread

# -- specs ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "kind", "target"),
    [
        ("memory", "memory", ""),
        ("  memory\n", "memory", ""),
        ("sqlite:///rel.db", "sqlite", "rel.db"),
        ("sqlite:///data/rel.db", "sqlite", "data/rel.db"),
        ("sqlite:////abs/path.db", "sqlite", "/abs/path.db"),
        ("postgresql://u:p@127.0.0.1:1/db", "postgres", "postgresql://u:p@127.0.0.1:1/db"),
        ("postgres://u:p@db.example/x", "postgres", "postgres://u:p@db.example/x"),
    ],
)
def test_spec_parse(spec: str, kind: str, target: str) -> None:
    assert PersistenceSpec.parse(spec) == PersistenceSpec(kind, target)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spec", ["mysql://x", "sqlite:///", "", "postgresql://", "postgresql:///", "Memory", "sqlite://rel.db", "mem"]
)
def test_malformed_specs_list_the_valid_forms(spec: str) -> None:
    with pytest.raises(PersistenceSpecError) as raised:
        PersistenceSpec.parse(spec)
    message = str(raised.value)
    assert repr(spec) in message
    for form in SPEC_FORMS:
        assert form in message
    with pytest.raises(PersistenceSpecError):
        open_checkpointer(spec)
    with pytest.raises(PersistenceSpecError):
        open_store(spec)


def test_a_non_string_spec_is_refused() -> None:
    with pytest.raises(PersistenceSpecError, match="must be a string"):
        PersistenceSpec.parse(3)  # type: ignore[arg-type]


def test_memory_spec() -> None:
    assert isinstance(open_checkpointer("memory"), InMemorySaver)
    assert isinstance(open_store("memory"), InMemoryStore)


def test_instances_pass_through() -> None:
    saver, store = InMemorySaver(), InMemoryStore()
    assert open_checkpointer(saver) is saver
    assert open_store(store) is store


def test_sqlite_relative_path_is_relative_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    saver = open_checkpointer("sqlite:///rel.db")
    store = open_store("sqlite:///rel.db")
    try:
        assert isinstance(saver, SqliteSaver)
        assert isinstance(store, SqliteStore)
        assert (tmp_path / "rel.db").is_file()
    finally:
        saver.conn.close()
        store.conn.close()


def test_sqlite_absolute_path(tmp_path: Path) -> None:
    path = tmp_path / "abs.db"
    saver = open_checkpointer(f"sqlite:///{path}")
    try:
        assert str(path).startswith("/")  # so the spec had four slashes
        assert isinstance(saver, SqliteSaver)
        assert path.is_file()
    finally:
        saver.conn.close()


def test_sqlite_missing_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PersistenceSpecError, match="does not exist"):
        open_checkpointer(f"sqlite:///{tmp_path}/no/such/dir/c.db")
    assert not (tmp_path / "no").exists()


def test_postgres_spec_builds_a_saver_and_store_without_connecting() -> None:
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore

    url = "postgresql://u:p@127.0.0.1:1/db"  # port 1: anything that did connect would fail
    saver = open_checkpointer(url)
    store = open_store(url)
    assert isinstance(saver, PostgresSaver)
    assert isinstance(store, PostgresStore)
    assert saver.conn.conninfo == url


POSTGRES_UNREACHABLE = "postgresql://u:secret@127.0.0.1:1/db"  # port 1 on loopback: refused at once


def test_postgres_pool_is_built_closed_with_production_options() -> None:
    from psycopg_pool import ConnectionPool

    pool = open_checkpointer(POSTGRES_UNREACHABLE).conn
    assert isinstance(pool, ConnectionPool)
    assert pool.closed  # building never touches the network; prepare_persistence opens it
    assert pool.timeout == POSTGRES_TIMEOUT_S
    assert pool.max_idle == 300.0
    assert pool.max_lifetime == 1800.0
    assert pool._check == ConnectionPool.check_connection  # no public accessor
    assert pool.kwargs["connect_timeout"] == int(POSTGRES_TIMEOUT_S)
    assert pool.kwargs["autocommit"] is True


def test_prepare_persistence_opens_the_pools_and_sets_up_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    # No server here: the connection and the set-up are replaced, to check what prepare_persistence asks for.
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from langgraph.store.postgres import PostgresStore
    from psycopg_pool import ConnectionPool

    calls: list[Any] = []

    class Probe:
        def close(self) -> None:
            calls.append("probe closed")

    def connect(conninfo: str, **kwargs: Any) -> Probe:
        calls.append(("connect", conninfo, kwargs))
        return Probe()

    monkeypatch.setattr(psycopg, "connect", connect)
    monkeypatch.setattr(ConnectionPool, "open", lambda pool, wait, timeout: calls.append(("open", wait, timeout)))
    monkeypatch.setattr(PostgresSaver, "setup", lambda saver: calls.append("saver setup"))
    monkeypatch.setattr(PostgresStore, "setup", lambda store: calls.append("store setup"))

    @contextlib.contextmanager
    def setup_lock(connection: Any, conninfo: str, timeout: float) -> Iterator[None]:
        calls.append("lock")  # the real lock is exercised against a server in tests/integration/test_postgres.py
        yield
        calls.append("unlock")

    monkeypatch.setattr(persistence, "_setup_lock", setup_lock)

    prepare_persistence(open_checkpointer(POSTGRES_UNREACHABLE), open_store(POSTGRES_UNREACHABLE), timeout=3)

    probe = ("connect", POSTGRES_UNREACHABLE, {"connect_timeout": 3})
    opened = [probe, "probe closed", ("open", True, 3)]
    assert calls == [*opened, "lock", "saver setup", "unlock", *opened, "lock", "store setup", "unlock"]


def test_an_unreachable_postgres_is_a_clear_error_in_time() -> None:
    saver, store = open_checkpointer(POSTGRES_UNREACHABLE), open_store(POSTGRES_UNREACHABLE)
    started = time.monotonic()
    with pytest.raises(PersistenceError) as raised:
        prepare_persistence(saver, store, timeout=2)
    assert time.monotonic() - started < 2

    message = str(raised.value)
    assert "cannot use PostgreSQL at postgresql://u@127.0.0.1:1/db" in message
    assert "secret" not in message
    assert "refused" in message.lower()
    assert saver.conn.closed  # and no background worker keeps retrying


def test_open_negotiator_fails_at_start_up_on_an_unreachable_postgres() -> None:
    started = time.monotonic()
    with pytest.raises(PersistenceError, match=r"postgresql://u@127\.0\.0\.1:1/db"):
        open_negotiator(POSTGRES_UNREACHABLE, sensor=keyword_sensor())
    assert time.monotonic() - started < POSTGRES_TIMEOUT_S


def test_prepare_persistence_needs_nothing_for_memory_and_sqlite(tmp_path: Path) -> None:
    spec = f"sqlite:///{tmp_path}/p.db"
    saver, store = open_checkpointer(spec), open_store(spec)
    prepare_persistence(open_checkpointer("memory"), open_store("memory"))
    prepare_persistence(saver, store)
    prepare_persistence(None, None)
    saver.conn.close()
    store.conn.close()


@pytest.mark.parametrize(
    ("spec", "shown"),
    [
        ("postgresql://u:secret@db.example:5432/app", "postgresql://u@db.example:5432/app"),
        ("postgres://u:secret@db.example/app?password=secret&sslmode=require", "postgres://u@db.example/app"),
        ("postgresql://db.example/app", "postgresql://db.example/app"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u@h/db"),
        ("sqlite:///notes.db", "sqlite:///notes.db"),
        ("memory", "memory"),
    ],
)
def test_redact_spec_drops_the_password(spec: str, shown: str) -> None:
    assert redact_spec(spec) == shown


def test_a_file_that_is_not_a_sqlite_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 20, encoding="utf-8")
    for open_part in (open_checkpointer, open_store):
        with pytest.raises(PersistenceError, match=r"notes\.db: cannot use it as a SQLite database"):
            open_part(f"sqlite:///{path}")
    with pytest.raises(PersistenceError, match="not a database"):
        open_negotiator(f"sqlite:///{path}", sensor=keyword_sensor())
    assert path.read_text(encoding="utf-8").startswith("these are my notes")


def test_openers_of_a_new_sqlite_file_set_it_up_one_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LangGraph's SQLite migrations read the applied version, then apply the later ones: openers of a new file at
    once applied them twice ("UNIQUE constraint failed: store_migrations.v", "duplicate column name: expires_at")."""
    inside, most = 0, 0
    count = threading.Lock()

    def counted(setup: Callable[[Any], None]) -> Callable[[Any], None]:
        def run(self: Any) -> None:
            nonlocal inside, most
            with count:
                inside += 1
                most = max(most, inside)
            try:
                time.sleep(0.02)  # widens the window in which two set-ups would overlap
                setup(self)
            finally:
                with count:
                    inside -= 1

        return run

    monkeypatch.setattr(SqliteStore, "setup", counted(SqliteStore.setup))
    monkeypatch.setattr(SqliteSaver, "setup", counted(SqliteSaver.setup))
    spec = f"sqlite:///{tmp_path}/new.db"
    start = threading.Barrier(4)

    def open_both() -> tuple[BaseCheckpointSaver[Any], BaseStore]:
        start.wait()  # four workers, each with its own connections, as four processes would have
        return open_checkpointer(spec), open_store(spec)

    with ThreadPoolExecutor(4) as pool:
        opened = [future.result(timeout=60) for future in [pool.submit(open_both) for _ in range(4)]]
    assert most == 1  # the set-up lock beside the file let one opener migrate at a time
    for saver, store in opened:
        saver.conn.close()  # type: ignore[attr-defined]
        store.conn.close()  # type: ignore[attr-defined]
    with closing(sqlite3.connect(tmp_path / "new.db")) as connection:
        applied = [row[0] for row in connection.execute("SELECT v FROM store_migrations ORDER BY v")]
    assert applied == list(range(len(SqliteStore.MIGRATIONS)))
    assert (tmp_path / "new.db.locks" / "setup.lock").is_file()  # beside the thread locks


# -- resume after restart ---------------------------------------------------------------------------------------


def test_a_dialogue_resumes_after_a_restart(tmp_path: Path) -> None:
    spec = f"sqlite:///{tmp_path}/c.db"
    model_a = ScriptedChatModel(replies=[offering("First: {days} days."), offering("Second: {days} days.")])
    graph_a = build_graph(spec, "memory", model=model_a, sensor=keyword_sensor())
    graph_a.invoke(say("Hello."), thread("restart"))
    before = graph_a.invoke(say("I am angry."), thread("restart"))
    graph_a.checkpointer.conn.close()
    del graph_a

    model_b = ScriptedChatModel(replies=[offering("Third: {days} days.")])
    graph_b = build_graph(spec, "memory", model=model_b, sensor=keyword_sensor())
    after = graph_b.invoke(say("I need to think about it."), thread("restart"))

    assert after["turn"] == 3
    messages = after["messages"]
    assert len(messages) == 6
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * 3
    words = ("First", "Second", "Third")  # no number words: "One:" would read as a timeline of 1 day
    one, two, three = (f"{word}: {offer['days']} days." for word, offer in zip(words, after["offers"], strict=True))
    assert [m.text for m in messages] == ["Hello.", one, "I am angry.", two, "I need to think about it.", three]
    assert [m.id for m in messages[:4]] == [m.id for m in before["messages"]]
    assert after["readings"][:2] == before["readings"]
    assert after["decisions"][:2] == before["decisions"]
    assert after["scenario"] == before["scenario"]
    # The negotiation goes on from the saved offers: the third offer follows the second, never below it.
    assert after["offers"][:2] == before["offers"]
    assert after["offers"][2]["round"] == 3 and after["offers"][2]["days"] >= before["offer"]["days"]
    expected = f"Client: Hello.\nAgent: {one}\nClient: I am angry.\nAgent: {two}\nClient: I need to think about it."
    assert expected in model_b.last_system_prompt
    close_connections(graph_b)


def test_two_threads_in_one_file_stay_apart(tmp_path: Path) -> None:
    graph = build_graph(f"sqlite:///{tmp_path}/c.db", sensor=keyword_sensor())
    graph.invoke(say("Hello."), thread("a"))
    graph.invoke(say("Hello."), thread("a"))
    values = graph.invoke(say("Hi."), thread("b"))
    assert values["turn"] == 1
    assert graph.get_state(thread("a")).values["turn"] == 2
    close_connections(graph)


# -- strict deserialisation -------------------------------------------------------------------------------------


@dataclass
class ForeignPayload:
    """A type outside LangGraph's safe list: strict mode must never rebuild it."""

    command: str


@dataclass
class ForeignInState:
    command: str


@dataclass
class ForeignLogged:
    """Used by one test only: LangGraph logs each blocked type once per process."""

    command: str


@dataclass
class BlockedElsewhere:
    """Loaded by LangGraph's own strict serializer, outside ours (LangGraph warns once per type and process)."""

    command: str


def test_strict_serializer_refuses_a_foreign_type(caplog: pytest.LogCaptureFixture) -> None:
    serde = strict_serializer()
    typed = serde.dumps_typed(ForeignLogged("rm -rf /"))
    assert typed[0] == "msgpack"
    assert b"ForeignLogged" in typed[1]  # the type name is in the bytes...

    with caplog.at_level(logging.WARNING), pytest.raises(CheckpointIntegrityError) as raised:
        serde.loads_typed(typed)  # ...but it is neither imported and rebuilt nor degraded to plain data

    assert f"{__name__}.ForeignLogged" in str(raised.value)
    assert "outside the strict allow-list" in str(raised.value)
    # The refusal is the one message: LangGraph's own warning about the blocked type would only repeat it.
    assert "Blocked deserialization" not in caplog.text

    # Only refused rows are kept quiet: LangGraph's own loads still warn about what they block.
    caplog.clear()
    plain = JsonPlusSerializer(allowed_msgpack_modules=None)
    with caplog.at_level(logging.WARNING):
        plain.loads_typed(plain.dumps_typed(BlockedElsewhere("x")))
    assert f"Blocked deserialization of {__name__}.BlockedElsewhere" in caplog.text


@pytest.mark.parametrize("names", [[1, 2], [None, "x"], ["os", 3]])
def test_a_row_naming_a_type_with_non_text_names_is_refused_quietly(
    names: list[Any], caplog: pytest.LogCaptureFixture
) -> None:
    # A tampered row may put any value where the module and class names go. Our serde listener used to fail on
    # them (LangGraph logs that with a traceback), so the blocked type went unnoted and the row loaded degraded.
    row = ("msgpack", ormsgpack.packb({"v": ormsgpack.Ext(EXT_CONSTRUCTOR_POS_ARGS, ormsgpack.packb([*names, []]))}))
    with caplog.at_level(logging.WARNING), pytest.raises(CheckpointIntegrityError, match="outside the strict allow"):
        strict_serializer().loads_typed(row)
    assert caplog.text == ""  # no "Serde listener failed" traceback, no "Blocked deserialization"


def test_a_foreign_type_nested_in_allowed_data_is_refused() -> None:
    serde = strict_serializer()
    value = {"queue": deque([1, ForeignPayload("deep")])}  # deque is allowed; what it holds is checked too
    with pytest.raises(CheckpointIntegrityError, match="ForeignPayload"):
        serde.loads_typed(serde.dumps_typed(value))


def test_strict_serializer_keeps_plain_data_and_messages() -> None:
    serde = strict_serializer()
    value = {"a": [1, 2.5, "x", None, True], "m": HumanMessage("hi", id="1"), "n": AIMessage("yo", id="2")}
    assert serde.loads_typed(serde.dumps_typed(value)) == value


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (("msgpack", b"\xc1"), "do not decode as msgpack"),
        (("json", b"{not json"), "do not decode as json"),
        (("pickle", b"\x80\x04K\x01."), "format 'pickle' is not one this serializer writes"),
    ],
)
def test_strict_serializer_refuses_undecodable_rows(row: tuple[str, bytes], reason: str) -> None:
    with pytest.raises(CheckpointIntegrityError, match=reason):
        strict_serializer().loads_typed(row)


def test_every_backend_uses_the_strict_serializer(tmp_path: Path) -> None:
    payload = ForeignPayload("x")
    savers = [
        open_checkpointer("memory"),
        open_checkpointer(f"sqlite:///{tmp_path}/s.db"),
        open_checkpointer("postgresql://u:p@127.0.0.1:1/db"),
    ]
    for saver in savers:
        with pytest.raises(CheckpointIntegrityError, match="ForeignPayload"):
            saver.serde.loads_typed(saver.serde.dumps_typed(payload))
    savers[1].conn.close()


def _rows(path: Path) -> list[tuple[Any, ...]]:
    """Every checkpoint and write row of a SQLite file, to show that a refused load changed nothing."""
    with closing(sqlite3.connect(path)) as connection:
        return [
            *connection.execute("SELECT * FROM checkpoints ORDER BY thread_id, checkpoint_id"),
            *connection.execute("SELECT * FROM writes ORDER BY thread_id, checkpoint_id, task_id, idx"),
        ]


def _refused_everywhere(negotiator: Negotiator, thread_id: str, reason: str) -> None:
    """Every Negotiator entry point refuses the thread with the same clear error."""
    calls: list[Callable[[], object]] = [
        lambda: negotiator.state(thread_id),
        lambda: negotiator.pending(thread_id),
        lambda: negotiator.send(thread_id, "Hello again."),
        lambda: negotiator.resume(thread_id),
        lambda: list(negotiator.stream(thread_id, "Hello again.")),
        lambda: negotiator.close(thread_id),
    ]
    for call in calls:
        with pytest.raises(CheckpointIntegrityError) as raised:
            call()
        assert raised.value.thread_id == thread_id
        assert f"refused to load the checkpoint of thread {thread_id!r}" in str(raised.value)
        assert reason in str(raised.value)
        assert "nothing was loaded, run or changed" in str(raised.value)


def test_a_checkpoint_naming_a_foreign_type_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    spec = f"sqlite:///{path}"
    graph = build_graph(spec, sensor=keyword_sensor())
    graph.invoke(say("Hello."), thread("tampered"))
    graph.invoke(say("Hello."), thread("intact"))
    graph.update_state(thread("tampered"), {"scenario": {"creditor": ForeignInState("evil")}})
    close_connections(graph)
    before = _rows(path)

    negotiator = open_negotiator(spec, sensor=keyword_sensor())
    _refused_everywhere(negotiator, "tampered", f"{__name__}.ForeignInState")
    # Another thread of the same file is not affected.
    assert negotiator.send("intact", "I am angry.").turn == 2
    close_connections(negotiator.graph)
    after = _rows(path)
    assert [row for row in after if row[0] == "tampered"] == [row for row in before if row[0] == "tampered"]


def test_a_checkpoint_with_corrupt_bytes_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    spec = f"sqlite:///{path}"
    negotiator = open_negotiator(spec, sensor=keyword_sensor())
    negotiator.send("corrupt", "Hello.")
    close_connections(negotiator.graph)
    with closing(sqlite3.connect(path)) as connection, connection:
        # Cut the newest checkpoint's bytes in half, as a torn or damaged write would leave them.
        connection.execute(
            "UPDATE checkpoints SET checkpoint = substr(checkpoint, 1, length(checkpoint) / 2) "
            "WHERE thread_id = 'corrupt' AND checkpoint_id = (SELECT max(checkpoint_id) FROM checkpoints)"
        )
    before = _rows(path)

    reopened = open_negotiator(spec, sensor=keyword_sensor())
    _refused_everywhere(reopened, "corrupt", "do not decode as msgpack")
    close_connections(reopened.graph)
    assert _rows(path) == before
