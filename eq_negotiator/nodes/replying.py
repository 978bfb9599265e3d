"""Writing one agent reply: the prompt for this turn and one call to the chat model (or the offline responder).

Shared by ``respond`` (the first draft, and its redraft when it misstates the offer) and ``check_compliance`` (the
redraft when the guard finds a violation), so every attempt is written from the same prompt.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any, Final

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import SystemMessage
from langchain_core.runnables import RunnableConfig
from langgraph.constants import TAG_NOSTREAM

from eq_negotiator.dialogue import render_transcript
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import FAILED_STATUSES
from eq_negotiator.nodes.common import latest_client_message, transcript_turns
from eq_negotiator.responders import TemperatureSchedule, is_offline, model_name

SCHEDULE = TemperatureSchedule()

PROVIDER_MESSAGE_ID: Final[str] = "provider_message_id"
"""``response_metadata`` key of the reply's id as the provider gave it (the message itself gets a fresh id)."""

LC_AUTO_PREFIX: Final[str] = "lc_"
"""Prefix of the ids LangChain makes up for a message that came without one."""

NOTES: Final[dict[str, str]] = {
    "offer": "the repayment timeline you put forward in this message is {days} days.",
    "agreed": "the client and you have agreed on {days} days; confirm the agreement and say the plan follows in "
    "writing. Do not negotiate further.",
    "ended": "the negotiation ends here without agreement; close politely, say the offer of {days} days stands, "
    "and how to get back in touch.",
    "agreed_in_full": "the client will pay the full {balance} by {pay_date}; confirm that amount and that date, thank "
    "them, and say the confirmation follows in writing. State the timeline as {days} days. Do not negotiate further.",
    "clarify": "the client's terms are unclear ({why}). Do not agree to anything and do not repeat their number: ask "
    "them to confirm the exact terms (a number of days, or a date and the amount), and say the offer of {days} days "
    "stands.",
}


# Drafts are not for the client until the guard has passed them: keep the model's tokens out of LangGraph's
# "messages" stream, which then carries only the checked reply the final node returns.
NO_STREAM: Final[RunnableConfig] = {"tags": [TAG_NOSTREAM]}

PROMPT_LEAK_WORDS: Final[int] = 10
"""A reply that repeats this many consecutive words of the system prompt is treated as leaking it."""


class EmptyReplyError(RuntimeError):
    """The chat model answered with no text."""


@dataclass(frozen=True)
class Draft:
    """One written reply.

    Attributes:
        text: The reply.
        metadata: The model's response metadata (plus the provider's message id, if any).
        offline: Whether the offline responder wrote it.
        model: Which model wrote it.
        temperature: The sampling temperature used (``None`` for the provider default or offline).
        system_prompt: The instructions of the system prompt it was written from, without the transcript (to check
            the reply does not repeat them).
    """

    text: str
    metadata: dict[str, Any]
    offline: bool
    model: str
    temperature: float | None
    system_prompt: str = ""

    def reply_record(self) -> dict[str, Any]:
        """The ``reply`` state entry for this draft."""
        return {"offline": self.offline, "model": self.model, "temperature": self.temperature}


def situation(state: NegotiationState) -> str:
    """What this turn's reply does.

    One of ``offer``, ``agreed`` (confirm the agreement), ``agreed_in_full`` (confirm the full payment and its date),
    ``clarify`` (ask the client to confirm unclear terms) or ``ended`` (close without one).
    """
    status = state.get("status", "ongoing")
    if status == "agreed":
        return "agreed_in_full" if (state.get("agreement") or {}).get("basis") == "in_full" else "agreed"
    if status in FAILED_STATUSES:
        return "ended"
    return "clarify" if (state.get("client_offer") or {}).get("doubt") else "offer"


def stated_days(state: NegotiationState) -> int:
    """The timeline this turn's reply must state: the agreed one, else the standing offer, else the target."""
    agreement = state.get("agreement")
    if agreement:
        return int(agreement["days"])
    offer = state.get("offer")
    if offer:
        return int(offer["days"])
    return int(state["scenario"]["creditor_target_days"])


def temperature_for(context: Context, turn: int) -> float | None:
    """The fixed temperature, else the scheduled one, else ``None`` (provider default)."""
    if context.temperature is not None:
        return context.temperature
    return SCHEDULE.at(turn) if context.temperature_schedule else None


def reply_seed(seed: int, thread_id: str, turn: int, attempt: int = 0) -> int:
    """A phrasing seed that is stable across processes (Python's ``hash`` is not)."""
    return zlib.crc32(f"{seed}:{thread_id}:{turn}:{attempt}".encode())


def write_reply(
    services: Services,
    state: NegotiationState,
    context: Context,
    config: RunnableConfig,
    *,
    feedback: str | None = None,
    attempt: int = 0,
) -> Draft:
    """Render this turn's prompt and have the model write the reply.

    Args:
        services: Resolves the model and the prompts.
        state: The graph state (scenario, messages, stance, offer, status).
        context: Run settings.
        config: The run config (its ``thread_id`` seeds the offline responder).
        feedback: For a redraft: what was wrong with the last attempt, added as a final system message.
        attempt: 0 for the first draft; varies the offline responder's phrasing on redrafts.

    Raises:
        EmptyReplyError: If the model returned no text.
    """
    model: BaseChatModel = services.chat_model(context)
    prompts = services.prompts(context)
    scenario, turn, stance = state["scenario"], state["turn"], state.get("stance")
    days, kind = stated_days(state), situation(state)
    balance = f"{scenario['currency']} {float(scenario['balance']):,.2f}"
    client_offer = state.get("client_offer") or {}
    pay_date = (state.get("agreement") or {}).get("pay_date") or ""
    why = str(client_offer.get("note") or client_offer.get("doubt") or "")
    values: dict[str, Any] = {
        "creditor": scenario["creditor"],
        "debtor": scenario["debtor"],
        "balance": balance,
        "days_overdue": scenario["days_overdue"],
        "offer_days": days,
        "negotiation_note": NOTES[kind].format(days=days, balance=balance, pay_date=pay_date, why=why),
        "turn": turn,
        "transcript": render_transcript(transcript_turns(state["messages"])),
    }
    values["stance_instruction"] = prompts.stance_instruction(stance, values)
    prompt: list[Any] = [SystemMessage(prompts.render_system(values)), latest_client_message(state["messages"])]
    if feedback:
        prompt.append(SystemMessage(f"Your previous draft was rejected: {feedback} Write the message again."))
    temperature = temperature_for(context, turn)
    offline = is_offline(model)
    if offline:
        thread_id = str(config.get("configurable", {}).get("thread_id", ""))
        seed = reply_seed(context.seed, thread_id, turn, attempt)
        reply = model.invoke(
            prompt,
            NO_STREAM,
            stance=stance,
            scenario=scenario,
            offer_days=days,
            seed=seed,
            situation=kind,
            doubt=client_offer.get("doubt"),
            pay_date=pay_date,
        )
        temperature = None
    else:
        runnable = model.bind(temperature=temperature) if temperature is not None else model
        reply = runnable.invoke(prompt, NO_STREAM)
    text = reply.text.strip()
    if not text:
        raise EmptyReplyError(f"the model {model_name(model)!r} returned an empty reply")
    metadata = dict(reply.response_metadata)
    # The final message gets a fresh id: a provider (or proxy) that repeats an id would otherwise make the reducer
    # overwrite an earlier reply. The provider's own id is kept for tracing; ids LangChain derives from its run id
    # ("lc_run-...") name no provider message and are dropped.
    if reply.id and not reply.id.startswith(LC_AUTO_PREFIX):
        metadata[PROVIDER_MESSAGE_ID] = reply.id
    # The leak check compares against the instructions only: the transcript inside the system prompt holds the
    # agent's own earlier replies, which a reply may fairly echo.
    instructions = prompts.render_system(values | {"transcript": ""})
    return Draft(text, metadata, offline, model_name(model), temperature, instructions)


def leaks_prompt(text: str, system_prompt: str, words: int = PROMPT_LEAK_WORDS) -> bool:
    """Whether ``text`` repeats ``words`` consecutive words of the system prompt (a prompt-extraction attack)."""
    prompt_words = system_prompt.lower().split()
    shingles = {" ".join(prompt_words[i : i + words]) for i in range(len(prompt_words) - words + 1)}
    reply_words = text.lower().split()
    return any(" ".join(reply_words[i : i + words]) in shingles for i in range(len(reply_words) - words + 1))
