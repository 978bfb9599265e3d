"""Classification metrics and post-hoc calibration for emotion sensors.

Calibration has two parts, both fitted on validation data only:

* a per-class logit offset chosen to maximise macro-F1 (class-weighted training shifts the decision
  boundaries; the offset puts them back where macro-F1 is best), and
* a temperature that minimises negative log-likelihood (Guo et al., 2017), so confidences mean what they say.

Because the offset is added before dividing by the temperature, the temperature never changes a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from eq_negotiator.emotions import LABELS

# scikit-learn and scipy are imported inside the functions that fit or score: a sensor that only applies a fitted
# calibration at inference time should not pay their ~100 MB.

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def softmax(logits: NDArray[Any]) -> FloatArray:
    """Row-wise softmax, numerically stable."""
    shifted = np.asarray(logits, dtype=np.float64)
    shifted = shifted - shifted.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def expected_calibration_error(probabilities: NDArray[Any], labels: NDArray[Any], bins: int = 15) -> float:
    """Top-label expected calibration error with equal-width confidence bins.

    Args:
        probabilities: ``(n, k)`` predicted probabilities.
        labels: ``(n,)`` true class indices.
        bins: Number of confidence bins.

    Returns:
        The bin-size-weighted mean gap between confidence and accuracy.
    """
    probs = np.asarray(probabilities, dtype=np.float64)
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == np.asarray(labels)).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    error = 0.0
    for b in range(bins):
        in_bin = which == b
        if in_bin.any():
            error += in_bin.mean() * abs(confidence[in_bin].mean() - correct[in_bin].mean())
    return float(error)


def macro_f1(labels: NDArray[Any], predictions: NDArray[Any]) -> float:
    """Macro-averaged F1 over the seven labels (absent labels count as zero)."""
    from sklearn.metrics import f1_score

    return float(f1_score(labels, predictions, labels=list(range(len(LABELS))), average="macro", zero_division=0))


def classification_report(labels: NDArray[Any], probabilities: NDArray[Any]) -> dict[str, Any]:
    """Score predictions against true labels.

    Args:
        labels: ``(n,)`` true label indices in :data:`LABELS` order.
        probabilities: ``(n, 7)`` predicted distributions.

    Returns:
        ``n``, ``accuracy``, ``macro_f1``, ``weighted_f1``, ``per_class`` (label → precision, recall, f1,
        support), ``confusion`` (rows = true label, columns = predicted, in :data:`LABELS` order) and ``ece``.
    """
    y = np.asarray(labels, dtype=np.int64)
    probs = np.asarray(probabilities, dtype=np.float64)
    predictions = probs.argmax(axis=1)
    all_labels = list(range(len(LABELS)))
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(y, predictions, labels=all_labels, zero_division=0)
    return {
        "n": len(y),
        "accuracy": float((predictions == y).mean()) if len(y) else 0.0,
        "macro_f1": macro_f1(y, predictions),
        "weighted_f1": float(f1_score(y, predictions, labels=all_labels, average="weighted", zero_division=0)),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(LABELS)
        },
        "confusion": confusion_matrix(y, predictions, labels=all_labels).tolist(),
        "ece": expected_calibration_error(probs, y),
    }


@dataclass
class Calibration:
    """Per-class logit offsets and a temperature: ``p = softmax((logits + bias) / temperature)``.

    Attributes:
        temperature: Positive divisor of the logits.
        bias: Seven offsets in :data:`LABELS` order.
    """

    temperature: float = 1.0
    bias: list[float] = field(default_factory=lambda: [0.0] * len(LABELS))

    def apply(self, logits: NDArray[Any]) -> FloatArray:
        """Turn raw logits into calibrated probabilities."""
        return softmax((np.asarray(logits, dtype=np.float64) + np.asarray(self.bias)) / self.temperature)

    def to_dict(self) -> dict[str, Any]:
        """Return JSON-safe data."""
        return {"temperature": self.temperature, "bias": list(self.bias)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """Rebuild from :meth:`to_dict` output.

        Raises:
            ValueError: If the temperature is not positive or the bias has the wrong length.
        """
        temperature = float(data.get("temperature", 1.0))
        bias = [float(b) for b in data.get("bias", [0.0] * len(LABELS))]
        if temperature <= 0 or len(bias) != len(LABELS):
            raise ValueError(f"invalid calibration {data}")
        return cls(temperature, bias)


def fit_class_bias(logits: NDArray[Any], labels: NDArray[Any], rounds: int = 3) -> FloatArray:
    """Choose per-class logit offsets that maximise macro-F1 by coordinate ascent over a grid.

    Args:
        logits: ``(n, 7)`` validation logits.
        labels: ``(n,)`` validation labels.
        rounds: Passes over the seven classes.

    Returns:
        Seven offsets (zero-mean).
    """
    scores = np.asarray(logits, dtype=np.float64)
    # Offsets live on the scale of the logits themselves.
    scale = float(np.std(scores)) or 1.0
    grid = np.linspace(-1.5, 1.5, 31) * scale
    bias = np.zeros(scores.shape[1])
    best = macro_f1(labels, (scores + bias).argmax(axis=1))
    for _ in range(rounds):
        improved = False
        for k in range(scores.shape[1]):
            for value in grid:
                trial = bias.copy()
                trial[k] = value
                score = macro_f1(labels, (scores + trial).argmax(axis=1))
                if score > best + 1e-9:
                    best, bias, improved = score, trial, True
        if not improved:
            break
    return np.asarray(bias - bias.mean())


def fit_temperature(logits: NDArray[Any], labels: NDArray[Any]) -> float:
    """Find the temperature that minimises negative log-likelihood on validation data."""
    scores = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)

    def nll(log_t: float) -> float:
        probs = softmax(scores / np.exp(log_t))
        return float(-np.log(np.clip(probs[np.arange(len(y)), y], 1e-12, None)).mean())

    from scipy.optimize import minimize_scalar

    result = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded")
    return float(np.exp(result.x))


def class_bias_gain(logits: NDArray[Any], labels: NDArray[Any], folds: int = 5, seed: int = 0) -> float:
    """Out-of-fold macro-F1 gain of fitted offsets over no offsets, by k-fold cross-validation.

    Offsets fitted on a few hundred rare-class examples can overfit the validation set; this measures whether
    they help on rows they were not fitted on.
    """
    scores = np.asarray(logits, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64)
    fold_of = np.random.default_rng(seed).permutation(len(y)) % folds
    with_bias = np.zeros(len(y), dtype=np.int64)
    for fold in range(folds):
        held_out = fold_of == fold
        bias = fit_class_bias(scores[~held_out], y[~held_out])
        with_bias[held_out] = (scores[held_out] + bias).argmax(axis=1)
    return macro_f1(y, with_bias) - macro_f1(y, scores.argmax(axis=1))


def fit_calibration(logits: NDArray[Any], labels: NDArray[Any], tune_bias: bool = True) -> Calibration:
    """Fit offsets (only where they help out of fold) then a temperature on validation logits."""
    use_bias = tune_bias and class_bias_gain(logits, labels) > 0.0
    bias = fit_class_bias(logits, labels) if use_bias else np.zeros(len(LABELS))
    temperature = fit_temperature(np.asarray(logits) + bias, labels)
    return Calibration(temperature=temperature, bias=[float(b) for b in bias])
