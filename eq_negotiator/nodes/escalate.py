"""Nodes ``handle_rights`` and ``escalate``: answer a rights event with care, then hand the thread to a person.

``handle_rights`` sends the fixed reply for the event (support resources for a crisis, confirmation of a cease or
work-contact request, a request for the attorney's details, the dispute procedure: never payment talk).
``escalate`` then pauses the thread with a LangGraph ``interrupt``; an operator resumes it with
``Command(resume={"action": "continue" | "close", "operator": ..., "note": ...})``. Until then nothing more is said
on the thread. They are two nodes because an interrupted node runs again from its start when resumed: the reply
must already have been sent and saved by then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from langchain_core.messages import AIMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.rights import RightsEvent, appropriate_reply
from eq_negotiator.nodes.common import context_of, scenario_of

RESUME_ACTIONS: Final[tuple[str, ...]] = ("continue", "close")
"""What an operator may decide: let the agent continue the thread, or close it."""


def make_handle_rights(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def handle_rights(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Send the event's fixed reply and mark the thread escalated."""
        event = state["rights_event"] or {}
        rights_event = RightsEvent(kind=event["kind"], span=tuple(event["span"]), reason=event["reason"])
        reply = appropriate_reply(rights_event, scenario_of(state, context_of(runtime)))
        return {
            "messages": [AIMessage(content=reply, response_metadata={"rights_event": event.get("kind")})],
            "status": "escalated",
            "turn": state.get("turn", 0) + 1,
            "escalation": {"event": event, "decision": None},
        }

    return handle_rights


def make_escalate(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def escalate(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Pause for a person; apply their decision when they resume the thread."""
        escalation = state.get("escalation") or {}
        request: dict[str, Any] = {
            "reason": "client rights or vulnerability: a person must review this thread",
            "event": escalation.get("event"),
            "reply_sent": state["messages"][-1].text if state.get("messages") else None,
            "resume_with": {"action": "continue | close", "operator": "name", "note": "text"},
        }
        # A malformed answer is not an error to raise: LangGraph would keep it as this interrupt's answer and the
        # thread could never be resumed. Ask again, saying what was wrong.
        decision = interrupt(request)
        while not _valid_decision(decision):
            decision = interrupt(request | {"error": f"invalid resume value {decision!r}"})
        action = str(decision["action"])
        update: dict[str, Any] = {
            "escalation": {**escalation, "decision": dict(decision)},
            "rights_event": None,
            "status": "ongoing" if action == "continue" else "closed",
        }
        if action == "close":
            update["closed"] = True
        return update

    return escalate


def _valid_decision(decision: Any) -> bool:
    return isinstance(decision, Mapping) and decision.get("action") in RESUME_ACTIONS
