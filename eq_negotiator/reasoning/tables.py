"""Validation of the numeric tables the reasoning code is built from.

Payoff tables, HMM parameters and user-supplied configs all arrive as nested lists; these checks turn them into
float arrays or fail with an error that names the table and the offending row, so a bad config is caught when it is
loaded rather than as a silent NaN belief mid-dialogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

PROBABILITY_TOLERANCE = 1e-6
"""How far a probability row may be from summing to 1 before it is rejected."""


def as_matrix(name: str, values: Any, shape: tuple[int, int], row_names: Sequence[str]) -> FloatArray:
    """Convert ``values`` to a finite float matrix of ``shape``.

    Args:
        name: Table name used in error messages.
        values: Nested sequence (or array) of numbers.
        shape: Expected ``(rows, columns)``.
        row_names: Name of each row, for error messages.

    Returns:
        A new float64 array.

    Raises:
        ValueError: If the shape is wrong or a row holds a non-finite value.
    """
    try:
        matrix = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected a {shape[0]}x{shape[1]} table of numbers ({error})") from None
    if matrix.shape != shape:
        raise ValueError(f"{name}: expected shape {shape[0]}x{shape[1]}, got {'x'.join(map(str, matrix.shape))}")
    for row, row_name in enumerate(row_names):
        if not np.all(np.isfinite(matrix[row])):
            raise ValueError(f"{name}: row {row} ({row_name}) contains NaN or infinity: {matrix[row].tolist()}")
    return matrix


def as_stochastic_matrix(name: str, values: Any, shape: tuple[int, int], row_names: Sequence[str]) -> FloatArray:
    """Convert ``values`` to a matrix whose rows are probability distributions.

    Raises:
        ValueError: If the shape is wrong, or a row is non-finite, negative or does not sum to 1.
    """
    matrix = as_matrix(name, values, shape, row_names)
    for row, row_name in enumerate(row_names):
        check_distribution(f"{name}: row {row} ({row_name})", matrix[row])
    return matrix


def as_distribution(name: str, values: Any, size: int) -> FloatArray:
    """Convert ``values`` to a probability vector of ``size`` entries.

    Raises:
        ValueError: If the length is wrong or the entries are not a probability distribution.
    """
    try:
        vector = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name}: expected {size} probabilities ({error})") from None
    if vector.shape != (size,):
        raise ValueError(f"{name}: expected {size} probabilities, got shape {vector.shape}")
    check_distribution(name, vector)
    return vector


def check_distribution(name: str, vector: FloatArray) -> None:
    """Raise ``ValueError`` naming ``name`` unless ``vector`` is finite, non-negative and sums to 1."""
    if not np.all(np.isfinite(vector)):
        raise ValueError(f"{name} contains NaN or infinity: {vector.tolist()}")
    if np.any(vector < 0):
        raise ValueError(f"{name} has a negative probability: {vector.tolist()}")
    total = float(vector.sum())
    if abs(total - 1.0) > PROBABILITY_TOLERANCE:
        raise ValueError(f"{name} sums to {total:.6g}, expected 1")
