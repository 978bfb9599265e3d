"""The turn graph's state: JSON-native data only, so any checkpointer stores it under strict deserialisation.

Per-turn records (readings, decisions, progress) are append-only lists, one entry per client turn; the latest
belief, forecast, stance and decision are repeated at top level for easy reading by embedders and dashboards.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, Final

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

SCHEMA_VERSION: Final[int] = 2
"""Version of this state layout; bumped when a field changes meaning."""


class CloseRequest(TypedDict):
    """Input that ends a dialogue and lets the policy learn from it."""

    succeeded: bool | None


class NegotiationState(TypedDict, total=False):
    """State of one dialogue (one thread).

    Attributes:
        schema_version: :data:`SCHEMA_VERSION` of the layout that wrote it.
        messages: The conversation (client = human messages, agent = AI messages).
        scenario: The credit scenario (``Scenario.to_state()``), fixed at the first turn.
        turn: Client turns answered so far.
        reading: This turn's emotion reading (label, confidence, distribution, flags).
        readings: Every turn's reading, oldest first.
        progress: Per turn, whether the client moved toward agreement (``None`` when unknown).
        decisions: Every turn's policy decision record.
        decision: This turn's decision record.
        stance: This turn's stance (``None`` for no stance).
        belief: Belief over the client's latent stances (``STANCES`` order), empty if the policy keeps none.
        forecast: Forecast of the client's next emotion (``LABELS`` order), empty if the policy makes none.
        reply: How this turn's reply was written: ``offline``, ``model``, ``temperature``.
        close_request: Set in the input to end the dialogue.
        closed: Whether the dialogue has ended.
        client_offer: What the client's message this turn proposes (``days``, ``act``, ``amount``).
        client_offers: Every turn's client offer.
        offer: The creditor's standing offer (``days``, ``round``, ``reason``), set by the concession strategy.
        offers: Every turn's creditor offer.
        progress_signal: Whether the client moved toward agreement this turn (fed to the policy).
        status: ``ongoing``, ``agreed``, ``breakdown``, ``max_rounds`` or ``escalated``.
        agreement: The agreed terms (``days``, ``round``, ``closed_by``, ``summary``), ``None`` until reached.
        outcome: How the negotiation ended (status, summary), ``None`` while it goes on.
        draft: The reply as the model wrote it, before the compliance guard.
        guard: This turn's guard record: ``violations`` found, ``action`` (passed, regenerated, fallback).
        guard_events: Every turn's guard record.
        rights_event: A client-rights or vulnerability event this turn (``kind``, ``span``, ``reason``).
        rights_events: Every such event.
        escalation: The hand-over to a person: the event, and the operator's decision once resumed.
        language: This turn's language reading (``code``, ``confidence``, ``supported``; see
            :mod:`eq_negotiator.sensing.language`).
        unsupported_languages: Every turn whose message was in a language the agent does not read (its language
            reading and ``turn``); such a turn was answered with a fixed reply and negotiated nothing.
    """

    schema_version: int
    messages: Annotated[list[AnyMessage], add_messages]
    scenario: dict[str, Any]
    turn: int
    reading: dict[str, Any]
    readings: Annotated[list[dict[str, Any]], operator.add]
    progress: Annotated[list[bool | None], operator.add]
    decisions: Annotated[list[dict[str, Any]], operator.add]
    decision: dict[str, Any]
    stance: str | None
    belief: list[float]
    forecast: list[float]
    reply: dict[str, Any]
    close_request: CloseRequest | None
    closed: bool
    client_offer: dict[str, Any]
    client_offers: Annotated[list[dict[str, Any]], operator.add]
    offer: dict[str, Any]
    offers: Annotated[list[dict[str, Any]], operator.add]
    progress_signal: bool | None
    status: str
    agreement: dict[str, Any] | None
    outcome: dict[str, Any] | None
    draft: dict[str, Any]
    guard: dict[str, Any]
    guard_events: Annotated[list[dict[str, Any]], operator.add]
    rights_event: dict[str, Any] | None
    rights_events: Annotated[list[dict[str, Any]], operator.add]
    escalation: dict[str, Any] | None
    language: dict[str, Any]
    unsupported_languages: Annotated[list[dict[str, Any]], operator.add]
