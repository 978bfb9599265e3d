"""Node ``answer_offer``: the creditor's answer to the client's terms, from this turn's belief.

It runs after ``select_strategy`` so that the concession curve is adjusted by the belief about the client's stance
that the policy has just computed from this very message (the belief the turn's reasoning shows), never by the
previous turn's. The creditor accepts the client's ask when it is within tolerance of its offer for the round, or
counters with that offer (``negotiation.concession``); agreement and the round limit are judged by
``negotiation.agreement``, as for the client's move in ``track_offers``.

Nothing is answered when the client's move already settled the negotiation (``track_offers`` set a final status) or
when the client's terms are in doubt: then the standing offer stays and the reply asks the client to confirm.

When the creditor accepts, the agreement's summary (the transcript's closing line) names only terms the client was
told; the creditor's own offer for the round, which the ask was within tolerance of, is kept in
``outcome["creditor_plan"]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import AgreementConfig, Move, NegotiationStatus, assess
from eq_negotiator.negotiation.concession import ConcessionConfig, ConcessionStrategy
from eq_negotiator.nodes.common import context_of, scenario_of
from eq_negotiator.nodes.track_offers import outcome_entries
from eq_negotiator.reasoning import STANCES


def make_answer_offer(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def answer_offer(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Accept the client's ask or set the creditor's next standing offer, adjusted by this turn's belief."""
        client = state.get("client_offer") or {}
        if state.get("status") != NegotiationStatus.ONGOING.value or client.get("doubt") is not None:
            return {}
        context = context_of(runtime)
        scenario = scenario_of(state, context)
        round_number = state["turn"]  # update_history has counted this client message: rounds are turns
        standing = (state.get("offer") or {}).get("days")
        belief_values = state.get("belief") or []  # this turn's, from select_strategy
        belief = dict(zip(STANCES, belief_values, strict=True)) if belief_values else None
        strategy = ConcessionStrategy(
            scenario,
            ConcessionConfig(
                curve=context.concession_curve,  # type: ignore[arg-type]  # validated by Context
                max_rounds=context.max_rounds,
                accept_tolerance_days=context.accept_tolerance_days,
            ),
        )
        response = strategy.respond_to(client.get("days"), round_number, belief, previous_offer=standing)
        # The creditor's answer is a move too: agreement and the round limit are judged by the same rules.
        outcome = assess(
            Move("creditor", "accept" if response.accepted else "propose", response.days),
            round=min(round_number, context.max_rounds),
            standing_offer=client.get("days"),
            consecutive_rejections=int((state.get("outcome") or {}).get("consecutive_rejections", 0)),
            config=AgreementConfig(tolerance_days=context.accept_tolerance_days, max_rounds=context.max_rounds),
        )
        if response.accepted:
            # The summary closes the transcript (eqn demo, eqn chat), so it names only what the client was told; the
            # creditor's unspoken offer for the round, which the ask was measured against, stays in the record.
            in_full = client.get("basis") == "in_full"
            detail = f"payment in full of {scenario.balance_text()} by {client.get('pay_date')}" if in_full else ""
            entries = outcome_entries(outcome, detail=detail, client=client)
            entries["outcome"]["creditor_plan"] = response.offer.to_dict()
            return entries
        offer = {"days": response.days, "round": round_number, "reason": response.offer.reason}
        return {"offer": offer, "offers": [offer]} | outcome_entries(outcome)

    return answer_offer
