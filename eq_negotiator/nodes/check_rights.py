"""Node ``check_rights``: messages that must stop the negotiation rather than be negotiated with.

A crisis or self-harm statement, a request to stop contact (FDCPA §1692c(c)), an attorney (§1692c(a)(2)), a dispute
of the debt, or a request not to be contacted at work. Detection is deterministic (``negotiation.rights``); on a
hit the graph answers with the fixed reply for that event and hands the thread to a person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.rights import detect_rights_events, most_serious
from eq_negotiator.nodes.common import latest_client_message


def make_check_rights(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def check_rights(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Record every rights event in the client's message; the most serious escalating one stops the turn.

        Non-escalating events (a threat by the client) are recorded but the negotiation goes on.
        """
        events = detect_rights_events(latest_client_message(state["messages"]).text)
        if not events:
            return {"rights_event": None}
        turn = state.get("turn", 0) + 1
        serious = most_serious(event for event in events if event.escalates)
        return {
            "rights_event": serious.to_dict() | {"turn": turn} if serious is not None else None,
            "rights_events": [event.to_dict() | {"turn": turn} for event in events],
        }

    return check_rights
