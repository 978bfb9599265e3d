"""A faithful reproduction of the EQ-Negotiator engine (arXiv 2503.21080 v3) as a baseline.

The published engine answers the client's emotion with the payoff table's best response (ties broken at random) and
switches to an "emotion HMM" once the last five client emotions are known and at least three are negative. That HMM's
hidden state is the agent's own emotion and its observation the client's emotion; its 7x7 transition and emission
tables start from the paper's probabilities and are updated as pseudo-counts with +1 per turn, and its prediction
multiplies in a fixed negative bias.

Faithful defects, kept on purpose (our ``eq`` policy does not have them):

- The transition update always adds to the diagonal: the engine passes the agent's last emotion both as the
  previous and the current state, so the learned transitions only ever reinforce staying put.
- The tables are probabilities used as counts, so the first +1 outweighs the whole prior row.
- The "HMM" is one step of ``transition[last] * emission[:, client] * bias`` with no belief carried between turns.

Source of the tables: the authors' public code for the paper (``EQ_Negotiator/constants.py``), which match the
paper's tables. One deliberate difference: the published engine never starts a new dialogue (its five-turn window runs
on across dialogues); here each dialogue starts with an empty window, and the pseudo-counts carry over via
:meth:`Paper1Policy.learn`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from eq_negotiator.emotions import LABELS, NEGATIVE, EmotionReading
from eq_negotiator.reasoning.decision import History, Progress, StrategyDecision
from eq_negotiator.reasoning.game import EmotionGame
from eq_negotiator.reasoning.policies.base import Policy, as_label_dict
from eq_negotiator.reasoning.tables import FloatArray, as_matrix

# Rows: the agent's current emotion; columns: its next emotion (LABELS order).
PAPER1_TRANSITION: tuple[tuple[float, ...], ...] = (
    (0.5, 0.1, 0.05, 0.05, 0.2, 0.05, 0.05),
    (0.2, 0.4, 0.1, 0.1, 0.05, 0.1, 0.05),
    (0.1, 0.2, 0.4, 0.1, 0.05, 0.1, 0.05),
    (0.1, 0.2, 0.1, 0.4, 0.05, 0.1, 0.05),
    (0.3, 0.05, 0.05, 0.05, 0.5, 0.05, 0.05),
    (0.1, 0.2, 0.1, 0.1, 0.05, 0.4, 0.05),
    (0.2, 0.1, 0.05, 0.05, 0.2, 0.05, 0.35),
)
# Rows: the agent's emotion; columns: the client's emotion it "emits" (LABELS order).
PAPER1_EMISSION: tuple[tuple[float, ...], ...] = (
    (0.6, 0.05, 0.05, 0.05, 0.1, 0.05, 0.1),
    (0.05, 0.5, 0.2, 0.1, 0.05, 0.05, 0.05),
    (0.05, 0.2, 0.5, 0.1, 0.05, 0.05, 0.05),
    (0.05, 0.2, 0.1, 0.5, 0.05, 0.05, 0.05),
    (0.1, 0.05, 0.05, 0.05, 0.6, 0.05, 0.1),
    (0.05, 0.1, 0.2, 0.1, 0.05, 0.5, 0.05),
    (0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4),
)
# Multiplied into the HMM's next-emotion scores when it is active (LABELS order): favours anger, disgust, fear.
PAPER1_NEGATIVE_BIAS: tuple[float, ...] = (0.2, 0.5, 1.0, 0.6, 0.2, 0.7, 0.3)

WINDOW = 5
MIN_NEGATIVE = 3


class Paper1Policy(Policy):
    """EQ-Negotiator v3's engine (see the module docstring).

    Args:
        game: The emotion game (its agent payoffs drive the best response); the paper's table when omitted.
        seed: Seed for breaking ties among best responses.
    """

    name = "paper1"

    def __init__(self, *, game: EmotionGame | None = None, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.game = game or EmotionGame()
        self.transition_counts: FloatArray = np.array(PAPER1_TRANSITION, dtype=np.float64)
        self.emission_counts: FloatArray = np.array(PAPER1_EMISSION, dtype=np.float64)
        self.bias: FloatArray = np.array(PAPER1_NEGATIVE_BIAS, dtype=np.float64)

    def _counts(self, history: History) -> tuple[FloatArray, FloatArray]:
        """Pseudo-counts as the engine holds them after the turns in ``history``.

        From its second turn the engine adds 1 to ``transition[last, last]`` and ``emission[last, client]``, where
        ``last`` is its previous emotion, after choosing; so a decision sees the updates of earlier turns only.
        """
        transition, emission = self.transition_counts.copy(), self.emission_counts.copy()
        stances, labels = history.stances(), history.labels()
        for turn in range(1, len(history)):
            last = LABELS.index(stances[turn - 1] or "neutral")
            transition[last, last] += 1
            emission[last, LABELS.index(labels[turn])] += 1
        return transition, emission

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Best response to the client's emotion, or the biased HMM step after persistent negativity."""
        window = [*history.labels()[-(WINDOW - 1) :], reading.label]
        negative_turns = sum(label in NEGATIVE for label in window)
        observed = LABELS.index(reading.label)
        previous = history.last_decision
        gate: dict[str, Any] = {"negative_turns": negative_turns, "window": len(window)}

        if previous is not None and len(window) == WINDOW and negative_turns >= MIN_NEGATIVE:
            transition_counts, emission_counts = self._counts(history)
            transition = transition_counts / transition_counts.sum(axis=1, keepdims=True)
            emission = emission_counts / emission_counts.sum(axis=1, keepdims=True)
            last = LABELS.index(previous.stance or "neutral")
            scores = transition[last] * emission[:, observed] * self.bias
            scores = scores / scores.sum()
            stance = LABELS[int(np.argmax(scores))]
            gate["branch"] = "hmm"
            reason = (
                f"Client reads {reading.label} and {negative_turns} of the last {WINDOW} turns were negative, so the "
                f"paper's emotion HMM (with its negative bias) moves the agent from {LABELS[last]} to {stance}."
            )
        else:
            scores = self.game.table.agent[observed]
            best = np.flatnonzero(scores >= scores.max())
            stance = LABELS[int(self.rng(history.next_turn).choice(best))]
            gate["branch"] = "payoff"
            reason = f"Client reads {reading.label}; {stance} is a best response in the paper's payoff table."

        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=reason,
            expected_payoffs=as_label_dict(scores),
            gate=gate,
        )

    def learn(self, history: History, succeeded: bool | None = None) -> None:
        """Keep the dialogue's +1 pseudo-count updates (the engine's only learning)."""
        self.transition_counts, self.emission_counts = self._counts(history)

    def state_dict(self) -> dict[str, Any]:
        """The pseudo-count tables."""
        return {"transition_counts": self.transition_counts.tolist(), "emission_counts": self.emission_counts.tolist()}

    def load_state_dict(self, data: Mapping[str, Any]) -> None:
        """Restore the pseudo-count tables.

        Raises:
            ValueError: If a table is missing or malformed.
        """
        shape = (len(LABELS), len(LABELS))
        missing = [key for key in ("transition_counts", "emission_counts") if key not in data]
        if missing:
            raise ValueError(f"paper1 policy state lacks {', '.join(missing)}")
        transition = as_matrix("paper1 transition counts", data["transition_counts"], shape, LABELS)
        emission = as_matrix("paper1 emission counts", data["emission_counts"], shape, LABELS)
        for name, table in (("transition", transition), ("emission", emission)):
            if np.any(table < 0) or np.any(table.sum(axis=1) <= 0):
                raise ValueError(f"paper1 {name} counts must be non-negative with positive row sums")
        self.transition_counts, self.emission_counts = transition, emission
