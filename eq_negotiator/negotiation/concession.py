"""The creditor's deterministic concession strategy: which repayment timeline to offer each round, and when to accept.

The numbers never come from the LLM: the responder only words the offer this module computes.

Direction of the negotiation
----------------------------
The creditor wants *fewer* days (``Scenario.creditor_target_days``, e.g. 30) and may concede up to
``Scenario.authorised_limit_days`` (e.g. 90); the client wants more days. A concession is therefore an *increase*
in the creditor's offer.

Concession curves
-----------------
Time-dependent tactics from Faratin, Sierra & Jennings (1998), "Negotiation decision functions for autonomous
agents", with their constant ``kappa`` set to 0 (the first offer is the creditor's target)::

    offer(t) = target + (limit - target) * f(t),   f(t) = (t / T) ** (1 / e)

Rounds count from 1, as turns do everywhere else (round ``n`` answers the client's ``n``-th message). ``t = round - 1``
is the time elapsed since the first offer and ``T = max_rounds - 1`` the time at the last round the dialogue allows, so
the first offer is the target and (as in Faratin's tactics, where the offer reaches the reservation value at the
deadline) an unadjusted curve offers the authorised limit in the final round. ``e < 1`` is Boulware (hold firm, concede
late), ``e = 1`` linear, ``e > 1`` Conceder (concede early). Defaults: Boulware ``e = 0.2`` and Conceder ``e = 5.0``,
mirror images on a log scale (``f = (t/T)**5`` and ``(t/T)**0.2``) and inside the ranges Faratin et al. explored;
Boulware is the default curve because a creditor that concedes early gives away days a patient client would have settled
without.

Emotional adjustment
--------------------
The belief over the client's stance (:data:`~eq_negotiator.reasoning.hmm.STANCES`) stretches or shrinks time::

    t' = clip(t * m, 0, T),   m = 1 + distressed_speedup * P(distressed)
                                    - hostile_slowdown * (P(confrontational) + P(strategic))

A distressed client reaches later points of the curve sooner (a faster concession); a confrontational or
strategic one later (pressure and tactics are not rewarded). ``m`` lies in ``[1 - hostile_slowdown,
1 + distressed_speedup]`` and both coefficients are capped at 0.5, so emotion nudges the curve but never replaces it.
The adjustment is monotone: more distress never lowers an offer, more hostility never raises one. A client read as
hostile in the last rounds may therefore never hear the authorised limit; that is deliberate.

Guarantees
----------
Every offer is a whole number of days in ``[target, authorised_limit]``, and never fewer days than the creditor's
previous offer in the same dialogue (concessions are monotone: taking days back would break trust, and a belief
that swings from distressed to hostile must not make the creditor retract). Nothing here is random.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from eq_negotiator.reasoning.hmm import STANCES
from eq_negotiator.scenario import Scenario

Curve = Literal["boulware", "linear", "conceder"]
CURVES: Final[tuple[str, ...]] = get_args(Curve)

DEFAULT_BETA: Final[Mapping[str, float]] = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}
"""The concession exponent ``e`` each curve uses unless :attr:`ConcessionConfig.beta` overrides it."""

MAX_EMOTION_COEFFICIENT: Final[float] = 0.5
"""Upper bound on ``distressed_speedup`` and ``hostile_slowdown``: emotion may move time by at most half."""

Action = Literal["accept", "counter"]


@dataclass(frozen=True)
class ConcessionConfig:
    """How the creditor concedes.

    Attributes:
        curve: ``boulware`` (concede late), ``linear`` or ``conceder`` (concede early).
        beta: The exponent ``e`` of ``f(t) = (t/T)**(1/e)``; ``None`` uses the curve's default (:data:`DEFAULT_BETA`).
            An explicit value overrides the curve's, whatever its name.
        max_rounds: Rounds the dialogue allows; the curve reaches the authorised limit in round ``max_rounds``.
        step_days: Offers are rounded to the nearest multiple of this many days (halves round up), then kept inside
            ``[target, limit]``. 1 gives whole days; 5 gives the round figures people say aloud (30, 45, 60) at the
            cost of coarser steps.
        accept_tolerance_days: The creditor accepts a client's ask of at most this many days above its own current
            offer (never above the authorised limit).
        distressed_speedup: How much ``P(distressed)`` speeds time up (``k_d``, 0 to 0.5).
        hostile_slowdown: How much ``P(confrontational) + P(strategic)`` slows time down (``k_h``, 0 to 0.5).
    """

    curve: Curve = "boulware"
    beta: float | None = None
    max_rounds: int = 15
    step_days: int = 1
    accept_tolerance_days: int = 5
    distressed_speedup: float = 0.1
    hostile_slowdown: float = 0.1

    def __post_init__(self) -> None:
        # Configs also arrive from JSON and the CLI, where the Literal type is not enforced.
        if self.curve not in CURVES:
            raise ValueError(f"curve {self.curve!r} is not one of {', '.join(CURVES)}")
        if self.beta is not None and not (math.isfinite(self.beta) and self.beta > 0):
            raise ValueError(f"beta must be a finite number above 0, not {self.beta!r}")
        if self.max_rounds < 2:
            raise ValueError(f"max_rounds must be at least 2 (a first offer and a last one), not {self.max_rounds}")
        if self.step_days < 1:
            raise ValueError(f"step_days must be at least 1, not {self.step_days}")
        if self.accept_tolerance_days < 0:
            raise ValueError(f"accept_tolerance_days must be 0 or more, not {self.accept_tolerance_days}")
        for name in ("distressed_speedup", "hostile_slowdown"):
            value = getattr(self, name)
            if not (math.isfinite(value) and 0.0 <= value <= MAX_EMOTION_COEFFICIENT):
                raise ValueError(f"{name} must be between 0 and {MAX_EMOTION_COEFFICIENT}, not {value!r}")

    @property
    def exponent(self) -> float:
        """The ``e`` in use: :attr:`beta` if set, else the curve's default."""
        return self.beta if self.beta is not None else DEFAULT_BETA[self.curve]

    @property
    def deadline(self) -> int:
        """``T``: the elapsed time (``round - 1``) at which an unadjusted curve reaches the authorised limit."""
        return self.max_rounds - 1

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as JSON-safe data."""
        return {
            "curve": self.curve,
            "beta": self.beta,
            "exponent": self.exponent,
            "max_rounds": self.max_rounds,
            "step_days": self.step_days,
            "accept_tolerance_days": self.accept_tolerance_days,
            "distressed_speedup": self.distressed_speedup,
            "hostile_slowdown": self.hostile_slowdown,
        }


@dataclass(frozen=True)
class OfferPlan:
    """The creditor's offer for one round and how it was reached.

    Attributes:
        round: The round, from 1.
        days: The offered repayment timeline, in days.
        curve_value: ``f(t')`` in ``[0, 1]``: how far along from target to limit the curve is.
        time_factor: The emotional multiplier ``m`` applied to the round (1.0 without a belief).
        effective_time: ``t' = clip((round - 1) * m, 0, T)``.
        held: Whether the offer was held at the previous offer because the curve had fallen below it.
        reason: One sentence a person can read.
    """

    round: int
    days: int
    curve_value: float
    time_factor: float
    effective_time: float
    held: bool
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """Return the plan as JSON-safe data."""
        return {
            "round": self.round,
            "days": self.days,
            "curve_value": self.curve_value,
            "time_factor": self.time_factor,
            "effective_time": self.effective_time,
            "held": self.held,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class CreditorResponse:
    """The creditor's answer to a client's ask.

    Attributes:
        action: ``accept`` (``days`` are the agreed terms, the client's ask) or ``counter`` (``days`` are the
            creditor's new offer).
        days: Agreed days on ``accept``; offered days on ``counter``.
        offer: The creditor's own offer this round (what it would have countered with).
        client_days: The client's ask, or ``None`` if they named no number.
        reason: One sentence a person can read.
    """

    action: Action
    days: int
    offer: OfferPlan
    client_days: int | None
    reason: str

    @property
    def accepted(self) -> bool:
        """Whether the creditor accepted the client's ask."""
        return self.action == "accept"

    def to_dict(self) -> dict[str, Any]:
        """Return the response as JSON-safe data."""
        return {
            "action": self.action,
            "days": self.days,
            "offer": self.offer.to_dict(),
            "client_days": self.client_days,
            "reason": self.reason,
        }


def time_factor(belief: Mapping[str, float] | None, distressed_speedup: float, hostile_slowdown: float) -> float:
    """The emotional multiplier ``m`` on time for a belief over the client's stances.

    Args:
        belief: Probabilities over :data:`STANCES` (other keys are ignored); ``None`` or all zeros means no
            adjustment. The values are normalised, so a belief that does not quite sum to 1 is still read fairly.
        distressed_speedup: ``k_d``.
        hostile_slowdown: ``k_h``.

    Returns:
        ``1 + k_d * P(distressed) - k_h * (P(confrontational) + P(strategic))``.

    Raises:
        ValueError: If a stance probability is negative or not finite.
    """
    shares = stance_shares(belief)
    if shares is None:
        return 1.0
    distressed, hostile = shares
    return 1.0 + distressed_speedup * distressed - hostile_slowdown * hostile


def stance_shares(belief: Mapping[str, float] | None) -> tuple[float, float] | None:
    """``(P(distressed), P(confrontational) + P(strategic))`` of a belief, normalised; ``None`` for no belief.

    Raises:
        ValueError: If a stance probability is negative or not finite.
    """
    if not belief:
        return None
    weights = {stance: float(belief.get(stance, 0.0)) for stance in STANCES}
    for stance, weight in weights.items():
        if not (math.isfinite(weight) and weight >= 0.0):
            raise ValueError(f"belief[{stance!r}] must be a finite probability, not {weight!r}")
    total = sum(weights.values())
    if total == 0.0:
        return None
    return weights["distressed"] / total, (weights["confrontational"] + weights["strategic"]) / total


class ConcessionStrategy:
    """The creditor's offers and acceptances for one scenario.

    Stateless: the caller passes the round, the current belief and the creditor's previous offer, so the strategy
    can be rebuilt from checkpointed state and gives the same answer every time.
    """

    def __init__(self, scenario: Scenario, config: ConcessionConfig | None = None) -> None:
        """Create the strategy.

        Args:
            scenario: The case; its ``creditor_target_days`` and ``authorised_limit_days`` bound every offer.
            config: How to concede; the default Boulware curve when omitted.
        """
        self.scenario = scenario
        self.config = config if config is not None else ConcessionConfig()

    @property
    def target(self) -> int:
        """The creditor's target (its first offer), in days."""
        return self.scenario.creditor_target_days

    @property
    def limit(self) -> int:
        """The longest timeline the creditor may agree to, in days."""
        return self.scenario.authorised_limit_days

    def curve_value(self, effective_time: float) -> float:
        """``f(t') = (t'/T) ** (1/e)`` for an effective time already clipped to ``[0, T]``."""
        return float((effective_time / self.config.deadline) ** (1.0 / self.config.exponent))

    def offer_for_round(
        self, round: int, belief: Mapping[str, float] | None = None, previous_offer: int | None = None
    ) -> OfferPlan:
        """The creditor's offer in a round.

        Args:
            round: The round, from 1; rounds past ``max_rounds`` are treated as the last one.
            belief: Belief over the client's stances (e.g. ``StrategyDecision.belief``), or ``None``.
            previous_offer: The creditor's last offer in this dialogue, if any; the new offer is never below it.

        Returns:
            The offer, in ``[target, limit]`` and at least ``previous_offer``.

        Raises:
            ValueError: If ``round`` is below 1, the belief is not a probability distribution, or
                ``previous_offer`` lies outside ``[target, limit]`` (it cannot have come from this strategy).
        """
        if round < 1:
            raise ValueError(f"round must be 1 or more (rounds count from 1), not {round}")
        if previous_offer is not None and not self.target <= previous_offer <= self.limit:
            raise ValueError(
                f"previous_offer {previous_offer} is outside the creditor's range [{self.target}, {self.limit}]"
            )
        config = self.config
        factor = time_factor(belief, config.distressed_speedup, config.hostile_slowdown)
        effective = min(max((round - 1) * factor, 0.0), float(config.deadline))
        value = self.curve_value(effective)
        days = self._to_days(self.target + (self.limit - self.target) * value)
        held = previous_offer is not None and previous_offer > days
        if previous_offer is not None and held:
            days = previous_offer
        return OfferPlan(
            round=round,
            days=days,
            curve_value=value,
            time_factor=factor,
            effective_time=effective,
            held=held,
            reason=self._offer_reason(round, value, factor, stance_shares(belief), days, held),
        )

    def respond_to(
        self,
        client_days: int | None,
        round: int,
        belief: Mapping[str, float] | None = None,
        previous_offer: int | None = None,
    ) -> CreditorResponse:
        """Accept the client's ask or counter it.

        The creditor accepts when ``client_days <= min(offer + accept_tolerance_days, limit)``; that includes any ask
        at or below its own offer, which is at least as good for the creditor. Otherwise it counters with its offer
        for the round (see :meth:`offer_for_round`).

        Args:
            client_days: The days the client asked for, or ``None`` if they named no number (always a counter).
            round: The round, from 1.
            belief: Belief over the client's stances, or ``None``.
            previous_offer: The creditor's last offer in this dialogue, if any.

        Returns:
            The response; on ``accept`` its ``days`` are the client's ask.

        Raises:
            ValueError: If ``client_days`` is not a positive number of days, or for the reasons of
                :meth:`offer_for_round`.
        """
        if client_days is not None and client_days < 1:
            raise ValueError(f"client_days must be at least 1, not {client_days}")
        offer = self.offer_for_round(round, belief, previous_offer)
        if client_days is None:
            return CreditorResponse("counter", offer.days, offer, None, f"No days named; offering {offer.days} days.")
        threshold = min(offer.days + self.config.accept_tolerance_days, self.limit)
        if client_days <= offer.days:
            reason = f"The client's {client_days} days are no more than the creditor's offer of {offer.days}; accept."
            return CreditorResponse("accept", client_days, offer, client_days, reason)
        if client_days <= threshold:
            reason = (
                f"The client's {client_days} days are within {self.config.accept_tolerance_days} days of the "
                f"creditor's offer of {offer.days} and inside the authorised limit; accept."
            )
            return CreditorResponse("accept", client_days, offer, client_days, reason)
        reason = (
            f"The client's {client_days} days exceed the acceptance threshold of {threshold}; "
            f"counter with {offer.days}."
        )
        return CreditorResponse("counter", offer.days, offer, client_days, reason)

    def _to_days(self, raw: float) -> int:
        """Round to the nearest multiple of ``step_days`` (halves up) and keep inside ``[target, limit]``."""
        step = self.config.step_days
        # The tiny epsilon keeps values like 42.4999999999 (float noise on an exact half) from rounding down.
        days = step * math.floor(raw / step + 0.5 + 1e-9)
        return min(max(days, self.target), self.limit)

    def _offer_reason(
        self, round: int, value: float, factor: float, shares: tuple[float, float] | None, days: int, held: bool
    ) -> str:
        config = self.config
        # The shares are the ones the factor came from, so the sentence can be checked against the belief shown.
        quoted = f": distressed {shares[0]:.2f}, confrontational or strategic {shares[1]:.2f}" if shares else ""
        if factor > 1.0:
            adjustment = f", sped up {factor - 1:.0%} for a client who seems distressed{quoted}"
        elif factor < 1.0:
            adjustment = f", slowed {1 - factor:.0%} for a client who seems confrontational or strategic{quoted}"
        else:
            adjustment = ""
        if held:
            return (
                f"Round {round}: the {config.curve} curve (e={config.exponent:g}{adjustment}) fell below the previous "
                f"offer, so the creditor holds at {days} days because concessions never go backwards."
            )
        return (
            f"Round {round}: the {config.curve} curve (e={config.exponent:g}{adjustment}) is {value:.0%} of the way "
            f"from {self.target} to {self.limit} days, so the creditor offers {days} days."
        )
