"""Classic repeated-game strategies, restated over emotional stances.

In the emotion game a "move" is an emotion: the client's move is what the sensor read, the agent's move is its
stance. A negative client emotion plays the part of defection. These functions are pure (randomness comes in as a
generator), so a policy built from them is reproducible under a seed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eq_negotiator.emotions import LABELS, NEGATIVE, NEUTRAL, label_index

DEFAULT_OPENING = NEUTRAL
"""First move when the opponent has not moved yet, and the cooperative move a generous strategy forgives with."""


def tit_for_tat(client_last: str | None, *, opening: str = DEFAULT_OPENING) -> str:
    """Mirror the client's last emotion; open with ``opening``.

    Args:
        client_last: The client's most recent emotion, or ``None`` before the client has spoken.
        opening: Stance to play before there is anything to mirror.

    Returns:
        The stance to play.
    """
    label_index(opening)
    if client_last is None:
        return opening
    label_index(client_last)
    return client_last


def generous_tit_for_tat(
    client_last: str | None,
    rng: np.random.Generator,
    *,
    forgiveness: float = 0.3,
    cooperative: str = DEFAULT_OPENING,
) -> tuple[str, bool]:
    """Tit-for-tat that forgives a negative emotion with probability ``forgiveness``.

    Args:
        client_last: The client's most recent emotion, or ``None`` before the client has spoken.
        rng: Source of the forgiveness draws (seed it for reproducibility).
        forgiveness: Probability of answering a negative emotion with ``cooperative`` instead of mirroring it.
        cooperative: The forgiving stance.

    Returns:
        The stance and whether this move forgave.

    Raises:
        ValueError: If ``forgiveness`` is outside [0, 1].
    """
    if not 0.0 <= forgiveness <= 1.0:
        raise ValueError(f"forgiveness must be in [0, 1], got {forgiveness}")
    mirrored = tit_for_tat(client_last, opening=cooperative)
    if mirrored in NEGATIVE and rng.random() < forgiveness:
        return cooperative, True
    return mirrored, False


def win_stay_lose_shift(last_stance: str | None, won: bool | None, ranked: Sequence[str]) -> str:
    """Win-stay, lose-shift (Pavlov): keep a stance that worked, otherwise move to the best other one.

    Args:
        last_stance: The stance played last turn, or ``None`` on the first turn.
        won: Whether last turn's outcome was a win; ``None`` when there is no outcome to judge.
        ranked: Candidate stances, best first (for example by expected payoff).

    Returns:
        ``last_stance`` after a win; the best-ranked stance other than ``last_stance`` after a loss; the best-ranked
        stance when there is no last stance or no outcome.

    Raises:
        ValueError: If ``ranked`` is empty.
    """
    if not ranked:
        raise ValueError("win_stay_lose_shift needs at least one ranked stance")
    if last_stance is None or won is None:
        return ranked[0]
    if won:
        return last_stance
    for stance in ranked:
        if stance != last_stance:
            return stance
    return ranked[0]


def rank_stances(scores: Sequence[float] | np.ndarray, *, exclude: Sequence[str] = ()) -> list[str]:
    """Return stances ordered by score, highest first; ties keep :data:`LABELS` order.

    Args:
        scores: One score per label, in :data:`LABELS` order.
        exclude: Stances to leave out.
    """
    order = sorted(range(len(LABELS)), key=lambda i: (-float(scores[i]), i))
    return [LABELS[i] for i in order if LABELS[i] not in exclude]
