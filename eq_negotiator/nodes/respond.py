"""Node ``respond``: the chat model says the standing offer in the chosen stance."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import Any, Final

from langchain_core.messages import AIMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.runtime import Runtime

from eq_negotiator.dialogue import render_transcript
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.nodes.common import context_of, latest_client_message, transcript_turns
from eq_negotiator.responders import TemperatureSchedule, is_offline, model_name

SCHEDULE = TemperatureSchedule()

PROVIDER_MESSAGE_ID: Final[str] = "provider_message_id"
"""``response_metadata`` key of the reply's id as the provider gave it (the message itself gets a fresh id)."""

LC_AUTO_PREFIX: Final[str] = "lc_"
"""Prefix of the ids LangChain makes up for a message that came without one."""


class EmptyReplyError(RuntimeError):
    """The chat model answered with no text."""


def offer_days(state: NegotiationState) -> int:
    """The timeline the agent states this turn: the creditor's target until the negotiation layer sets offers."""
    return int(state["scenario"]["creditor_target_days"])


def temperature_for(context: Context, turn: int) -> float | None:
    """The fixed temperature, else the scheduled one, else ``None`` (provider default)."""
    if context.temperature is not None:
        return context.temperature
    return SCHEDULE.at(turn) if context.temperature_schedule else None


def reply_seed(seed: int, thread_id: str, turn: int) -> int:
    """A phrasing seed that is stable across processes (Python's ``hash`` is not)."""
    return zlib.crc32(f"{seed}:{thread_id}:{turn}".encode())


def make_respond(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def respond(state: NegotiationState, runtime: Runtime[Context], config: RunnableConfig) -> dict[str, Any]:
        """Render the prompts, call the model (or the offline responder) and append its reply."""
        context = context_of(runtime)
        model = services.chat_model(context)
        prompts = services.prompts(context)
        scenario, turn, stance = state["scenario"], state["turn"], state.get("stance")
        days = offer_days(state)
        values = {
            "creditor": scenario["creditor"],
            "debtor": scenario["debtor"],
            "balance": f"{scenario['currency']} {float(scenario['balance']):,.2f}",
            "days_overdue": scenario["days_overdue"],
            "offer_days": days,
            "turn": turn,
            "transcript": render_transcript(transcript_turns(state["messages"])),
        }
        values["stance_instruction"] = prompts.stance_instruction(stance, values)
        prompt = [SystemMessage(prompts.render_system(values)), latest_client_message(state["messages"])]
        temperature = temperature_for(context, turn)
        offline = is_offline(model)
        if offline:
            thread_id = str(config.get("configurable", {}).get("thread_id", ""))
            seed = reply_seed(context.seed, thread_id, turn)
            reply = model.invoke(prompt, stance=stance, scenario=scenario, offer_days=days, seed=seed)
            temperature = None
        else:
            runnable = model.bind(temperature=temperature) if temperature is not None else model
            reply = runnable.invoke(prompt)
        text = reply.text.strip()
        if not text:
            raise EmptyReplyError(f"the model {model_name(model)!r} returned an empty reply")
        metadata = dict(reply.response_metadata)
        # The message gets no id here, so add_messages gives it a fresh one: a provider (or proxy) that repeats an
        # id would otherwise make the reducer overwrite an earlier reply. The provider's own id is kept for
        # tracing; ids LangChain derives from its run id ("lc_run-...") name no provider message and are dropped.
        if reply.id and not reply.id.startswith(LC_AUTO_PREFIX):
            metadata[PROVIDER_MESSAGE_ID] = reply.id
        return {
            "messages": [AIMessage(content=text, response_metadata=metadata)],
            "reply": {"offline": offline, "model": model_name(model), "temperature": temperature},
        }

    return respond
