"""The PostgreSQL pool's settings (spec query > environment > defaults), and one pool for checkpoints and store."""

from __future__ import annotations

import pytest

from eq_negotiator.graph import PersistenceSpecError, open_checkpointer, open_store
from eq_negotiator.graph.persistence import POOL_SETTINGS, POSTGRES_TIMEOUT_S

URL = "postgresql://u:secret@127.0.0.1:1/db"  # never connected to: pools are built closed


@pytest.fixture(autouse=True)
def _no_pool_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in POOL_SETTINGS:
        monkeypatch.delenv(f"EQN_PG_{name.upper()}", raising=False)


def test_defaults_survive_idle_and_dropped_connections() -> None:
    from psycopg.rows import dict_row
    from psycopg_pool import ConnectionPool

    pool = open_checkpointer(URL).conn  # type: ignore[attr-defined]
    assert pool.closed and pool.conninfo == URL
    assert (pool.min_size, pool.max_size) == (2, 10)
    assert (pool.max_idle, pool.max_lifetime, pool.timeout) == (300.0, 1800.0, POSTGRES_TIMEOUT_S)
    assert pool._check == ConnectionPool.check_connection  # no public accessor
    assert pool.kwargs == {
        "autocommit": True,
        "prepare_threshold": 0,
        "row_factory": dict_row,
        "connect_timeout": int(POSTGRES_TIMEOUT_S),
    }


def test_query_parameters_set_the_pool_and_leave_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EQN_PG_POOL_MAX_SIZE", "50")  # the URL's own value wins
    monkeypatch.setenv("EQN_PG_POOL_MAX_LIFETIME", "600")
    pool = open_checkpointer(f"{URL}?sslmode=disable&pool_max_size=4&pool_min_size=1&pool_timeout=2.5").conn  # type: ignore[attr-defined]
    assert pool.conninfo == f"{URL}?sslmode=disable"
    assert (pool.min_size, pool.max_size, pool.max_lifetime, pool.timeout) == (1, 4, 600.0, 2.5)
    assert pool.kwargs["connect_timeout"] == 2


@pytest.mark.parametrize(
    ("query", "env", "match"),
    [
        ("pool_max_size=0", {}, r"query parameter pool_max_size must be a positive whole number, got '0'"),
        ("pool_min_size=1.5", {}, "positive whole number"),
        ("pool_max_idle=soon", {}, r"pool_max_idle must be a positive number of seconds, got 'soon'"),
        ("pool_min_size=5&pool_max_size=3", {}, r"pool_min_size \(5\) exceeds pool_max_size \(3\)"),
        ("pool_size=3", {}, r"unknown pool setting\(s\) pool_size; known: pool_min_size"),
        ("", {"EQN_PG_POOL_TIMEOUT": "-1"}, r"EQN_PG_POOL_TIMEOUT must be a positive number of seconds, got '-1'"),
    ],
)
def test_bad_pool_settings_are_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, query: str, env: dict[str, str], match: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(PersistenceSpecError, match=match) as raised:
        open_checkpointer(f"{URL}?{query}")
    assert "secret" not in str(raised.value)


def test_a_store_on_the_same_database_shares_the_checkpointer_pool() -> None:
    saver = open_checkpointer(URL)
    assert open_store(URL, share_with=saver).conn is saver.conn  # type: ignore[attr-defined]
    assert open_store(URL.replace("/db", "/other"), share_with=saver).conn is not saver.conn  # type: ignore[attr-defined]
    assert open_store(URL).conn is not saver.conn  # type: ignore[attr-defined]
    assert open_store(URL, share_with=open_checkpointer("memory")).conn is not saver.conn  # type: ignore[attr-defined]
