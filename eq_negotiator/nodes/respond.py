"""Node ``respond``: the chat model says the standing offer in the chosen stance.

The numbers never come from the model: the prompt gives it the exact timeline to state, and the draft is checked
for it. A draft that states another timeline (or none) is rewritten once with the mistake named, then replaced by
the safe template that states the offer; a draft that repeats the system prompt goes straight to the template.
The draft goes to ``check_compliance`` before it reaches the client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.guard import safe_template
from eq_negotiator.negotiation.offers import states_offer
from eq_negotiator.nodes.common import context_of, scenario_of
from eq_negotiator.nodes.replying import leaks_prompt, stated_days, write_reply


def make_respond(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def respond(state: NegotiationState, runtime: Runtime[Context], config: RunnableConfig) -> dict[str, Any]:
        """Draft the reply and make sure it states exactly this turn's timeline."""
        context = context_of(runtime)
        days = stated_days(state)
        draft = write_reply(services, state, context, config)
        text, offer_check = draft.text, "stated"
        if leaks_prompt(text, draft.system_prompt):
            text, offer_check = safe_template(scenario_of(state, context), days), "template"
        elif not states_offer(text, days):
            redraft = write_reply(
                services,
                state,
                context,
                config,
                feedback=f"it must state exactly {days} days as the repayment timeline, and no other timeline.",
                attempt=1,
            )
            if states_offer(redraft.text, days) and not leaks_prompt(redraft.text, redraft.system_prompt):
                draft, text, offer_check = redraft, redraft.text, "redrafted"
            else:
                text, offer_check = safe_template(scenario_of(state, context), days), "template"
        return {
            "draft": {"text": text, "metadata": draft.metadata, "offer_check": offer_check, "days": days},
            "reply": draft.reply_record(),
        }

    return respond
