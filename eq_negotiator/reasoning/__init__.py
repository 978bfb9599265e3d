"""Emotional reasoning: the emotion game, the client-stance HMM and the stance-selection policies.

Pure domain code (numpy, nashpy, hmmlearn); the graph's strategy node is a thin adapter over it.
"""

from eq_negotiator.reasoning.decision import History, Progress, StrategyDecision
from eq_negotiator.reasoning.game import EmotionGame, Equilibrium, PayoffTable
from eq_negotiator.reasoning.hmm import STANCES, HMMParameters, StanceHMM
from eq_negotiator.reasoning.policies import DEFAULT_POLICY, POLICY_NAMES, Policy, make_policy, play

__all__ = [
    "DEFAULT_POLICY",
    "POLICY_NAMES",
    "STANCES",
    "EmotionGame",
    "Equilibrium",
    "HMMParameters",
    "History",
    "PayoffTable",
    "Policy",
    "Progress",
    "StanceHMM",
    "StrategyDecision",
    "make_policy",
    "play",
]
