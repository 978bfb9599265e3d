"""Wiring of the turn graph: sense_emotion -> ... -> select_strategy -> answer_offer -> respond (see make_builder).

A run whose input carries ``close_request`` goes to ``close_dialogue`` instead, which ends the dialogue and lets the
policy learn from it. A message in a language the agent does not read goes to ``unsupported_language`` (a fixed
reply, checked by ``check_compliance``) and negotiates nothing. The ``respond`` node retries transient model
failures (timeouts, 429, 5xx) with exponential backoff; every earlier step is already checkpointed, so a failed
reply can be retried on the same thread.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import RetryPolicy

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.persistence import open_checkpointer, open_store, prepare_persistence
from eq_negotiator.graph.services import ModelLayer, Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import TERMINAL_STATUSES
from eq_negotiator.nodes import (
    make_answer_offer,
    make_check_compliance,
    make_check_rights,
    make_close_dialogue,
    make_escalate,
    make_handle_rights,
    make_respond,
    make_select_strategy,
    make_sense_emotion,
    make_track_offers,
    make_unsupported_language,
    make_update_history,
)
from eq_negotiator.responders import is_transient_error
from eq_negotiator.sensing import EmotionSensor

TURN_NODES: Final[tuple[str, ...]] = (
    "sense_emotion",
    "check_rights",
    "track_offers",
    "update_history",
    "select_strategy",
    "answer_offer",
    "respond",
    "check_compliance",
)
"""The nodes one client turn passes through, in order."""

MODEL_RETRY: Final[RetryPolicy] = RetryPolicy(
    initial_interval=1.0, backoff_factor=2.0, max_interval=20.0, max_attempts=4, retry_on=is_transient_error
)
"""Retries of the ``respond`` node: 4 attempts over about 7 s, only for failures a retry can fix."""


def _route_start(state: NegotiationState) -> Literal["sense_emotion", "close_dialogue"]:
    return "close_dialogue" if state.get("close_request") is not None else "sense_emotion"


def _route_rights(state: NegotiationState) -> Literal["handle_rights", "unsupported_language", "track_offers"]:
    # A rights event first: a crisis or a cease request is answered even in a message the agent cannot negotiate on.
    if state.get("rights_event"):
        return "handle_rights"
    if not (state.get("language") or {}).get("supported", True):
        return "unsupported_language"
    return "track_offers"


def _route_after_reply(state: NegotiationState) -> str:
    return "close_dialogue" if state.get("status") in TERMINAL_STATUSES else END


def make_builder(
    services: Services | None = None, *, retry: RetryPolicy = MODEL_RETRY
) -> StateGraph[Any, Any, Any, Any]:
    """Return the uncompiled graph over ``services`` (fresh ones when omitted).

    Per client turn: ``sense_emotion`` -> ``check_rights`` -> (a rights event: ``handle_rights`` -> ``escalate``,
    which waits for a person; a language the agent does not read: ``unsupported_language`` -> ``check_compliance``)
    ``track_offers`` -> ``update_history`` -> ``select_strategy`` -> ``answer_offer`` -> ``respond`` ->
    ``check_compliance`` -> (an ended negotiation: ``close_dialogue``). The client's terms are read before the policy
    decides (their movement is its progress signal); the creditor's answer comes after, so its offer follows this
    turn's belief about the client. A run with ``close_request`` goes straight to ``close_dialogue``.

    Args:
        services: Resolves the sensor, policy, prompts and chat model each run's context names.
        retry: Retry policy of the nodes that call the chat model (``respond``, ``check_compliance``).
    """
    services = services or Services()
    graph = StateGraph(NegotiationState, context_schema=Context)
    graph.add_node("sense_emotion", make_sense_emotion(services))
    graph.add_node("check_rights", make_check_rights(services))
    graph.add_node("handle_rights", make_handle_rights(services))
    graph.add_node("escalate", make_escalate(services))
    graph.add_node("track_offers", make_track_offers(services))
    graph.add_node("update_history", make_update_history(services))
    graph.add_node("select_strategy", make_select_strategy(services))
    graph.add_node("answer_offer", make_answer_offer(services))
    graph.add_node("respond", make_respond(services), retry_policy=retry)
    graph.add_node("unsupported_language", make_unsupported_language(services))
    graph.add_node("check_compliance", make_check_compliance(services), retry_policy=retry)
    graph.add_node("close_dialogue", make_close_dialogue(services))
    graph.add_conditional_edges(START, _route_start, ["sense_emotion", "close_dialogue"])
    graph.add_edge("sense_emotion", "check_rights")
    graph.add_conditional_edges(
        "check_rights", _route_rights, ["handle_rights", "unsupported_language", "track_offers"]
    )
    graph.add_edge("unsupported_language", "check_compliance")
    graph.add_edge("handle_rights", "escalate")
    graph.add_edge("escalate", END)
    graph.add_edge("track_offers", "update_history")
    graph.add_edge("update_history", "select_strategy")
    graph.add_edge("select_strategy", "answer_offer")
    graph.add_edge("answer_offer", "respond")
    graph.add_edge("respond", "check_compliance")
    graph.add_conditional_edges("check_compliance", _route_after_reply, ["close_dialogue", END])
    graph.add_edge("close_dialogue", END)
    return graph


def build_graph(
    checkpointer: str | BaseCheckpointSaver[Any] | None = None,
    store: str | BaseStore | None = None,
    *,
    model: BaseChatModel | None = None,
    sensor: EmotionSensor | None = None,
    perception: ModelLayer | None = None,
    retry: RetryPolicy = MODEL_RETRY,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Compile the turn graph for embedding.

    Args:
        checkpointer: A checkpointer, or a spec (``memory``, ``sqlite:///path.db``, ``postgresql://...``); ``None``
            for no persistence (each run then starts a new dialogue).
        store: Where policies keep what they learn across dialogues: a store or a spec; ``None`` keeps it in this
            process only.
        model: A chat model for every run (overrides ``Context.model``).
        sensor: An emotion sensor for every run (overrides ``Context.sensor``).
        perception: Model layer for the rights and compliance checks (default: the embedded perception
            model; ``Context.model_checks=False`` turns it off).
        retry: Retry policy of the ``respond`` node.

    Returns:
        The compiled graph, its persistence ready (PostgreSQL pools open, tables created); run it with
        ``context=Context(...)`` and ``{"configurable": {"thread_id": ...}}``.

    Raises:
        PersistenceSpecError: For a malformed spec.
        HistoryModeError: For ``?history=latest`` (pruning needs :func:`~eq_negotiator.graph.open_negotiator`).
        PersistenceError: If the database cannot be opened or reached (see :func:`prepare_persistence`).
    """
    from eq_negotiator.graph.history import HistoryModeError, split_history

    if isinstance(checkpointer, str):
        checkpointer, history = split_history(checkpointer)
        if history == "latest":  # pruning is done by the session API after each turn, never by the bare graph
            raise HistoryModeError("history=latest needs the session API: use open_negotiator(spec) instead")
    if isinstance(store, str):
        store = split_history(store)[0]
    services = Services(model=model, sensor=sensor, perception=perception)
    saver = open_checkpointer(checkpointer) if checkpointer is not None else None
    opened_store = open_store(store, share_with=saver) if store is not None else None
    prepare_persistence(saver, opened_store)
    return make_builder(services, retry=retry).compile(checkpointer=saver, store=opened_store, name="eq-negotiator")


builder = make_builder()
"""The uncompiled graph (default services)."""

graph = builder.compile(name="eq-negotiator")
"""The graph compiled without a checkpointer: what ``langgraph dev`` serves (the server brings persistence)."""
