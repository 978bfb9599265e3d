"""``history="latest"``: one checkpoint per thread, linear growth, and every unfinished turn still resumable."""

from __future__ import annotations

import itertools
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.base import BaseCheckpointSaver

from eq_negotiator.graph import Context, Negotiator, PendingTurnError, ReplyError, build_graph, open_negotiator
from eq_negotiator.graph.history import HistoryModeError, check_history, prune_thread, split_history
from tests.unit.graph.fakes import FIRST_OFFER, ScriptedChatModel, keyword_sensor, offering

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT / "benchmarks") not in sys.path:
    sys.path.insert(0, str(ROOT / "benchmarks"))

from load import client_line  # noqa: E402  (the load benchmark's client, which never settles or escalates)


def line(turn: int) -> str:
    return client_line(0, turn)


def checkpoints(negotiator: Negotiator, thread_id: str) -> int:
    return len(list(negotiator.graph.get_state_history(negotiator.config(thread_id))))


def sqlite_rows(path: Path, thread_id: str) -> tuple[int, int, int]:
    """Checkpoint rows, write rows and stored payload bytes of ``thread_id``."""
    with sqlite3.connect(path) as connection:
        rows, payload = connection.execute(
            "SELECT count(*), coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints "
            "WHERE thread_id = ?",
            (thread_id,),
        ).fetchone()
        writes, written = connection.execute(
            "SELECT count(*), coalesce(sum(length(value)), 0) FROM writes WHERE thread_id = ?", (thread_id,)
        ).fetchone()
    return int(rows), int(writes), int(payload + written)


def check_dialogue(values: dict[str, Any], turns: int) -> None:
    messages = values["messages"]
    assert [type(message) for message in messages] == [HumanMessage, AIMessage] * turns
    assert [message.text for message in messages[::2]] == [line(turn) for turn in range(turns)]
    assert values["turn"] == turns and len(values["readings"]) == turns and len(values["decisions"]) == turns


# --- the setting ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("sqlite:///x.db", ("sqlite:///x.db", None)),
        ("sqlite:///x.db?history=latest", ("sqlite:///x.db", "latest")),
        ("postgresql://u@h/db?history=full&pool_max_size=4", ("postgresql://u@h/db?pool_max_size=4", "full")),
        ("postgresql://u@h/db?sslmode=require&history=latest", ("postgresql://u@h/db?sslmode=require", "latest")),
        ("memory", ("memory", None)),
    ],
)
def test_the_history_parameter_is_taken_off_the_spec(spec: str, expected: tuple[str, str | None]) -> None:
    assert split_history(spec) == expected


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("sqlite:///x.db?history=none", "history must be one of full, latest, not 'none'"),
        ("sqlite:///x.db?history=", "not ''"),
        ("sqlite:///x.db?history=latest&history=full", "2 times"),
    ],
)
def test_a_bad_history_parameter_is_refused(spec: str, match: str) -> None:
    with pytest.raises(HistoryModeError, match=match):
        split_history(spec)


def test_a_bad_history_mode_is_refused_before_anything_is_opened(tmp_path: Path) -> None:
    with pytest.raises(HistoryModeError, match="full, latest"):
        check_history("all")
    with pytest.raises(ValueError, match="history must be one of"):
        open_negotiator(f"sqlite:///{tmp_path}/h.db", sensor=keyword_sensor(), history="everything")  # type: ignore[arg-type]
    with pytest.raises(HistoryModeError, match="needs a memory, SQLite or PostgreSQL"):
        prune_thread(object(), "t")


def test_the_spec_sets_the_mode_and_the_argument_wins(tmp_path: Path) -> None:
    spec = f"sqlite:///{tmp_path}/h.db?history=latest"
    assert open_negotiator(spec, sensor=keyword_sensor()).history == "latest"
    assert open_negotiator(spec, sensor=keyword_sensor(), history="full").history == "full"
    assert open_negotiator(f"sqlite:///{tmp_path}/h.db", sensor=keyword_sensor()).history == "full"
    assert (tmp_path / "h.db").is_file() and not list(tmp_path.glob("*history*"))  # the query is no part of the path


# --- pruning --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_latest_keeps_one_checkpoint_and_the_whole_dialogue(backend: str, tmp_path: Path) -> None:
    spec = "memory" if backend == "memory" else f"sqlite:///{tmp_path}/h.db"
    negotiator = open_negotiator(spec, sensor=keyword_sensor(), history="latest")
    neighbour = Negotiator(negotiator.graph, negotiator.context)  # same checkpointer, history kept in full
    neighbour.send("other", line(0))  # another thread's history is not touched
    kept_before = checkpoints(neighbour, "other")
    for turn in range(4):
        negotiator.send("t", line(turn))
        assert checkpoints(negotiator, "t") == 1
    check_dialogue(negotiator.state("t"), 4)
    assert checkpoints(neighbour, "other") == kept_before > 1
    if backend == "sqlite":
        rows, writes, _ = sqlite_rows(tmp_path / "h.db", "t")
        assert (rows, writes) == (1, 0)  # a finished run leaves no pending writes
    negotiator.send("t", line(4))  # and the pruned thread goes on
    check_dialogue(negotiator.state("t"), 5)


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_failed_reply_stays_resumable_under_latest(backend: str, tmp_path: Path) -> None:
    spec = "memory" if backend == "memory" else f"sqlite:///{tmp_path}/h.db"
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    negotiator = open_negotiator(spec, model=model, sensor=keyword_sensor(), history="latest")
    negotiator.send("r", "Hello.")
    with pytest.raises(ReplyError):
        negotiator.send("r", "I am angry.")
    assert negotiator.pending("r")
    with pytest.raises(PendingTurnError):
        negotiator.send("r", "Hello?")
    # A failed run prunes nothing: the steps of the unfinished turn are all there to resume from.
    assert checkpoints(negotiator, "r") > 1

    model.replies.append(offering("Second reply: {days} days."))
    result = negotiator.resume("r")
    assert (result.turn, result.client) == (2, "I am angry.")
    assert result.reply.startswith("Second reply:")
    assert not negotiator.pending("r") and checkpoints(negotiator, "r") == 1


def test_a_turn_cut_off_part_way_resumes_after_pruning(tmp_path: Path) -> None:
    """A crash inside a turn (here: the graph stops before ``respond``) leaves the latest checkpoint to resume from."""
    spec = f"sqlite:///{tmp_path}/h.db"
    negotiator = open_negotiator(spec, sensor=keyword_sensor(), history="latest")
    negotiator.send("c", line(0))
    config = negotiator.config("c")
    negotiator.graph.invoke(
        {"messages": [HumanMessage(line(1))]}, config, context=negotiator.context, interrupt_before=["respond"]
    )
    assert negotiator.pending("c")
    restarted = open_negotiator(spec, sensor=keyword_sensor(), history="latest")  # a new worker picks it up
    result = restarted.resume("c")
    assert (result.turn, result.client) == (2, line(1))
    check_dialogue(restarted.state("c"), 2)
    assert checkpoints(restarted, "c") == 1


def test_an_escalated_thread_resumes_under_latest(tmp_path: Path) -> None:
    negotiator = open_negotiator(f"sqlite:///{tmp_path}/h.db", sensor=keyword_sensor(), history="latest")
    negotiator.send("e", "Hello, I got your letter.")
    assert negotiator.send("e", "Stop calling me about this debt.").status == "escalated"
    assert negotiator.escalated("e") and checkpoints(negotiator, "e") == 1  # the interrupt's writes are kept
    values = negotiator.resume_escalation("e", action="continue", operator="Dana")
    assert values["status"] == "ongoing" and checkpoints(negotiator, "e") == 1
    assert negotiator.send("e", "Hello again.").turn == 3


def test_latest_needs_a_checkpointer_that_can_prune() -> None:
    class OtherSaver(BaseCheckpointSaver[str]):
        """A checkpointer of a kind the pruning does not know."""

    graph = build_graph(OtherSaver(), sensor=keyword_sensor())
    assert Negotiator(graph).history == "full"
    with pytest.raises(HistoryModeError, match="needs a memory, SQLite or PostgreSQL checkpointer, not OtherSaver"):
        Negotiator(graph, history="latest")


@pytest.mark.integration
def test_growth_is_linear_with_latest_and_quadratic_without(tmp_path: Path) -> None:
    """bytes(30) / bytes(10): about 3 when one checkpoint is kept, towards 9 when every step's is."""
    ratios = {}
    for history in ("full", "latest"):
        path = tmp_path / f"{history}.db"
        negotiator = open_negotiator(
            f"sqlite:///{path}", context=Context(max_rounds=31), sensor=keyword_sensor(), history=history
        )
        sizes = []
        for turn in range(30):
            assert negotiator.send("g", line(turn)).status == "ongoing"
            sizes.append(sqlite_rows(path, "g")[2])
        check_dialogue(negotiator.state("g"), 30)
        ratios[history] = sizes[29] / sizes[9]
        # Each turn adds more than the one before under full (the lists are stored again at every step); under
        # latest the increments stay level (the last ten differ from the ten before by under a fifth).
        steps = [later - earlier for earlier, later in itertools.pairwise(sizes)]
        later, earlier = sum(steps[-10:]), sum(steps[-20:-10])
        if history == "latest":
            assert later < 1.2 * earlier, (later, earlier)
        else:
            assert later > 1.4 * earlier, (later, earlier)
    assert ratios["latest"] < 3.6, ratios
    assert ratios["full"] > 6.0, ratios


@pytest.mark.integration
def test_latest_on_postgres_keeps_one_checkpoint_and_resumes_a_failed_reply(postgres_url: str) -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    negotiator = open_negotiator(f"{postgres_url}?history=latest", model=model, sensor=keyword_sensor())
    assert negotiator.history == "latest"
    negotiator.send("p", "Hello.")
    assert checkpoints(negotiator, "p") == 1
    with pytest.raises(ReplyError):
        negotiator.send("p", "I am angry.")
    assert negotiator.pending("p") and checkpoints(negotiator, "p") > 1
    model.replies.append(offering("Second reply: {days} days."))
    assert negotiator.resume("p").turn == 2
    assert checkpoints(negotiator, "p") == 1 and not negotiator.pending("p")


def test_build_graph_takes_history_off_the_spec_and_refuses_latest(tmp_path: Path) -> None:
    spec = f"sqlite:///{tmp_path / 'd.db'}"
    graph = build_graph(f"{spec}?history=full", f"{spec}?history=full")
    assert graph.checkpointer is not None
    assert (tmp_path / "d.db").exists() and not list(tmp_path.glob("*history*"))
    with pytest.raises(HistoryModeError, match="open_negotiator"):
        build_graph(f"{spec}?history=latest")
