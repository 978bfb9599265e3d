"""A process killed (SIGKILL) in the middle of a turn: the turn resumes in a new process, with nothing lost or doubled.

A child process answers one turn on a SQLite file, then starts a second whose chat model blocks inside ``respond``
(after writing a marker file, so the parent knows the turn is inside the graph). The parent kills it, opens the same
file, finds the turn pending and resumes it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from eq_negotiator.graph.session import PendingTurnError, open_negotiator
from tests.unit.graph.fakes import ScriptedChatModel, close_connections, keyword_sensor, offering

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
FIRST = "Hello, I got your letter."
SECOND = "I am angry about these calls."

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path

    from eq_negotiator.graph.session import open_negotiator
    from tests.unit.graph.fakes import ScriptedChatModel, keyword_sensor, offering

    db, marker = sys.argv[1], Path(sys.argv[2])

    def block(messages):
        marker.write_text("inside respond", encoding="utf-8")
        time.sleep(600)  # killed long before this ends

    negotiator = open_negotiator(
        f"sqlite:///{db}", sensor=keyword_sensor(), model=ScriptedChatModel(replies=[offering(), block])
    )
    negotiator.send("crash", sys.argv[3])
    negotiator.send("crash", sys.argv[4])
    """
)


def test_a_turn_killed_mid_graph_resumes_once_in_a_new_process(tmp_path: Path) -> None:
    db, marker = tmp_path / "c.db", tmp_path / "marker"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(db), str(marker), FIRST, SECOND],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            if child.poll() is not None:
                output = child.stdout.read().decode(errors="replace") if child.stdout else ""
                pytest.fail(f"the child ended before reaching the reply (rc {child.returncode}):\n{output}")
            if time.monotonic() > deadline:
                pytest.fail("the child never reached the reply")
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout:
            child.stdout.close()

    model = ScriptedChatModel(replies=[offering("After the break: {days} days."), offering()])
    negotiator = open_negotiator(f"sqlite:///{db}", sensor=keyword_sensor(), model=model)
    assert negotiator.pending("crash")
    saved = negotiator.state("crash")
    assert [m.text for m in saved["messages"]] == [FIRST, saved["messages"][1].text, SECOND]
    with pytest.raises(PendingTurnError):
        negotiator.send("crash", "Hello?")

    result = negotiator.resume("crash")

    assert len(model.calls) == 1  # one reply written after the restart, for the pending turn only
    assert result.client == SECOND and result.turn == 2
    assert result.offer is not None and result.reply == f"After the break: {result.offer['days']} days."
    state = negotiator.state("crash")
    kinds = [type(m) for m in state["messages"]]
    assert kinds == [HumanMessage, AIMessage, HumanMessage, AIMessage]
    assert [m.text for m in state["messages"] if isinstance(m, HumanMessage)] == [FIRST, SECOND]
    assert state["messages"][-1].text == result.reply
    assert len({m.id for m in state["messages"]}) == 4
    assert state["turn"] == 2
    assert len(state["readings"]) == 2 and len(state["decisions"]) == 2 and len(state["offers"]) == 2
    assert [r["label"] for r in state["readings"]] == ["neutral", "anger"]
    assert not negotiator.pending("crash")
    assert negotiator.send("crash", "OK.").turn == 3  # and the dialogue goes on
    close_connections(negotiator.graph)
