"""Stance-selection policies, by name.

``eq`` is EQ-Negotiator's own policy (the default); ``paper1`` and ``paper2`` reproduce the two published engines;
the rest are baselines. :func:`make_policy` builds any of them from its name.
"""

from __future__ import annotations

from typing import Final

from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning.game import EmotionGame
from eq_negotiator.reasoning.hmm import StanceHMM
from eq_negotiator.reasoning.policies.base import Policy, play
from eq_negotiator.reasoning.policies.baselines import (
    FixedPolicy,
    GenerousTitForTatPolicy,
    RandomPolicy,
    TitForTatPolicy,
    VanillaPolicy,
    WinStayLoseShiftPolicy,
)
from eq_negotiator.reasoning.policies.eq import EqPolicy, EqPolicyConfig
from eq_negotiator.reasoning.policies.paper1 import Paper1Policy
from eq_negotiator.reasoning.policies.paper2 import Paper2Policy

DEFAULT_POLICY: Final[str] = "eq"

POLICY_NAMES: Final[tuple[str, ...]] = (
    "eq",
    "paper1",
    "paper2",
    "vanilla",
    *(f"fixed:{label}" for label in LABELS),
    "random",
    "tft",
    "gtft",
    "wsls",
)
"""Every name :func:`make_policy` accepts."""


def make_policy(
    name: str = DEFAULT_POLICY,
    *,
    seed: int = 0,
    game: EmotionGame | None = None,
    hmm: StanceHMM | None = None,
    eq_config: EqPolicyConfig | None = None,
) -> Policy:
    """Build a policy from its name.

    Args:
        name: One of :data:`POLICY_NAMES`.
        seed: Seed for policies that draw at random.
        game: Payoff game for game-based policies; the paper's table when omitted.
        hmm: Stance HMM for ``eq`` (carry learned parameters in it); a fresh one when omitted.
        eq_config: Thresholds for ``eq``.

    Returns:
        The policy.

    Raises:
        ValueError: If the name is unknown (the message lists the valid names).
    """
    if name == "eq":
        return EqPolicy(game=game, hmm=hmm, config=eq_config, seed=seed)
    if name == "paper1":
        return Paper1Policy(game=game, seed=seed)
    if name == "paper2":
        return Paper2Policy(game=game, seed=seed)
    if name == "wsls":
        return WinStayLoseShiftPolicy(game=game, seed=seed)
    simple: dict[str, type[Policy]] = {
        "vanilla": VanillaPolicy,
        "random": RandomPolicy,
        "tft": TitForTatPolicy,
        "gtft": GenerousTitForTatPolicy,
    }
    if name in simple:
        return simple[name](seed=seed)
    if name.startswith("fixed:") and name in POLICY_NAMES:
        return FixedPolicy(name.removeprefix("fixed:"), seed=seed)
    raise ValueError(f"unknown policy {name!r}; valid policies: {', '.join(POLICY_NAMES)}")


__all__ = [
    "DEFAULT_POLICY",
    "POLICY_NAMES",
    "EqPolicy",
    "EqPolicyConfig",
    "FixedPolicy",
    "GenerousTitForTatPolicy",
    "Paper1Policy",
    "Paper2Policy",
    "Policy",
    "RandomPolicy",
    "TitForTatPolicy",
    "VanillaPolicy",
    "WinStayLoseShiftPolicy",
    "make_policy",
    "play",
]
