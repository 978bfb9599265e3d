"""Node ``check_compliance``: every reply passes the compliance guard before it leaves.

Two layers check the draft: the word rules and, unless ``Context.model_checks`` is off, the embedded compliance
model (one encoder pass over the reply); a violation from either counts. A draft with a violation is rewritten once
with the violations named; if the rewrite still violates (or misstates the timeline), the safe template goes out
instead. Every check is recorded with what was found and what was done,
so evaluations can count violations even when the client never saw them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.guard import ComplianceGuard, safe_template, violation_feedback
from eq_negotiator.negotiation.offers import states_offer
from eq_negotiator.nodes.common import context_of, latest_client_message, scenario_of
from eq_negotiator.nodes.replying import stated_days, write_reply

DISCLOSURE: Final[str] = (
    "This is a communication from a debt collector. This is an attempt to collect a debt, and any information "
    "obtained will be used for that purpose."
)
"""The FDCPA §1692e(11) disclosure, prepended to the first reply when ``Context.disclosure`` is on."""


def make_check_compliance(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def check_compliance(state: NegotiationState, runtime: Runtime[Context], config: RunnableConfig) -> dict[str, Any]:
        """Check the draft, redraft or replace it if needed, and send the result to the client."""
        context = context_of(runtime)
        scenario = scenario_of(state, context)
        guard = ComplianceGuard(scenario, services.perception(context))
        client_text = latest_client_message(state["messages"]).text
        draft = state["draft"]
        days = stated_days(state)
        first = guard.check(draft["text"], client_message=client_text)
        text, action, metadata = draft["text"], "passed", dict(draft.get("metadata", {}))
        remaining: list[dict[str, Any]] = []
        if not first.compliant:
            redraft = write_reply(services, state, context, config, feedback=violation_feedback(first), attempt=2)
            second = guard.check(redraft.text, client_message=client_text)
            if second.compliant and states_offer(redraft.text, days):
                text, action, metadata = redraft.text, "regenerated", redraft.metadata
            else:
                text, action = safe_template(scenario, days), "fallback"
                remaining = [v.to_dict() for v in second.violations]
        if context.disclosure and state.get("turn") == 1:
            text = f"{DISCLOSURE} {text}"
        record = {
            "turn": state.get("turn"),
            "violations": [v.to_dict() for v in first.violations],
            "action": action,
            "redraft_violations": remaining,
        }
        return {
            "messages": [AIMessage(content=text, response_metadata=metadata)],
            "guard": record,
            "guard_events": [record],
        }

    return check_compliance
