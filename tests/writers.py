"""Concurrent writers on one dialogue, for the single-writer tests (threads, and processes through ``main``).

Run as ``python -m tests.writers DB THREAD TURNS TAG BARRIER_DIR``: the worker opens a Negotiator on ``DB``, writes
``BARRIER_DIR/ready-TAG``, waits for ``BARRIER_DIR/go`` (so that two workers start together), sends ``TURNS``
messages on ``THREAD`` and prints the turn numbers it got as JSON.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.messages import AIMessage, HumanMessage

from eq_negotiator.graph import Context, Negotiator, open_negotiator
from tests.unit.graph.fakes import ScriptedSensor

SENSE_DELAY_S = 0.03
"""How long each reading takes: it widens the window in which two unserialised turns would interleave."""

CONTEXT = Context(max_rounds=100)
"""No negotiation ends within a test's turns."""

LETTERS = "abcdefghijklmnopqrstuvwxyz"


class SlowSensor(ScriptedSensor):
    """The keyword-free scripted sensor (always neutral), ``delay`` seconds per reading."""

    def __init__(self, delay: float = SENSE_DELAY_S) -> None:
        super().__init__(keywords={})
        self.delay = delay

    def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        time.sleep(self.delay)
        return super()._probabilities(texts)


def message(tag: str, index: int) -> str:
    """The ``index``-th message of writer ``tag`` (no digits: a number would read as an offer)."""
    return f"Hello from writer {tag}, note {LETTERS[index]}."


def write_turns(negotiator: Negotiator, thread_id: str, turns: int, tag: str) -> list[int]:
    """Send ``turns`` messages of writer ``tag``; the turn numbers the replies carried."""
    return [negotiator.send(thread_id, message(tag, index)).turn for index in range(turns)]


def assert_serialised(state: dict[str, Any], turns_by_tag: dict[str, int]) -> None:
    """The thread's state shows strictly serialised turns: every message once, in order, client and agent alternating.

    Args:
        state: The thread's state values.
        turns_by_tag: How many messages each writer sent.
    """
    messages = state["messages"]
    total = sum(turns_by_tag.values())
    assert state["turn"] == total
    assert len(messages) == 2 * total
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * total  # no turn lost its reply or doubled
    said = [m.text for m in messages[::2]]
    for tag, turns in turns_by_tag.items():
        mine = [text for text in said if text.startswith(f"Hello from writer {tag},")]
        assert mine == [message(tag, index) for index in range(turns)]  # each once, in the writer's order
    assert all(reply.text for reply in messages[1::2])


def main(argv: list[str]) -> int:
    db, thread_id, turns, tag, barrier = argv[0], argv[1], int(argv[2]), argv[3], Path(argv[4])
    negotiator = open_negotiator(db, context=CONTEXT, sensor=SlowSensor())
    (barrier / f"ready-{tag}").touch()
    deadline = time.monotonic() + 60
    while not (barrier / "go").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("the test never said go")
        time.sleep(0.005)
    print(json.dumps(write_turns(negotiator, thread_id, turns, tag)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
