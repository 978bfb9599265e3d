"""A faithful reproduction of the EQ-Negotiator engine of arXiv 2511.03370 as a baseline.

Per turn: record the client's emotion and update a belief over four client stances; if at least four of the last
five client emotions (all of them, while fewer than five) are negative, choose by the "HMM" score, otherwise by
win-stay/lose-shift on the payoff table with threshold 2.0. After a dialogue: payoff cells of the played pairs move by
0.05 x (+1 success / -0.5 failure), and the 7x7 agent-emotion tables move by 0.03 per observed pair.

Faithful defects, kept on purpose (our ``eq`` policy does not have them):

- **The client's emotion cancels out of the belief.** The likelihood of stance ``s`` is
  ``weights[s, agent] * emission[agent, client]``; the second factor is the same for every stance, so normalising
  removes it and the belief depends only on the agent's own emotions.
- **Lose-shift never fires.** "Lose" means the previous choice's payoff was below 2.0, but every row maximum of the
  table is at least 2, so the best response is always kept.
- **The HMM score ignores the forecast client response.** ``P(D_{t+1} | S, C=e)`` is taken as the row maximum of the
  emission table, the same for every stance, so the score is ``sum_s P(s) * max_row(e) * weights[s, e]``.
- The learned 7x7 transition table is never read by any decision.

Source: the authors' public code for the paper (``models/constants.py``, ``models/hmm_model.py``,
``models/payoff_matrix.py``, ``models/eq_negotiator.py``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from eq_negotiator.emotions import LABELS, NEGATIVE, EmotionReading
from eq_negotiator.reasoning.decision import History, JSONScalar, Progress, StrategyDecision
from eq_negotiator.reasoning.game import EmotionGame
from eq_negotiator.reasoning.hmm import PRIOR_START, PRIOR_TRANSITION, STANCES
from eq_negotiator.reasoning.policies.base import Policy, as_label_dict
from eq_negotiator.reasoning.policies.paper1 import PAPER1_EMISSION, PAPER1_TRANSITION
from eq_negotiator.reasoning.tables import FloatArray, as_matrix

# P(agent emotion | client stance) "state-emotion weights" (rows: STANCES; columns: LABELS order).
PAPER2_STATE_WEIGHTS: tuple[tuple[float, ...], ...] = (
    (0.35, 0.05, 0.02, 0.03, 0.25, 0.05, 0.25),  # cooperative
    (0.10, 0.10, 0.15, 0.10, 0.15, 0.10, 0.30),  # confrontational
    (0.10, 0.30, 0.05, 0.20, 0.05, 0.10, 0.20),  # distressed
    (0.20, 0.10, 0.05, 0.05, 0.20, 0.10, 0.30),  # strategic
)
WINDOW = 5
MIN_NEGATIVE = 4
PAYOFF_THRESHOLD = 2.0
HMM_LEARNING_RATE = 0.03
PAYOFF_LEARNING_RATE = 0.05
SUCCESS_REWARD = 1.0
FAILURE_REWARD = -0.5


class Paper2Policy(Policy):
    """The 2511.03370 engine (see the module docstring).

    Args:
        game: The emotion game whose agent payoffs start the learned payoff table; the paper's when omitted.
        seed: Unused (the engine is deterministic); accepted so every policy is built the same way.
    """

    name = "paper2"

    def __init__(self, *, game: EmotionGame | None = None, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.payoffs: FloatArray = np.array((game or EmotionGame()).table.agent, dtype=np.float64)
        # The same 7x7 agent-emotion tables as the first paper (the code shares them).
        self.emission: FloatArray = np.array(PAPER1_EMISSION, dtype=np.float64)
        self.transition: FloatArray = np.array(PAPER1_TRANSITION, dtype=np.float64)
        self.state_transition: FloatArray = np.array(PRIOR_TRANSITION, dtype=np.float64)
        self.start: FloatArray = np.array(PRIOR_START, dtype=np.float64)
        self.weights: FloatArray = np.array(PAPER2_STATE_WEIGHTS, dtype=np.float64)

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Update the belief, then choose by the HMM score or by win-stay/lose-shift."""
        previous = history.last_decision
        current = LABELS.index(previous.stance or "neutral") if previous is not None else LABELS.index("neutral")
        observed = LABELS.index(reading.label)

        belief = self.start if previous is None else np.array([previous.belief[s] for s in STANCES])
        likelihood = self.weights[:, current] * self.emission[current, observed]
        posterior = likelihood * (self.state_transition.T @ belief)
        total = posterior.sum()
        belief = posterior / total if total > 0 else np.full(len(STANCES), 1 / len(STANCES))

        window = [*history.labels()[-(WINDOW - 1) :], reading.label]
        negative_turns = sum(label in NEGATIVE for label in window)
        last_payoff = previous.gate.get("wsls_last_payoff") if previous is not None else None
        gate: dict[str, JSONScalar] = {"negative_turns": negative_turns, "window": len(window)}

        if negative_turns >= MIN_NEGATIVE:
            next_states = self.state_transition.T @ belief
            response = self.emission.max(axis=1)
            scores = (next_states @ self.weights) * response
            stance = LABELS[int(np.argmax(scores))]
            gate["branch"] = "hmm"
            reason = (
                f"Client reads {reading.label} and {negative_turns} of the last {len(window)} turns were negative, "
                f"so the paper's HMM score picks {stance}."
            )
        else:
            scores = self.payoffs[observed]
            best = int(np.argmax(scores))
            lost = last_payoff is not None and float(last_payoff) < PAYOFF_THRESHOLD
            if lost:
                best = int(np.argsort(scores)[::-1][1])
            stance = LABELS[best]
            last_payoff = float(scores[best])
            gate["branch"] = "lose_shift" if lost else "payoff"
            reason = f"Client reads {reading.label}; win-stay/lose-shift on the payoff table picks {stance}."
        gate["wsls_last_payoff"] = last_payoff

        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=reason,
            expected_payoffs=as_label_dict(scores),
            belief=as_label_dict(belief, STANCES),
            gate=gate,
        )

    def learn(self, history: History, succeeded: bool | None = None) -> None:
        """Move the payoff cells of the played pairs, and the 7x7 tables, by the paper's learning rates."""
        labels = [LABELS.index(label) for label in history.labels()]
        stances = [LABELS.index(stance or "neutral") for stance in history.stances()]
        reward = SUCCESS_REWARD if succeeded else FAILURE_REWARD
        for client, agent in zip(labels, stances, strict=True):
            self.payoffs[client, agent] += PAYOFF_LEARNING_RATE * reward
        for turn in range(1, len(labels)):
            agent_now, agent_before, client_now = stances[turn], stances[turn - 1], labels[turn]
            self.emission[agent_now, client_now] += HMM_LEARNING_RATE
            self.emission[agent_now] /= self.emission[agent_now].sum()
            self.transition[agent_before, agent_now] += HMM_LEARNING_RATE
            self.transition[agent_before] /= self.transition[agent_before].sum()

    def state_dict(self) -> dict[str, Any]:
        """The learned payoff table and 7x7 tables."""
        return {
            "payoffs": self.payoffs.tolist(),
            "emission": self.emission.tolist(),
            "transition": self.transition.tolist(),
        }

    def load_state_dict(self, data: Mapping[str, Any]) -> None:
        """Restore the learned tables.

        Raises:
            ValueError: If a table is missing or malformed.
        """
        missing = [key for key in ("payoffs", "emission", "transition") if key not in data]
        if missing:
            raise ValueError(f"paper2 policy state lacks {', '.join(missing)}")
        shape = (len(LABELS), len(LABELS))
        self.payoffs = as_matrix("paper2 payoffs", data["payoffs"], shape, LABELS)
        self.emission = as_matrix("paper2 emission", data["emission"], shape, LABELS)
        self.transition = as_matrix("paper2 transition", data["transition"], shape, LABELS)
