"""The policy interface shared by EQ-Negotiator's own policy, the paper reproductions and the baselines."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from eq_negotiator.emotions import LABELS, EmotionReading
from eq_negotiator.reasoning.decision import History, Progress, StrategyDecision

UNINFORMATIVE_FLAGS = frozenset({"empty_input", "sensor_failed"})
"""Reading flags meaning the sensor saw nothing to read: such a turn carries no evidence about the client."""


class Policy(ABC):
    """Maps the client's reading this turn, the dialogue so far and the progress signal to a stance.

    A policy object holds only what it learns across dialogues; everything about the current dialogue comes in
    through :class:`History`, so one object can serve many dialogues and a dialogue can resume in another process.

    Args:
        seed: Seed for any randomness; each turn draws from a generator seeded by ``(seed, turn)``, so a decision is
            reproducible on its own, whatever ran before it.
    """

    name: str = "policy"

    def __init__(self, *, seed: int = 0) -> None:
        self.seed = seed

    @abstractmethod
    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Choose the stance that answers this client turn.

        Args:
            reading: What the sensor read in the client's message this turn.
            history: The dialogue before this turn.
            progress: Whether the client moved toward agreement this turn (``None`` if unknown).

        Returns:
            The decision.
        """

    def learn(self, history: History, succeeded: bool | None = None) -> None:  # noqa: B027 (optional hook)
        """Update what is learned across dialogues from a completed one. The default learns nothing.

        Args:
            history: The completed dialogue.
            succeeded: Whether it ended in agreement (``None`` if unknown).
        """

    def state_dict(self) -> dict[str, Any]:
        """What this policy has learned, as JSON-safe data. Empty for policies that learn nothing."""
        return {}

    def load_state_dict(self, data: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned. The default accepts only empty data.

        Raises:
            ValueError: If ``data`` is not empty.
        """
        if data:
            raise ValueError(f"policy {self.name!r} learns nothing, but was given state with keys {sorted(data)}")

    def rng(self, turn: int) -> np.random.Generator:
        """The random generator for ``turn``."""
        return np.random.default_rng([self.seed, turn])


def play(policy: Policy, readings: Iterable[EmotionReading], progress: Iterable[Progress] | None = None) -> History:
    """Run ``policy`` over a dialogue's readings and return the full history.

    Args:
        policy: The policy.
        readings: The client's reading per turn.
        progress: The progress signal per turn; unknown for every turn when omitted.
    """
    history = History()
    signals = iter(progress) if progress is not None else None
    for reading in readings:
        signal = next(signals, None) if signals is not None else None
        decision = policy.decide(reading, history, signal)
        history = history.append(reading, decision, signal)
    return history


def as_label_dict(values: Iterable[float], names: Iterable[str] = LABELS) -> dict[str, float]:
    """Zip names with values as plain floats (for JSON-safe decisions)."""
    return {name: float(value) for name, value in zip(names, values, strict=True)}


def evidence(reading: EmotionReading) -> list[float]:
    """The reading's distribution as soft evidence; uniform for a reading that saw nothing."""
    if UNINFORMATIVE_FLAGS.intersection(reading.flags):
        return [1.0 / len(LABELS)] * len(LABELS)
    return reading.probabilities()
