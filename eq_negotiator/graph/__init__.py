"""The LangGraph turn graph: state, run settings, wiring, persistence and a session API."""

from eq_negotiator.graph.builder import TURN_NODES, build_graph, builder, graph, make_builder
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.persistence import PersistenceSpecError, open_checkpointer, open_store
from eq_negotiator.graph.session import (
    Negotiator,
    PendingTurnError,
    ReplyError,
    ThreadIdError,
    TurnResult,
    open_negotiator,
    stream_reply,
)
from eq_negotiator.graph.state import SCHEMA_VERSION, NegotiationState

__all__ = [
    "SCHEMA_VERSION",
    "TURN_NODES",
    "Context",
    "NegotiationState",
    "Negotiator",
    "PendingTurnError",
    "PersistenceSpecError",
    "ReplyError",
    "ThreadIdError",
    "TurnResult",
    "build_graph",
    "builder",
    "graph",
    "make_builder",
    "open_checkpointer",
    "open_negotiator",
    "open_store",
    "stream_reply",
]
