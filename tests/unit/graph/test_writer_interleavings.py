"""Property: however two writers' calls interleave on one thread, every message is answered exactly once, in order.

Two Negotiators (two workers, each with its own SQLite connections) on one file write the same thread from two
threads at once. Hypothesis picks each writer's calls (``send`` or ``stream``, each after a short pause), how long
each writer's readings take, and whether a writer first finishes any unfinished turn, as ``eqn chat`` does when it
starts: the pauses and reading times shift where the writers' turns meet. No writer crashes, so no call may be
refused, and the start-up check never finds a turn to finish.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eq_negotiator.graph import Negotiator, open_negotiator
from tests.writers import CONTEXT, SlowSensor, assert_serialised, message, shut_down

Call = tuple[str, float]
"""A writer's call: the method (``send`` or ``stream``) and the seconds it waits first."""

calls = st.lists(
    st.tuples(st.sampled_from(["send", "stream"]), st.sampled_from([0.0, 0.001, 0.005, 0.02])), min_size=1, max_size=3
)
reading_s = st.sampled_from([0.0, 0.005, 0.02])


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[tuple[Negotiator, SlowSensor], ...]]:
    """Two writers on one SQLite file, with their sensors (each example writes a thread of its own)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('interleavings') / 'shared.db'}"
    writers = []
    for _ in range(2):
        sensor = SlowSensor()
        writers.append((open_negotiator(db, context=CONTEXT, sensor=sensor), sensor))
    yield tuple(writers)
    for negotiator, _ in writers:
        shut_down(negotiator)


@settings(max_examples=20, deadline=None)
@given(calls_a=calls, calls_b=calls, reading_a=reading_s, reading_b=reading_s, starts=st.booleans())
def test_two_writers_keep_every_message_exactly_once(
    pair: tuple[tuple[Negotiator, SlowSensor], ...],
    calls_a: list[Call],
    calls_b: list[Call],
    reading_a: float,
    reading_b: float,
    starts: bool,
) -> None:
    thread_id = f"p-{uuid.uuid4().hex[:12]}"
    start = threading.Barrier(2)

    def write(negotiator: Negotiator, tag: str, script: list[Call]) -> None:
        start.wait()
        if starts:
            assert negotiator.finish_pending(thread_id) is None  # the other writer's turn is never taken for one
        for index, (method, pause) in enumerate(script):
            threading.Event().wait(pause)
            if method == "send":
                negotiator.send(thread_id, message(tag, index))
            else:
                assert "".join(negotiator.stream(thread_id, message(tag, index)))

    (first, sensor_a), (second, sensor_b) = pair
    sensor_a.delay, sensor_b.delay = reading_a, reading_b
    with ThreadPoolExecutor(2) as pool:
        futures = [pool.submit(write, first, "a", calls_a), pool.submit(write, second, "b", calls_b)]
        for future in futures:
            future.result(timeout=60)  # no call was refused or failed
    assert_serialised(first.state(thread_id), {"a": len(calls_a), "b": len(calls_b)})
