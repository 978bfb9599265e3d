"""Node ``check_rights``: messages that must stop the negotiation rather than be negotiated with.

A crisis or self-harm statement, a request to stop contact (FDCPA §1692c(c)), an attorney (§1692c(a)(2)), a dispute
of the debt, or a request not to be contacted at work. Two layers read the message (``negotiation.rights``): the
word rules and, unless ``Context.model_checks`` is off, the embedded perception model, whose pass the emotion
sensor already ran on this message. Either layer escalates; each event records which layer fired, with the matched
words (rules) or the probability and the sentence that scored highest (model). On a hit the graph answers with the
fixed reply for that event and hands the thread to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.rights import detect_rights, most_serious
from eq_negotiator.nodes.common import context_of, latest_client_message


def make_check_rights(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def check_rights(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Record every rights event in the client's message; the most serious escalating one stops the turn.

        Non-escalating events (a threat by the client) are recorded but the negotiation goes on.
        """
        model = services.perception(context_of(runtime))
        events = detect_rights(latest_client_message(state["messages"]).text, model)
        if not events:
            return {"rights_event": None}
        turn = state.get("turn", 0) + 1
        serious = most_serious(event for event in events if event.escalates)
        return {
            "rights_event": serious.to_dict() | {"turn": turn} if serious is not None else None,
            "rights_events": [event.to_dict() | {"turn": turn} for event in events],
        }

    return check_rights
