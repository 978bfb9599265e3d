"""Drive the turn graph from openevals' multi-turn simulator, then score the thread with our evaluators.

openevals' ``run_multiturn_simulation`` calls an ``app(inputs, *, thread_id)`` once per simulated-user message and
scores the final chat trajectory. The negotiation's ground truth (offers, agreement, readings, guard records) lives
in the graph's checkpoint, not in the chat messages, so :func:`score_thread` reads the thread's final state, builds
the dialogue record and runs the record evaluators on it::

    app = graph_app(negotiator)
    run_multiturn_simulation(app=app, user=lines, max_turns=len(lines), thread_id="sim-1",
                             stopping_condition=app.stopping_condition)
    scores = score_thread(negotiator, "sim-1", ALL_EVALUATORS, scenario_id=..., persona=..., policy=..., seed=...,
                          creditor_model="offline", debtor="static")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eq_negotiator.evals.evaluators import ALL_EVALUATORS, Evaluator
from eq_negotiator.evals.records import record_from_state
from eq_negotiator.graph.session import Negotiator, TurnResult


def message_text(message: Any) -> str:
    """The text of a simulator message: an OpenAI-style dict, a LangChain message or a string.

    Raises:
        ValueError: If it holds no text.
    """
    if isinstance(message, str):
        return message
    content = message.get("content") if isinstance(message, Mapping) else getattr(message, "content", None)
    if isinstance(content, list):  # content blocks: keep the text ones
        content = "".join(
            str(block.get("text", "")) if isinstance(block, Mapping) else str(block)
            for block in content
            if not isinstance(block, Mapping) or block.get("type") in (None, "text")
        )
    if not isinstance(content, str) or not content.strip():
        raise ValueError(f"the simulated user's message holds no text: {message!r}")
    return content


class GraphApp:
    """The negotiator as an openevals simulator app: one client message in, the agent's reply out.

    Attributes:
        negotiator: Answers each message (``Negotiator.send``).
        last: Each thread's latest answered turn.
        current: The thread served most recently (what :meth:`stopping_condition` looks at).
    """

    def __init__(self, negotiator: Negotiator) -> None:
        self.negotiator = negotiator
        self.last: dict[str, TurnResult] = {}
        self.current: str | None = None

    def __call__(self, inputs: Any, *, thread_id: str, **kwargs: Any) -> dict[str, Any]:
        """Send the simulated user's message on ``thread_id`` and return the agent's reply as an assistant message.

        Raises:
            DialogueClosedError: If the dialogue already ended (stop the simulation with
                :meth:`stopping_condition`).
            EscalatedError: If the thread waits for an operator.
        """
        result = self.negotiator.send(thread_id, message_text(inputs))
        self.last[thread_id] = result
        self.current = thread_id
        return {"role": "assistant", "content": result.reply}

    def ended(self, thread_id: str) -> bool:
        """Whether the thread's dialogue can take no more messages (ended, escalated, closed)."""
        result = self.last.get(thread_id)
        return result is not None and result.status != "ongoing"

    def stopping_condition(self, trajectory: Sequence[Any], *, turn_counter: int, **kwargs: Any) -> bool:
        """The simulator's ``stopping_condition``: stop once the thread just served has ended.

        The simulator passes no thread id, so this reads the thread of the latest call: use one app per
        simulation at a time (simulations run one after another are fine).
        """
        return self.current is not None and self.ended(self.current)


def graph_app(negotiator: Negotiator) -> GraphApp:
    """An openevals simulator ``app`` over ``negotiator`` (see :class:`GraphApp`)."""
    return GraphApp(negotiator)


def score_thread(
    negotiator: Negotiator,
    thread_id: str,
    evaluators: Sequence[Evaluator] = ALL_EVALUATORS,
    **record_fields: Any,
) -> dict[str, Any]:
    """Score a finished thread: read its final state, build the record, run the evaluators on it.

    Args:
        negotiator: The negotiator whose checkpointer holds the thread.
        thread_id: The simulation's thread.
        evaluators: Record evaluators (and, if wanted, ``make_trajectory_evaluator(negotiator)``: the run's
            outputs carry the thread id).
        **record_fields: The keyword arguments of :func:`~eq_negotiator.evals.records.record_from_state`
            (``scenario_id``, ``persona``, ``policy``, ``seed``, ``creditor_model``, ``debtor``...).

    Returns:
        ``{"record": the dialogue record, "scores": {key: {"key", "score", "comment"}}}``.

    Raises:
        ValueError: If the thread has no messages.
        RecordError: If the record cannot be built (see ``record_from_state``).
    """
    state = negotiator.state(thread_id)
    if not state.get("messages"):
        raise ValueError(f"thread {thread_id!r} has no messages: nothing to score")
    record = record_from_state(state, **record_fields)
    run = {"outputs": {"record": record, "thread_id": thread_id}}
    results = [evaluator(run, None) for evaluator in evaluators]
    return {"record": record, "scores": {result["key"]: result for result in results}}
