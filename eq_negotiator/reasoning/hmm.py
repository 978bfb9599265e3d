"""A hidden Markov model of the client's latent stance, observed through their emotions.

Hidden states are the client's stance in the negotiation (cooperative, confrontational, distressed, strategic); the
observation each turn is the emotion the sensor reads. The model is an :class:`hmmlearn.hmm.CategoricalHMM` for its
parameters and for learning (MAP EM with Dirichlet priors); the per-turn forward filter and forecast are the same
equations written in numpy, because they run on every turn and must take the sensor's whole distribution (soft
evidence), which hmmlearn's discrete API cannot.

Priors and their reasoning
--------------------------
Start and transition probabilities are those of EQ-Negotiator's 4-stance model (arXiv 2511.03370, its code's
``INITIAL_STATE_DIST`` and ``STATE_TRANSITION``). That paper has no emission table over client emotions (its code
scores emotion *pairs* with a 7x7 agent table, so the client's emotion cancels out of the belief update), so the
emission table here is our own design, row by row:

- cooperative: mostly neutral (0.48) and joy (0.25), some surprise (0.12: pleased at a workable offer); negative
  emotions rare.
- confrontational: anger dominates (0.45) with disgust/contempt (0.25); neutral (0.12) for the calm turns between.
- distressed: sadness (0.40) and fear (0.32) about consequences; anger rare (0.06); some flat neutral (0.13).
- strategic: composed, mostly neutral (0.40), with a spread of tactical displays: surprise at an offer (0.13),
  sadness when playing the victim (0.12), anger and disgust as pressure (0.10 each), feigned joy (0.10).

No emotion is impossible in any state (no zero cell), so one misread turn cannot zero out a stance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning.tables import FloatArray, as_distribution, as_stochastic_matrix

STANCES: Final[tuple[str, ...]] = ("cooperative", "confrontational", "distressed", "strategic")
"""The client's latent stances, in the order of every HMM array."""

N_STANCES = len(STANCES)
N_LABELS = len(LABELS)

PRIOR_START: Final[tuple[float, ...]] = (0.4, 0.2, 0.2, 0.2)
PRIOR_TRANSITION: Final[tuple[tuple[float, ...], ...]] = (
    # to: coop  conf  dist  strat
    (0.50, 0.15, 0.15, 0.20),  # from cooperative
    (0.20, 0.40, 0.20, 0.20),  # from confrontational
    (0.25, 0.15, 0.40, 0.20),  # from distressed
    (0.20, 0.20, 0.15, 0.45),  # from strategic
)
PRIOR_EMISSION: Final[tuple[tuple[float, ...], ...]] = (
    # joy   sad   anger fear  surpr disg  neutral
    (0.25, 0.05, 0.03, 0.05, 0.12, 0.02, 0.48),  # cooperative
    (0.02, 0.05, 0.45, 0.03, 0.08, 0.25, 0.12),  # confrontational
    (0.02, 0.40, 0.06, 0.32, 0.04, 0.03, 0.13),  # distressed
    (0.10, 0.12, 0.10, 0.05, 0.13, 0.10, 0.40),  # strategic
)

DEFAULT_PRIOR_STRENGTH: Final[float] = 20.0
"""Pseudo-observations behind each prior row: learning needs about this many turns to move a row halfway."""

DEFAULT_MAX_DIALOGUES: Final[int] = 500
"""Completed dialogues kept per segment for refitting; older ones are dropped first."""

UNINFORMATIVE: Final[FloatArray] = np.ones(N_LABELS) / N_LABELS


@dataclass(frozen=True)
class HMMParameters:
    """Start, transition and emission probabilities of the stance HMM, as plain arrays.

    Attributes:
        start: P(first stance), 4 values.
        transition: P(next stance | stance), 4x4, rows sum to 1.
        emission: P(emotion | stance), 4x7 in :data:`LABELS` order, rows sum to 1.
    """

    start: FloatArray
    transition: FloatArray
    emission: FloatArray

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_distribution("HMM start probabilities", self.start, N_STANCES))
        object.__setattr__(
            self,
            "transition",
            as_stochastic_matrix("HMM transition table", self.transition, (N_STANCES, N_STANCES), STANCES),
        )
        object.__setattr__(
            self, "emission", as_stochastic_matrix("HMM emission table", self.emission, (N_STANCES, N_LABELS), STANCES)
        )
        for array in (self.start, self.transition, self.emission):
            array.setflags(write=False)

    @classmethod
    def prior(cls) -> HMMParameters:
        """Return the documented prior means (see the module docstring)."""
        return cls(np.array(PRIOR_START), np.array(PRIOR_TRANSITION), np.array(PRIOR_EMISSION))

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-safe data: ``states``, ``labels``, ``start``, ``transition``, ``emission``."""
        return {
            "states": list(STANCES),
            "labels": list(LABELS),
            "start": self.start.tolist(),
            "transition": self.transition.tolist(),
            "emission": self.emission.tolist(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HMMParameters:
        """Rebuild parameters from :meth:`to_dict` output.

        Raises:
            ValueError: If a key is missing, the state or label order differs, or a table is malformed.
        """
        for key, expected in (("states", STANCES), ("labels", LABELS)):
            if key in data and tuple(data[key]) != expected:
                raise ValueError(f"HMM parameters: {key} must be {list(expected)}, got {list(data[key])}")
        missing = [key for key in ("start", "transition", "emission") if key not in data]
        if missing:
            raise ValueError(f"HMM parameters lack {', '.join(missing)}")
        return cls(np.asarray(data["start"]), np.asarray(data["transition"]), np.asarray(data["emission"]))


class StanceHMM:
    """The stance HMM: per-turn filtering and forecasting, and MAP learning across completed dialogues.

    The object holds only what is learned across dialogues (parameters and the completed dialogues of its segment).
    A dialogue's belief is passed in and returned, never stored here, so starting a new dialogue needs no reset and
    cannot lose what was learned.

    Args:
        parameters: Starting parameters; the prior means when omitted.
        prior: Dirichlet prior means for learning; the documented priors when omitted.
        prior_strength: Pseudo-observations behind each prior row.
        max_dialogues: Completed dialogues kept for refitting.
    """

    def __init__(
        self,
        parameters: HMMParameters | None = None,
        *,
        prior: HMMParameters | None = None,
        prior_strength: float = DEFAULT_PRIOR_STRENGTH,
        max_dialogues: int = DEFAULT_MAX_DIALOGUES,
    ) -> None:
        if prior_strength <= 0:
            raise ValueError(f"prior_strength must be positive, got {prior_strength}")
        if max_dialogues < 1:
            raise ValueError(f"max_dialogues must be at least 1, got {max_dialogues}")
        self.prior = prior or HMMParameters.prior()
        self.parameters = parameters or self.prior
        self.prior_strength = prior_strength
        self.max_dialogues = max_dialogues
        self.dialogues: list[list[int]] = []

    # -- per turn -------------------------------------------------------------------------------------------------

    def filter(self, belief: FloatArray | None, evidence: Sequence[float] | FloatArray) -> FloatArray:
        """Advance the belief by one client turn (forward algorithm, one step).

        The evidence is the sensor's distribution ``q`` over the seven labels, used as soft (virtual) evidence: the
        likelihood of stance ``s`` is ``sum_k P(k | s) q(k)``. A certain reading reduces to the ordinary emission
        probability; a uniform one leaves the predicted belief unchanged.

        Args:
            belief: Belief after the previous turn, or ``None`` on the dialogue's first turn (the start
                probabilities are the prediction then).
            evidence: Probability of each label this turn, in :data:`LABELS` order.

        Returns:
            The new belief over :data:`STANCES`.
        """
        params = self.parameters
        predicted = params.start if belief is None else np.asarray(belief) @ params.transition
        likelihood = params.emission @ np.asarray(evidence, dtype=np.float64)
        posterior = predicted * likelihood
        total = posterior.sum()
        if not total > 0:  # only possible with evidence of all zeros, which the sensor never produces
            raise ValueError(f"evidence has zero likelihood under every stance: {list(evidence)}")
        result: FloatArray = posterior / total
        return result

    def forecast(self, belief: FloatArray) -> FloatArray:
        """Distribution of the client's next emotion: ``belief @ transition @ emission``."""
        params = self.parameters
        result: FloatArray = (np.asarray(belief) @ params.transition) @ params.emission
        return result

    def initial_belief(self) -> FloatArray:
        """The belief before any turn: the start probabilities."""
        start: FloatArray = self.parameters.start.copy()
        return start

    # -- learning -------------------------------------------------------------------------------------------------

    def to_hmmlearn(self) -> Any:
        """Return a :class:`CategoricalHMM` holding the current parameters and the Dirichlet priors for MAP EM.

        Priors are concentrations ``1 + strength * prior_mean``, so each M-step adds ``strength * prior_mean``
        pseudo-counts to the expected counts from the data.
        """
        # Imported here: hmmlearn pulls in scikit-learn and scipy, which the per-turn path never needs.
        from hmmlearn.hmm import CategoricalHMM

        strength = self.prior_strength
        model = CategoricalHMM(
            n_components=N_STANCES,
            n_features=N_LABELS,
            startprob_prior=1.0 + strength * self.prior.start,
            transmat_prior=1.0 + strength * self.prior.transition,
            emissionprob_prior=1.0 + strength * self.prior.emission,
            init_params="",
            params="ste",
            n_iter=25,
            tol=1e-4,
        )
        model.startprob_ = self.parameters.start.copy()
        model.transmat_ = self.parameters.transition.copy()
        model.emissionprob_ = self.parameters.emission.copy()
        return model

    def learn(self, dialogue: Sequence[str]) -> HMMParameters:
        """Add a completed dialogue's client emotions and refit by MAP EM over all kept dialogues.

        Args:
            dialogue: The client's emotion label per turn (the sensor's most probable label; hmmlearn's EM takes
                discrete observations).

        Returns:
            The new parameters (also stored on this object).

        Raises:
            ValueError: If a label is unknown.
        """
        codes = [_label_code(label) for label in dialogue]
        if not codes:
            return self.parameters
        self.dialogues.append(codes)
        del self.dialogues[: -self.max_dialogues]
        return self.refit()

    def refit(self) -> HMMParameters:
        """Refit the parameters by MAP EM over the kept dialogues (from the current parameters)."""
        if not self.dialogues:
            return self.parameters
        model = self.to_hmmlearn()
        observations = np.concatenate([np.asarray(d, dtype=np.int64) for d in self.dialogues]).reshape(-1, 1)
        lengths = [len(d) for d in self.dialogues]
        with _quiet_hmmlearn():
            model.fit(observations, lengths)
        self.parameters = HMMParameters(model.startprob_, model.transmat_, model.emissionprob_)
        return self.parameters

    def log_likelihood(self, dialogues: Sequence[Sequence[str]]) -> float:
        """Log-likelihood of dialogues (label sequences) under the current parameters."""
        model = self.to_hmmlearn()
        sequences = [[_label_code(label) for label in d] for d in dialogues if d]
        observations = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences]).reshape(-1, 1)
        return float(model.score(observations, [len(s) for s in sequences]))

    # -- persistence ----------------------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Return everything learned as JSON-safe data (parameters and kept dialogues as label lists)."""
        return {
            "parameters": self.parameters.to_dict(),
            "dialogues": [[LABELS[code] for code in d] for d in self.dialogues],
        }

    def load_state_dict(self, data: Mapping[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned.

        Raises:
            ValueError: If the parameters are malformed or a dialogue holds an unknown label.
        """
        parameters = HMMParameters.from_dict(data["parameters"])
        dialogues = [[_label_code(label) for label in d] for d in data.get("dialogues", [])]
        self.parameters = parameters
        self.dialogues = dialogues[-self.max_dialogues :]


def _label_code(label: str) -> int:
    try:
        return LABELS.index(label)
    except ValueError:
        raise ValueError(f"unknown emotion label {label!r}; expected one of {', '.join(LABELS)}") from None


@contextmanager
def _quiet_hmmlearn() -> Iterator[None]:
    # Under MAP EM the data log-likelihood need not rise every iteration (the prior is part of the objective), so
    # hmmlearn's "not converging" and few-data "degenerate solution" warnings are expected and would only alarm.
    logger = logging.getLogger("hmmlearn")
    previous = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(previous)
