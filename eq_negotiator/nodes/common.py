"""Small readers of graph state shared by the nodes."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langgraph.runtime import Runtime

from eq_negotiator.dialogue import AGENT, CLIENT, ClientMessageError
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.reasoning import History
from eq_negotiator.scenario import Scenario


def context_of(runtime: Runtime[Context]) -> Context:
    """The run's context, or the defaults when the caller passed none."""
    return runtime.context if isinstance(runtime.context, Context) else Context()


def scenario_of(state: NegotiationState, context: Context) -> Scenario:
    """The dialogue's scenario: the one fixed in state, or (before ``update_history`` fixes it) the context's."""
    return Scenario(**(state.get("scenario") or context.scenario))


def latest_client_message(messages: list[AnyMessage]) -> HumanMessage:
    """The client message this turn answers: the last message, which must be the client's.

    Raises:
        ClientMessageError: If the last message is not from the client (nothing to answer).
    """
    if not messages or not isinstance(messages[-1], HumanMessage):
        raise ClientMessageError("there is no new client message to answer (send one in 'messages')")
    return messages[-1]


def transcript_turns(messages: list[AnyMessage]) -> list[tuple[str, str]]:
    """The conversation as (speaker, text) pairs."""
    turns: list[tuple[str, str]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            turns.append((CLIENT, message.text))
        elif isinstance(message, AIMessage):
            turns.append((AGENT, message.text))
    return turns


def history_of(state: NegotiationState, *, include_current: bool) -> History:
    """The policy history recorded in state, with or without this turn's (undecided) reading."""
    readings: list[dict[str, Any]] = state.get("readings", [])
    progress = state.get("progress", [])
    decisions = state.get("decisions", [])
    if not include_current:
        readings, progress = readings[: len(decisions)], progress[: len(decisions)]
    return History.from_dict({"readings": readings, "decisions": decisions, "progress": progress})
