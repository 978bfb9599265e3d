"""The LangGraph turn graph: state, run settings, wiring, persistence and a session API.

The uncompiled ``builder`` is exported by :mod:`eq_negotiator.graph.builder` (the package attribute of that name
is the module). Names are imported on first use: the nodes import :mod:`eq_negotiator.graph.context`, and an
eager import of the builder here would import the nodes back while they are still loading.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "SCHEMA_VERSION": "state",
    "NegotiationState": "state",
    "Context": "context",
    "TURN_NODES": "builder",
    "build_graph": "builder",
    "graph": "builder",
    "make_builder": "builder",
    "PersistenceError": "persistence",
    "PersistenceSpecError": "persistence",
    "CheckpointIntegrityError": "persistence",
    "CheckpointKeyError": "persistence",
    "ThreadBusyError": "locking",
    "HistoryModeError": "history",
    "open_checkpointer": "persistence",
    "open_store": "persistence",
    "prepare_persistence": "persistence",
    "Negotiator": "session",
    "PendingTurnError": "session",
    "ReplyError": "session",
    "ThreadIdError": "session",
    "TurnResult": "session",
    "open_negotiator": "session",
    "stream_reply": "session",
}

if TYPE_CHECKING:
    from eq_negotiator.graph.builder import TURN_NODES, build_graph, graph, make_builder
    from eq_negotiator.graph.context import Context
    from eq_negotiator.graph.history import HistoryModeError
    from eq_negotiator.graph.locking import ThreadBusyError
    from eq_negotiator.graph.persistence import (
        CheckpointIntegrityError,
        CheckpointKeyError,
        PersistenceError,
        PersistenceSpecError,
        open_checkpointer,
        open_store,
        prepare_persistence,
    )
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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'eq_negotiator.graph' has no attribute {name!r}")
    return getattr(import_module(f"eq_negotiator.graph.{module}"), name)


__all__ = [
    "SCHEMA_VERSION",
    "TURN_NODES",
    "CheckpointIntegrityError",
    "CheckpointKeyError",
    "Context",
    "HistoryModeError",
    "NegotiationState",
    "Negotiator",
    "PendingTurnError",
    "PersistenceError",
    "PersistenceSpecError",
    "ReplyError",
    "ThreadBusyError",
    "ThreadIdError",
    "TurnResult",
    "build_graph",
    "graph",
    "make_builder",
    "open_checkpointer",
    "open_negotiator",
    "open_store",
    "prepare_persistence",
    "stream_reply",
]
