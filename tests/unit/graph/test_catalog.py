"""Listing a database's threads for the desk: waiting threads first, counts, pages, on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage

from eq_negotiator.graph import open_negotiator
from eq_negotiator.graph.catalog import list_threads
from eq_negotiator.graph.session import Negotiator
from tests.unit.graph.fakes import close_connections, keyword_sensor

CRISIS = "Honestly I just want to end it all."
HELLO = "Hello, I got your letter."


@pytest.fixture(params=["memory", "sqlite", "sqlite-latest", "postgres"])
def negotiator(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Negotiator]:
    if request.param == "postgres":
        spec = request.getfixturevalue("postgres_url")
    elif request.param.startswith("sqlite"):
        spec = f"sqlite:///{tmp_path / 'c.db'}" + ("?history=latest" if request.param.endswith("latest") else "")
    else:
        spec = "memory"
    negotiator = open_negotiator(spec, sensor=keyword_sensor())
    yield negotiator
    close_connections(negotiator.graph)


def ids(negotiator: Negotiator, **page: int) -> list[tuple[str, bool]]:
    return [(ref.thread_id, ref.waiting) for ref in list_threads(negotiator.graph.checkpointer, **page).threads]


def test_waiting_threads_come_first_then_the_newest(negotiator: Negotiator) -> None:
    negotiator.send("old", HELLO)
    negotiator.send("crisis", CRISIS)
    negotiator.send("new", HELLO)
    negotiator.send("new", "I can do 60 days")
    page = list_threads(negotiator.graph.checkpointer)
    assert (page.total, page.waiting, page.offset) == (3, 1, 0)
    assert ids(negotiator) == [("crisis", True), ("new", False), ("old", False)]
    assert ids(negotiator, limit=1, offset=1) == [("new", False)]
    assert ids(negotiator, limit=5, offset=3) == []

    negotiator.resume_escalation("crisis", operator="ops", action="continue")
    assert ids(negotiator)[0] == ("crisis", False)  # answered: now simply the newest
    assert list_threads(negotiator.graph.checkpointer).waiting == 0


def test_a_refused_answer_leaves_the_thread_waiting(negotiator: Negotiator) -> None:
    negotiator.send("crisis", CRISIS)
    with pytest.raises(ValueError, match="compliance guard refused"):
        negotiator.resume_escalation("crisis", operator="ops", reply="We will have you arrested.")
    assert ids(negotiator) == [("crisis", True)]


def test_an_unfinished_turn_is_not_waiting_for_a_person(negotiator: Negotiator) -> None:
    # The client's message saved and the turn stopped before its first node, as "turn" durability leaves a crash.
    negotiator.graph.invoke(
        {"messages": [HumanMessage(HELLO)]}, negotiator.config("t"), interrupt_before=["sense_emotion"]
    )
    assert negotiator.pending("t")
    assert ids(negotiator) == [("t", False)]


def test_an_empty_database_and_bad_pages() -> None:
    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    page = list_threads(negotiator.graph.checkpointer)
    assert (page.threads, page.total, page.waiting) == ((), 0, 0)
    with pytest.raises(ValueError, match="limit must be at least 1 and offset at least 0"):
        list_threads(negotiator.graph.checkpointer, limit=0)
    with pytest.raises(ValueError, match="not object"):
        list_threads(object())
