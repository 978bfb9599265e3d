"""Node ``track_offers``: what the client proposed, and whether that alone settles the negotiation.

The numbers never come from the model. The client's message is parsed deterministically; agreement, breakdown and
the round limit are judged by ``negotiation.agreement``. The progress signal for the reasoning policy is set here,
so this node runs before ``select_strategy``; the creditor's answer (``answer_offer``) runs after it, because its
offer is adjusted by the belief about the client's stance that ``select_strategy`` computes from this very message.

Terms as clients say them (dates, "200 a month", "in full today") are read against the scenario's balance and
reference date. A message whose terms are in doubt (the parser's ``doubt``: a garbled or implausible number, two
timelines, an acceptance naming other terms) settles nothing: the creditor's offer stays as it was, the reply asks
the client to confirm the exact terms, and ``client_offer`` records why (``doubt`` and ``note``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import (
    AgreementConfig,
    Move,
    NegotiationStatus,
    Outcome,
    assess,
    client_progress,
)
from eq_negotiator.negotiation.offers import parse_offer
from eq_negotiator.nodes.common import context_of, latest_client_message, scenario_of


def make_track_offers(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def track_offers(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Parse the client's offer, set the progress signal, and judge whether the client's move ends it."""
        context = context_of(runtime)
        round_number = state.get("turn", 0) + 1  # this client message's round, from 1
        standing = (state.get("offer") or {}).get("days")
        scenario = scenario_of(state, context)
        client = parse_offer(
            latest_client_message(state["messages"]).text,
            speaker="debtor",
            standing_offer_days=standing,
            balance=scenario.balance,
            reference_date=scenario.reference_day(),
        )
        earlier = [o["days"] for o in state.get("client_offers", []) if o.get("days") is not None]
        progress = (
            None
            if client.doubt is not None  # unclear terms are no evidence either way
            else client_progress(earlier[-1] if earlier else None, client.days, standing, act=client.act)
        )
        previous_outcome = state.get("outcome") or {}
        config = AgreementConfig(tolerance_days=context.accept_tolerance_days, max_rounds=context.max_rounds)
        judged_round = min(round_number, context.max_rounds)
        outcome = assess(
            Move("client", client.act, client.days, doubt=client.doubt),
            round=judged_round,
            standing_offer=standing,
            consecutive_rejections=int(previous_outcome.get("consecutive_rejections", 0)),
            config=config,
        )
        update: dict[str, Any] = {
            "client_offer": client.to_dict(),
            "client_offers": [client.to_dict() | {"round": round_number}],
            "progress_signal": progress,
        }
        if outcome.status is not NegotiationStatus.ONGOING:
            return update | outcome_entries(outcome, client=client.to_dict())
        if client.doubt is not None and judged_round == context.max_rounds:
            # Ask, never agree: the standing offer stays, and only the round limit can end the negotiation here.
            outcome = assess(
                Move("creditor", "other"),
                round=judged_round,
                standing_offer=None,
                consecutive_rejections=outcome.consecutive_rejections,
                config=config,
            )
        # Still open: ``answer_offer`` gives the creditor's answer to clear terms once this turn's belief is known.
        return update | outcome_entries(outcome)

    return track_offers


def outcome_entries(outcome: Outcome, detail: str = "", client: dict[str, Any] | None = None) -> dict[str, Any]:
    """The state entries for an assessed move: its outcome and status, and the agreement if it reached one.

    When the agreement is on the client's terms stated as a date, a rate or a full payment (``client``), the
    agreement keeps how they were stated (``basis``, ``amount``, ``pay_date``, ``note``), so the reply confirms them.
    """
    sentence = f"{outcome.sentence.rstrip('.')} ({detail})." if detail else outcome.sentence
    entries: dict[str, Any] = {"outcome": outcome.to_dict() | {"sentence": sentence}, "status": outcome.status.value}
    if outcome.status is NegotiationStatus.AGREED:
        entries["agreement"] = {
            "days": outcome.agreed_days,
            "round": outcome.round,
            "closed_by": outcome.closed_by,
            "summary": sentence,
        }
        if client and client.get("basis") and client.get("days") == outcome.agreed_days:
            entries["agreement"] |= {key: client.get(key) for key in ("basis", "amount", "pay_date", "note")}
    return entries
