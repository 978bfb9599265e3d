"""Node ``unsupported_language``: answer a message the agent cannot read, without negotiating on it.

``sense_emotion`` found the message is in a language the sensor and the offer parser do not read. Nothing in it is
taken as terms: the offer, the negotiation's status and the policy's history stay as they were. The draft is the
fixed English reply (:func:`~eq_negotiator.sensing.language.unsupported_language_reply`: we cannot read it, please
write in English, or a person can help), and it goes through ``check_compliance`` like every reply. The dialogue
stays open; ``unsupported_languages`` records the turn, so a person can follow up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.nodes.common import context_of, scenario_of
from eq_negotiator.sensing.language import LanguageReading, unsupported_language_reply


def make_unsupported_language(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def unsupported_language(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Draft the fixed reply, count the turn and record its language."""
        entry = state["language"]
        reading = LanguageReading.from_dict(entry)
        scenario = scenario_of(state, context_of(runtime))
        turn = state.get("turn", 0) + 1
        update: dict[str, Any] = {
            "draft": {
                "text": unsupported_language_reply(reading, scenario.creditor),
                "metadata": {"unsupported_language": reading.code},
                "offer_check": "fixed",
                "days": None,
            },
            "reply": {"offline": False, "model": "", "temperature": None},
            "stance": None,
            "turn": turn,
            "unsupported_languages": [entry | {"turn": turn}],
        }
        if not state.get("scenario"):  # the first turn: fixed here, as update_history would have (the guard needs it)
            update["scenario"] = scenario.to_state()
        return update

    return unsupported_language
