"""Node ``update_history``: record this turn's reading in the dialogue's history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import SCHEMA_VERSION, NegotiationState
from eq_negotiator.nodes.common import context_of
from eq_negotiator.scenario import Scenario


def make_update_history(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def update_history(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Append the reading and the progress signal, count the turn, and fix the scenario on the first turn.

        The belief update itself belongs to the policy (its HMM filters the appended history in
        ``select_strategy``), so a policy that keeps no belief pays nothing for it.
        """
        update: dict[str, Any] = {
            "readings": [state["reading"]],
            # Set by track_offers; None (no signal) when the client named no terms this turn.
            "progress": [state.get("progress_signal")],
            "turn": state.get("turn", 0) + 1,
            "schema_version": SCHEMA_VERSION,
        }
        if not state.get("scenario"):
            update["scenario"] = Scenario(**context_of(runtime).scenario).to_state()
        return update

    return update_history
