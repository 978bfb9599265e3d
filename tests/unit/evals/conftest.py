"""Fixtures for the evaluation tests: one offline negotiator shared by every test (the sensor takes ~2 s to load)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.session import Negotiator, open_negotiator

_THREADS = itertools.count()


@pytest.fixture(scope="session")
def negotiator() -> Negotiator:
    """An offline negotiator (embedded sensor, offline responder) over in-memory persistence, policy learning off."""
    return open_negotiator("memory", context=Context(policy="eq", seed=0, learn=False), durability="sync")


@pytest.fixture(scope="session")
def demo(negotiator: Negotiator) -> tuple[str, dict[str, Any]]:
    """The ``eqn demo`` script played once (it ends in agreement): its thread id and final state."""
    from eq_negotiator.cli.negotiate import DEMO_SCRIPT

    thread_id = "evals-demo"
    for line in DEMO_SCRIPT:
        negotiator.send(thread_id, line)
    return thread_id, negotiator.state(thread_id)


Play = Callable[[Sequence[str]], tuple[str, dict[str, Any]]]


@pytest.fixture()
def play(negotiator: Negotiator) -> Iterator[Play]:
    """Send client lines on a fresh thread until the dialogue ends; return the thread id and its final state."""

    def run(lines: Sequence[str]) -> tuple[str, dict[str, Any]]:
        thread_id = f"evals-{next(_THREADS)}"
        for line in lines:
            negotiator.send(thread_id, line)
            if negotiator.state(thread_id).get("closed") or negotiator.escalated(thread_id):
                break
        return thread_id, negotiator.state(thread_id)

    yield run
