"""Against a real PostgreSQL server (see tests/postgres_server.py): dialogues, learning, dropped connections,
refused checkpoints and one writer per dialogue across threads and processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.store.base import BaseStore

from eq_negotiator.graph import Negotiator, PersistenceError, ReplyError, open_negotiator
from eq_negotiator.graph.locking import PostgresThreadLocks, ThreadBusyError, lock_key
from tests.unit.graph.fakes import FIRST_OFFER, ScriptedChatModel, keyword_sensor, offering
from tests.unit.graph.test_locking import TURNS, run_processes_on_one_thread
from tests.unit.graph.test_persistence import ForeignInState, _refused_everywhere
from tests.writers import CONTEXT, SlowSensor, assert_serialised, message, write_turns

pytestmark = pytest.mark.integration

ANGRY_DIALOGUE = ["Hello.", "I am angry.", "I am furious!", "Still angry.", "Angry, angry, angry."]
NAMESPACE = ("eq_negotiator", "policy_state", "default")


def pool_of(part: object) -> Any:
    """The connection pool of a PostgreSQL checkpointer or store."""
    return getattr(part, "conn", None)


def store_of(negotiator: Negotiator) -> BaseStore:
    store = negotiator.graph.store
    assert store is not None
    return store


def close_pools(*negotiators: Negotiator) -> None:
    """Close the pools of the negotiators' checkpointers and stores (a worker shutting down)."""
    for negotiator in negotiators:
        for part in (negotiator.graph.checkpointer, negotiator.graph.store):
            pool = pool_of(part)
            if pool is not None and not pool.closed:
                pool.close()


@pytest.fixture()
def workers(postgres_url: str) -> Iterator[tuple[Negotiator, Negotiator]]:
    """Two workers (Negotiators with their own pools and services) on one PostgreSQL database."""
    pair = (
        open_negotiator(postgres_url, context=CONTEXT, sensor=SlowSensor()),
        open_negotiator(postgres_url, context=CONTEXT, sensor=SlowSensor()),
    )
    yield pair
    close_pools(*pair)


def rows(url: str, thread_id: str) -> list[tuple[Any, ...]]:
    """Every checkpoint, blob and write row of a thread, to show that a refused load changed nothing."""
    with psycopg.connect(url) as connection:
        return [
            *connection.execute(
                "SELECT checkpoint_id, checkpoint::text, metadata::text FROM checkpoints WHERE thread_id = %s "
                "ORDER BY checkpoint_id",
                (thread_id,),
            ),
            *connection.execute(
                "SELECT channel, version, type, blob FROM checkpoint_blobs WHERE thread_id = %s ORDER BY channel, "
                "version",
                (thread_id,),
            ),
            *connection.execute(
                "SELECT checkpoint_id, task_id, idx, channel, blob FROM checkpoint_writes WHERE thread_id = %s "
                "ORDER BY checkpoint_id, task_id, idx",
                (thread_id,),
            ),
        ]


def test_a_dialogue_continues_and_resumes_in_a_new_worker(postgres_url: str) -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER, offering()])  # the third reply fails: script exhausted
    first = open_negotiator(postgres_url, model=model, sensor=keyword_sensor())
    assert pool_of(first.graph.checkpointer) is pool_of(first.graph.store)  # one pool for checkpoints and store
    assert [first.send("d", text).turn for text in ("Hello.", "I am angry.")] == [1, 2]
    with pytest.raises(ReplyError):
        first.send("d", "Still here.")
    close_pools(first)  # the worker stops with the third turn unanswered

    second = open_negotiator(
        postgres_url, model=ScriptedChatModel(replies=[offering("Third: {days} days.")]), sensor=keyword_sensor()
    )
    assert second.pending("d")
    result = second.resume("d")
    assert (result.turn, result.client) == (3, "Still here.")
    assert result.offer is not None and result.reply == f"Third: {result.offer['days']} days."
    messages = second.state("d")["messages"]
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * 3
    assert [m.text for m in messages[::2]] == ["Hello.", "I am angry.", "Still here."]
    close_pools(second)


def test_policy_learning_is_shared_by_two_workers(postgres_url: str) -> None:
    learner, other = (open_negotiator(postgres_url, sensor=keyword_sensor()) for _ in range(2))
    prior = other.send("before", "Hello.").decision["forecast"]  # the other worker now holds the prior policy
    for text in ANGRY_DIALOGUE:
        learner.send("angry", text)
    assert store_of(other).get(NAMESPACE, "eq") is None  # nothing learned until a dialogue closes
    learner.close("angry", succeeded=False)

    item = store_of(other).get(NAMESPACE, "eq")
    assert item is not None and item.value["state"]["hmm"]["dialogues"] == [["neutral", *["anger"] * 4]]
    learned = other.send("after", "Hello.").decision["forecast"]
    assert learned != pytest.approx(prior, abs=1e-6)
    assert learner.send("again", "Hello.").decision["forecast"] == pytest.approx(learned)
    close_pools(learner, other)


def terminate_other_connections(url: str) -> int:
    """Kill, server-side, every other connection to the database (as a restart or a proxy would); how many."""
    with psycopg.connect(url, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()) AS terminated"
        ).fetchone()
    return int(killed[0]) if killed else 0


def test_connections_killed_between_turns_do_not_break_the_next_turn(postgres_url: str) -> None:
    negotiator = open_negotiator(postgres_url, sensor=keyword_sensor())
    assert negotiator.send("k", "Hello.").turn == 1
    assert terminate_other_connections(postgres_url) >= 1  # the pool's idle connections, all of them
    assert negotiator.send("k", "I am angry.").turn == 2
    assert terminate_other_connections(postgres_url) >= 1
    negotiator.close("k")  # the store's writes and the lock's connection recover too
    assert negotiator.state("k")["closed"] is True
    close_pools(negotiator)


def test_a_foreign_type_in_a_checkpoint_is_refused_and_left_as_it_is(postgres_url: str) -> None:
    negotiator = open_negotiator(postgres_url, sensor=keyword_sensor())
    negotiator.send("tampered", "Hello.")
    negotiator.send("intact", "Hello.")
    # A row naming a type outside the allow-list, as a foreign writer or an attacker with database access would.
    negotiator.graph.update_state(Negotiator.config("tampered"), {"scenario": {"creditor": ForeignInState("evil")}})
    close_pools(negotiator)
    before = rows(postgres_url, "tampered")

    reopened = open_negotiator(postgres_url, sensor=keyword_sensor())
    _refused_everywhere(reopened, "tampered", f"{ForeignInState.__module__}.ForeignInState")
    assert reopened.send("intact", "I am angry.").turn == 2  # other threads are not affected
    close_pools(reopened)
    assert rows(postgres_url, "tampered") == before


def test_corrupt_checkpoint_blobs_are_refused_and_left_as_they_are(postgres_url: str) -> None:
    negotiator = open_negotiator(postgres_url, sensor=keyword_sensor())
    negotiator.send("corrupt", "Hello.")
    close_pools(negotiator)
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        # Cut the stored messages in half, as a torn or damaged write would leave them.
        changed = connection.execute(
            "UPDATE checkpoint_blobs SET blob = substring(blob FROM 1 FOR length(blob) / 2) "
            "WHERE thread_id = 'corrupt' AND channel = 'messages' AND type = 'msgpack'"
        ).rowcount
    assert changed >= 1
    before = rows(postgres_url, "corrupt")

    reopened = open_negotiator(postgres_url, sensor=keyword_sensor())
    _refused_everywhere(reopened, "corrupt", "do not decode as msgpack")
    close_pools(reopened)
    assert rows(postgres_url, "corrupt") == before


def test_an_unusable_database_is_a_clear_error_without_the_password(postgres_url: str) -> None:
    server = postgres_url.rsplit("/", 1)[0].replace("://postgres@", "://postgres:s3cret-pw@")
    with pytest.raises(PersistenceError, match=r'database "no_such_db" does not exist') as raised:
        open_negotiator(f"{server}/no_such_db", sensor=keyword_sensor())
    assert "s3cret-pw" not in str(raised.value)
    assert "postgresql://postgres@127.0.0.1:" in str(raised.value)


def test_pool_settings_come_from_the_url(postgres_url: str) -> None:
    negotiator = open_negotiator(
        f"{postgres_url}?pool_min_size=1&pool_max_size=3&pool_max_idle=60&connect_timeout=5", sensor=keyword_sensor()
    )
    pool = pool_of(negotiator.graph.checkpointer)
    assert (pool.min_size, pool.max_size, pool.max_idle) == (1, 3, 60.0)
    assert pool.conninfo == f"{postgres_url}?connect_timeout=5"  # libpq's own parameters are kept
    assert negotiator.send("p", "Hello.").turn == 1
    close_pools(negotiator)


# -- one writer per dialogue ---------------------------------------------------------------------------------------


def test_two_workers_on_one_thread_are_serialised(workers: tuple[Negotiator, Negotiator]) -> None:
    first, second = workers
    assert isinstance(first.locks, PostgresThreadLocks)
    start = threading.Barrier(2)

    def run(negotiator: Negotiator, tag: str) -> list[int]:
        start.wait()
        return write_turns(negotiator, "shared", TURNS, tag)

    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(run, negotiator, tag) for negotiator, tag in zip(workers, "ab", strict=True)]
        got = [turn for future in futures for turn in future.result()]
    assert sorted(got) == list(range(1, 2 * TURNS + 1))
    assert_serialised(second.state("shared"), {"a": TURNS, "b": TURNS})


def test_two_processes_on_one_thread_are_serialised(postgres_url: str, tmp_path: Path) -> None:
    run_processes_on_one_thread(postgres_url, tmp_path)
    reader = open_negotiator(postgres_url, sensor=keyword_sensor())
    assert_serialised(reader.state("procs"), {"a": TURNS, "b": TURNS})
    close_pools(reader)


def advisory_locks(url: str) -> set[int]:
    """The advisory-lock keys held on the database (as signed 64-bit values)."""
    with psycopg.connect(url) as connection:
        found = connection.execute(
            "SELECT classid::bigint, objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).fetchall()
    # A bigint key is kept as its high (classid) and low (objid) 32 bits.
    return {int.from_bytes(((high << 32) | low).to_bytes(8, "big"), "big", signed=True) for high, low in found}


def test_a_held_lock_makes_another_worker_busy_and_only_on_that_thread(
    workers: tuple[Negotiator, Negotiator], postgres_url: str
) -> None:
    first, second = workers
    first.send("held", message("a", 0))
    before = second.state("held")
    second.lock_timeout = 0
    with first.locks.hold("held"):
        assert lock_key("held") in advisory_locks(postgres_url)  # held by the server, for every host to see
        with pytest.raises(ThreadBusyError, match="thread 'held' is being advanced by another worker"):
            second.send("held", message("b", 0))
        with pytest.raises(ThreadBusyError):
            second.close("held")
        assert second.send("free", message("b", 0)).turn == 1
    assert lock_key("held") not in advisory_locks(postgres_url)  # released, and the connection went back
    assert second.state("held") == before
    assert second.send("held", message("b", 0)).turn == 2


def test_a_worker_whose_connection_dies_holding_the_lock_frees_the_thread(
    workers: tuple[Negotiator, Negotiator], postgres_url: str
) -> None:
    first, second = workers
    second.lock_timeout = 0
    held = first.locks.hold("orphan")
    held.__enter__()  # a turn under way...
    with pytest.raises(ThreadBusyError):
        second.send("orphan", message("b", 0))
    with psycopg.connect(postgres_url, autocommit=True) as admin:  # ...when its worker dies (its session ends)
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = %s::bigint",
            (lock_key("orphan") & 0xFFFF_FFFF,),
        )
    assert second.send("orphan", message("b", 0)).turn == 1
    held.__exit__(None, None, None)  # the unlock fails on the dead connection, quietly; the pool drops it
    assert first.send("orphan", message("a", 0)).turn == 2


def test_workers_starting_together_on_an_empty_database_all_open(postgres_url: str) -> None:
    """Concurrent start-ups serialise the table set-up without deadlocking (CREATE INDEX CONCURRENTLY waits for
    every statement in flight, so a worker blocked inside pg_advisory_lock would wait for it forever)."""
    start = threading.Barrier(3)

    def open_one() -> Negotiator:
        start.wait()
        return open_negotiator(postgres_url, sensor=keyword_sensor())

    pool = ThreadPoolExecutor(3)
    try:
        opened = [future.result(timeout=60) for future in [pool.submit(open_one) for _ in range(3)]]
    finally:
        pool.shutdown(wait=False)
    assert [negotiator.send(f"w{index}", "Hello.").turn for index, negotiator in enumerate(opened)] == [1, 1, 1]
    close_pools(*opened)
