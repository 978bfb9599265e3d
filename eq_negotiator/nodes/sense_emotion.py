"""Node ``sense_emotion``: read the emotion in the client's newest message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.dialogue import DialogueClosedError, check_client_message
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.nodes.common import context_of, latest_client_message


def make_sense_emotion(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def sense_emotion(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Check the client's message and read its emotion into ``reading``."""
        if state.get("closed"):
            raise DialogueClosedError("this dialogue has ended; start a new thread")
        context = context_of(runtime)
        text = check_client_message(latest_client_message(state.get("messages", [])).text, context.max_message_chars)
        reading = services.sensor(context).read(text)
        return {"reading": reading.to_dict()}

    return sense_emotion
