"""Node ``select_strategy``: the policy chooses this turn's emotional stance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.emotions import LABELS, EmotionReading
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.nodes.common import context_of, history_of
from eq_negotiator.reasoning import STANCES


def make_select_strategy(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def select_strategy(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Ask the policy for a decision and record it, with its belief and forecast as plain lists."""
        context = context_of(runtime)
        policy = services.policy(context, runtime.store)
        reading = EmotionReading.from_dict(state["reading"])
        progress = state.get("progress", [None])[-1]
        decision = policy.decide(reading, history_of(state, include_current=False), progress)
        record = decision.to_dict()
        return {
            "decisions": [record],
            "decision": record,
            "stance": decision.stance,
            "belief": [decision.belief[s] for s in STANCES] if decision.belief else [],
            "forecast": [decision.forecast[label] for label in LABELS] if decision.forecast else [],
        }

    return select_strategy
