"""Node ``close_dialogue``: end the dialogue and let the policy learn from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.dialogue import DialogueClosedError
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import FAILED_STATUSES
from eq_negotiator.nodes.common import context_of, history_of


def make_close_dialogue(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def close_dialogue(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Update the policy's cross-dialogue learning from this dialogue and mark it closed."""
        if state.get("closed"):
            raise DialogueClosedError("this dialogue has already ended")
        context = context_of(runtime)
        # Closed by the caller (close_request), or by the graph itself when the negotiation ended.
        status = state.get("status")
        ended: bool | None = True if status == "agreed" else False if status in FAILED_STATUSES else None
        request = state.get("close_request") or {"succeeded": ended}
        history = history_of(state, include_current=False)
        if context.learn and len(history):
            policy = services.policy(context, runtime.store)
            policy.learn(history, request.get("succeeded"))
            services.save_policy(context, runtime.store, policy)
        return {"closed": True, "close_request": None}

    return close_dialogue
