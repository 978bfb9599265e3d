"""The client-emotion vocabulary and the reading a sensor returns.

Every part of EQ-Negotiator (sensor, HMM, game, prompts) uses the same seven labels in the same order, so
arrays indexed by emotion can be passed between them without a lookup.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

LABELS: Final[tuple[str, ...]] = ("joy", "sadness", "anger", "fear", "surprise", "disgust", "neutral")
"""The seven emotion labels, in the order used for every array and table."""

NEGATIVE: Final[frozenset[str]] = frozenset({"sadness", "anger", "fear", "disgust"})
"""Labels treated as negative affect by the reasoning policies."""

LABEL_INDEX: Final[dict[str, int]] = {label: i for i, label in enumerate(LABELS)}
"""Label name to its position in :data:`LABELS`."""

NEUTRAL: Final[str] = "neutral"

# Flags a reading may carry; they explain why a reading is not a plain model output.
FLAG_EMPTY_INPUT: Final[str] = "empty_input"
FLAG_TRUNCATED: Final[str] = "truncated"


def label_index(label: str) -> int:
    """Return the position of ``label`` in :data:`LABELS`.

    Args:
        label: One of the seven labels.

    Returns:
        Its index.

    Raises:
        ValueError: If ``label`` is not one of the seven labels.
    """
    try:
        return LABEL_INDEX[label]
    except KeyError:
        raise ValueError(f"unknown emotion label {label!r}; expected one of {', '.join(LABELS)}") from None


def is_negative(label: str) -> bool:
    """Return whether ``label`` is in the negative set (sadness, anger, fear, disgust)."""
    label_index(label)
    return label in NEGATIVE


@dataclass(frozen=True)
class EmotionReading:
    """What a sensor read in one utterance.

    Attributes:
        label: The most probable label.
        confidence: Probability of ``label``.
        distribution: Probability of every label, keyed in :data:`LABELS` order; sums to 1.
        flags: Why this reading is special, if it is (``"empty_input"``, ``"truncated"``).
    """

    label: str
    confidence: float
    distribution: dict[str, float]
    flags: tuple[str, ...] = field(default=())

    @classmethod
    def from_probabilities(cls, probabilities: Sequence[float], flags: Sequence[str] = ()) -> EmotionReading:
        """Build a reading from a probability vector in :data:`LABELS` order.

        Args:
            probabilities: Seven non-negative numbers summing to 1 (renormalised if slightly off).
            flags: Flags to attach.

        Returns:
            The reading.

        Raises:
            ValueError: If the vector has the wrong length, is negative, non-finite or sums to zero.
        """
        values = [float(p) for p in probabilities]
        if len(values) != len(LABELS):
            raise ValueError(f"expected {len(LABELS)} probabilities, got {len(values)}")
        if any(not math.isfinite(p) or p < 0 for p in values):
            raise ValueError(f"probabilities must be finite and non-negative: {values}")
        total = sum(values)
        if total <= 0:
            raise ValueError("probabilities sum to zero")
        values = [p / total for p in values]
        best = max(range(len(values)), key=values.__getitem__)
        return cls(
            label=LABELS[best],
            confidence=values[best],
            distribution=dict(zip(LABELS, values, strict=True)),
            flags=tuple(flags),
        )

    @classmethod
    def neutral(cls, flags: Sequence[str] = ()) -> EmotionReading:
        """Return a certain-neutral reading (used for empty input)."""
        return cls.from_probabilities([1.0 if label == NEUTRAL else 0.0 for label in LABELS], flags)

    def probabilities(self) -> list[float]:
        """Return the distribution as a list in :data:`LABELS` order."""
        return [self.distribution[label] for label in LABELS]

    def to_dict(self) -> dict[str, Any]:
        """Return the reading as JSON-safe data (``label``, ``confidence``, ``distribution``, ``flags``)."""
        return {
            "label": self.label,
            "confidence": self.confidence,
            "distribution": dict(self.distribution),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EmotionReading:
        """Rebuild a reading from :meth:`to_dict` output.

        Raises:
            ValueError: If the distribution is missing a label or is not a probability vector.
        """
        distribution = data["distribution"]
        missing = [label for label in LABELS if label not in distribution]
        if missing:
            raise ValueError(f"reading distribution lacks labels: {missing}")
        return cls.from_probabilities([distribution[label] for label in LABELS], data.get("flags", ()))
