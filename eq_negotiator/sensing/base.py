"""The emotion sensor interface shared by every backend.

Backends implement :meth:`EmotionSensor._probabilities` on clean, non-empty text; this base class owns the
input contract so every backend behaves the same on bad input:

* a non-string is a ``TypeError``;
* empty or whitespace-only text reads as certain neutral with the ``empty_input`` flag (no model call);
* text longer than the model accepts is truncated, flagged ``truncated`` and reported by a
  :class:`TruncationWarning`.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from eq_negotiator.emotions import FLAG_EMPTY_INPUT, FLAG_TRUNCATED, LABELS, EmotionReading


class SensorLoadError(RuntimeError):
    """A sensor's model files are missing, corrupted or unusable."""


class TruncationWarning(UserWarning):
    """Text was longer than the sensor reads; only its beginning was used."""


class EmotionSensor(ABC):
    """Reads the client's emotion in an utterance.

    Attributes:
        spec: The spec string the sensor was built from (for decision records).
    """

    spec: str = "unknown"

    def read(self, text: str) -> EmotionReading:
        """Read one utterance.

        Args:
            text: The utterance.

        Returns:
            The reading.

        Raises:
            TypeError: If ``text`` is not a string.
        """
        return self.read_many([text])[0]

    def read_many(self, texts: Sequence[str]) -> list[EmotionReading]:
        """Read several utterances at once (faster than one by one).

        Args:
            texts: The utterances.

        Returns:
            One reading per utterance, in order.

        Raises:
            TypeError: If ``texts`` is a single string or holds a non-string.
        """
        if isinstance(texts, str):
            raise TypeError("read_many() takes a sequence of strings; use read() for one string")
        items = list(texts)
        for position, text in enumerate(items):
            if not isinstance(text, str):
                raise TypeError(f"utterance {position} is {type(text).__name__}, not str")
        readings: list[EmotionReading | None] = [None] * len(items)
        to_read = [i for i, text in enumerate(items) if text.strip()]
        for i, text in enumerate(items):
            if not text.strip():
                readings[i] = EmotionReading.neutral(flags=(FLAG_EMPTY_INPUT,))
        if to_read:
            probabilities, truncated = self._probabilities([items[i].strip() for i in to_read])
            if truncated.any():
                warnings.warn(
                    f"{int(truncated.sum())} utterance(s) exceeded the {self.spec} sensor's length limit and "
                    "were truncated",
                    TruncationWarning,
                    stacklevel=2,
                )
            for row, i in enumerate(to_read):
                flags = (FLAG_TRUNCATED,) if truncated[row] else ()
                readings[i] = EmotionReading.from_probabilities(probabilities[row], flags)
        return [r for r in readings if r is not None]

    @abstractmethod
    def _probabilities(self, texts: list[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Return ``(n, 7)`` probabilities in :data:`LABELS` order and an ``(n,)`` truncation mask."""

    def labels(self) -> tuple[str, ...]:
        """The labels the sensor's distributions are keyed by (always the seven labels)."""
        return LABELS
