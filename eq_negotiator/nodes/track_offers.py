"""Node ``track_offers``: what the client proposed, whether that settles it, and the creditor's next offer.

The numbers never come from the model. The client's message is parsed deterministically; agreement, breakdown and
the round limit are judged by ``negotiation.agreement``; the creditor's answer (accept, or the next offer on its
concession curve, adjusted within bounds by the belief about the client's stance) comes from
``negotiation.concession``. The progress signal for the reasoning policy is set here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import AgreementConfig, Move, NegotiationStatus, assess, client_progress
from eq_negotiator.negotiation.concession import ConcessionConfig, ConcessionStrategy
from eq_negotiator.negotiation.offers import parse_offer
from eq_negotiator.nodes.common import context_of, latest_client_message
from eq_negotiator.reasoning import STANCES
from eq_negotiator.scenario import Scenario


def make_track_offers(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def track_offers(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Parse the client's offer, judge agreement, and set the creditor's standing offer or the agreed terms."""
        context = context_of(runtime)
        scenario = Scenario(**(state.get("scenario") or context.scenario))
        round_number = state.get("turn", 0) + 1  # this client message's round, from 1
        standing = (state.get("offer") or {}).get("days")
        client = parse_offer(
            latest_client_message(state["messages"]).text, speaker="debtor", standing_offer_days=standing
        )
        earlier = [o["days"] for o in state.get("client_offers", []) if o.get("days") is not None]
        progress = client_progress(earlier[-1] if earlier else None, client.days, standing, act=client.act)
        previous_outcome = state.get("outcome") or {}
        outcome = assess(
            Move("client", client.act, client.days),
            round=min(round_number, context.max_rounds),
            standing_offer=standing,
            consecutive_rejections=int(previous_outcome.get("consecutive_rejections", 0)),
            config=AgreementConfig(tolerance_days=context.accept_tolerance_days, max_rounds=context.max_rounds),
        )
        update: dict[str, Any] = {
            "client_offer": client.to_dict(),
            "client_offers": [client.to_dict() | {"round": round_number}],
            "progress_signal": progress,
            "outcome": outcome.to_dict(),
            "status": outcome.status.value,
        }
        if outcome.status is NegotiationStatus.AGREED and outcome.agreed_days is not None:
            update["agreement"] = _agreement(outcome.agreed_days, round_number, "client", outcome.sentence)
            return update
        if outcome.status is not NegotiationStatus.ONGOING:
            return update

        belief_values = state.get("belief") or []
        belief = dict(zip(STANCES, belief_values, strict=True)) if belief_values else None
        strategy = ConcessionStrategy(
            scenario,
            ConcessionConfig(
                curve=context.concession_curve,  # type: ignore[arg-type]  # validated by Context
                max_rounds=context.max_rounds,
                accept_tolerance_days=context.accept_tolerance_days,
            ),
        )
        response = strategy.respond_to(client.days, round_number - 1, belief, previous_offer=standing)
        if response.accepted:
            sentence = (
                f"Agreed on {response.days} days in round {round_number}; the creditor accepted the client's ask "
                f"(its own offer was {response.offer.days} days)."
            )
            update["agreement"] = _agreement(response.days, round_number, "creditor", sentence)
            update["status"] = NegotiationStatus.AGREED.value
            update["outcome"] = outcome.to_dict() | {
                "status": "agreed",
                "agreed_days": response.days,
                "closed_by": "creditor",
                "sentence": sentence,
            }
            return update
        offer = {"days": response.days, "round": round_number, "reason": response.offer.reason}
        update["offer"] = offer
        update["offers"] = [offer]
        if round_number >= context.max_rounds:
            sentence = (
                f"No agreement within the maximum of {context.max_rounds} rounds; the final offer was "
                f"{response.days} days."
            )
            update["status"] = NegotiationStatus.MAX_ROUNDS.value
            update["outcome"] = outcome.to_dict() | {"status": "max_rounds", "sentence": sentence}
        return update

    return track_offers


def _agreement(days: int, round_number: int, closed_by: str, summary: str) -> dict[str, Any]:
    return {"days": days, "round": round_number, "closed_by": closed_by, "summary": summary}
