"""A very fast emotion sensor: word and character n-gram TF-IDF with logistic regression.

The model is stored without pickle (pickles execute code on load and break across scikit-learn versions): the
vocabularies, IDF weights and classifier coefficients go into a compressed ``.npz`` of plain arrays, and the
vectoriser settings into JSON. Loading rebuilds scikit-learn vectorisers from them, and scoring is a sparse
matrix product.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.base import EmotionSensor, SensorLoadError
from eq_negotiator.sensing.base_model import sha256_of, verify_manifest
from eq_negotiator.sensing.data import EmotionDataset
from eq_negotiator.sensing.metrics import Calibration, classification_report, fit_calibration

TFIDF_FORMAT_VERSION = 1
ARRAYS_FILE = "tfidf.npz"
CONFIG_FILE = "tfidf.json"
EMBEDDED_TFIDF_DIR = "tfidf"
TFIDF_REBUILD_COMMAND = (
    "eqn emotion train-tfidf --data goemotions-ekman:<GoEmotions dir> --out eq_negotiator/sensing/models/tfidf"
)

# Vectoriser settings: what is learned is stored; these are the knobs that produced it.
WORD_SETTINGS: dict[str, Any] = {
    "analyzer": "word",
    "ngram_range": [1, 2],
    "lowercase": True,
    "sublinear_tf": True,
    "min_df": 2,
    "max_features": 60000,
    "token_pattern": r"(?u)\b\w[\w']*\b",
}
CHAR_SETTINGS: dict[str, Any] = {
    "analyzer": "char_wb",
    "ngram_range": [2, 5],
    "lowercase": True,
    "sublinear_tf": True,
    "min_df": 3,
    "max_features": 120000,
}


@dataclass(frozen=True)
class TfidfTrainConfig:
    """Settings of a TF-IDF training run.

    Attributes:
        c: Inverse regularisation strength of the logistic regression.
        class_weight_power: Exponent of inverse class frequency in sample weights (0 = none).
        tune_bias: Fit per-class offsets for macro-F1 on validation data.
    """

    c: float = 4.0
    class_weight_power: float = 0.5
    tune_bias: bool = True


def _stacked_features(word: TfidfVectorizer, char: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    return sp.hstack([word.transform(texts), char.transform(texts)], format="csr")


def _vectorizer(settings: dict[str, Any], vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    options = {k: v for k, v in settings.items() if k not in ("min_df", "max_features") or vocabulary is None}
    options["ngram_range"] = tuple(options["ngram_range"])
    options["dtype"] = np.float32
    return TfidfVectorizer(vocabulary=vocabulary, **options)


class TfidfModel:
    """Fitted vectorisers and linear classifier.

    Args:
        word: Fitted word-level vectoriser.
        char: Fitted character-level vectoriser.
        coef: ``(n_features, 7)`` coefficients (word features first).
        intercept: ``(7,)`` intercepts.
        calibration: Offsets and temperature applied to the linear scores.
    """

    def __init__(
        self,
        word: TfidfVectorizer,
        char: TfidfVectorizer,
        coef: NDArray[np.float32],
        intercept: NDArray[np.float32],
        calibration: Calibration,
    ) -> None:
        self.word = word
        self.char = char
        self.coef = coef
        self.intercept = intercept
        self.calibration = calibration
        self._fast: list[tuple[Callable[[str], list[str]], dict[str, int], NDArray[np.float64], int]] | None = None

    # Below this many texts, scoring in plain Python beats scikit-learn's per-call input validation.
    FAST_PATH_MAX_TEXTS = 16

    def _analyzers(self) -> list[tuple[Callable[[str], list[str]], dict[str, int], NDArray[np.float64], int]]:
        if self._fast is None:
            word_vocabulary = self.word.vocabulary_
            self._fast = [
                (self.word.build_analyzer(), word_vocabulary, self.word.idf_, 0),
                (self.char.build_analyzer(), self.char.vocabulary_, self.char.idf_, len(word_vocabulary)),
            ]
        return self._fast

    def _logits_one(self, text: str) -> NDArray[np.float64]:
        """Linear scores of one text; the same numbers as :meth:`features` (sublinear tf, idf, L2 per block)."""
        scores = self.intercept.astype(np.float64)
        for analyzer, vocabulary, idf, offset in self._analyzers():
            counts = Counter(vocabulary[term] for term in analyzer(text) if term in vocabulary)
            if not counts:
                continue
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            weights = (1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * idf[index]
            weights /= np.linalg.norm(weights)
            scores += weights @ self.coef[offset + index]
        return scores

    def features(self, texts: list[str]) -> sp.csr_matrix:
        """Return the stacked TF-IDF features of ``texts``."""
        return _stacked_features(self.word, self.char, texts)

    def logits(self, texts: list[str]) -> NDArray[np.float64]:
        """Return uncalibrated linear scores ``(n, 7)``."""
        if len(texts) <= self.FAST_PATH_MAX_TEXTS:
            return np.array([self._logits_one(text) for text in texts]).reshape(len(texts), len(LABELS))
        return np.asarray(self.features(texts) @ self.coef, dtype=np.float64) + self.intercept

    def probabilities(self, texts: list[str]) -> NDArray[np.float64]:
        """Return calibrated probabilities ``(n, 7)``."""
        return self.calibration.apply(self.logits(texts))

    def save(self, directory: str | Path, metrics: dict[str, Any] | None = None) -> Path:
        """Write ``tfidf.npz`` and ``tfidf.json`` (and ``metrics.json`` when given) into ``directory``."""
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, NDArray[Any]] = {}
        for name, vectorizer in (("word", self.word), ("char", self.char)):
            terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
            arrays[f"{name}_terms"] = np.array(terms, dtype=str)
            arrays[f"{name}_idf"] = vectorizer.idf_.astype(np.float32)
        arrays["coef"] = self.coef.astype(np.float32)
        arrays["intercept"] = self.intercept.astype(np.float32)
        np.savez_compressed(out / ARRAYS_FILE, **arrays)  # type: ignore[arg-type]
        config = {
            "format_version": TFIDF_FORMAT_VERSION,
            "labels": list(LABELS),
            "word": WORD_SETTINGS,
            "char": CHAR_SETTINGS,
            "calibration": self.calibration.to_dict(),
            "files": {ARRAYS_FILE: sha256_of(out / ARRAYS_FILE)},
        }
        (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        if metrics is not None:
            (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, directory: str | Path, rebuild_hint: str = f"rebuild it with: {TFIDF_REBUILD_COMMAND}") -> TfidfModel:
        """Load a model written by :meth:`save`.

        Raises:
            SensorLoadError: If a file is missing, corrupted or of another format version.
        """
        folder = Path(directory)
        config_path, arrays_path = folder / CONFIG_FILE, folder / ARRAYS_FILE
        for path in (config_path, arrays_path):
            if not path.is_file():
                raise SensorLoadError(f"TF-IDF model file {path} is missing; {rebuild_hint}")
        try:
            config = json.loads(config_path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise SensorLoadError(f"TF-IDF model file {config_path} is unreadable ({exc}); {rebuild_hint}") from exc
        if config.get("format_version") != TFIDF_FORMAT_VERSION or config.get("labels") != list(LABELS):
            raise SensorLoadError(f"TF-IDF model file {config_path} has an unknown format; {rebuild_hint}")
        verify_manifest(folder, config.get("files", {}), rebuild_hint)
        try:
            with np.load(arrays_path, allow_pickle=False) as arrays:
                data = {key: arrays[key] for key in arrays.files}
        except (OSError, ValueError) as exc:
            raise SensorLoadError(f"TF-IDF model file {arrays_path} is unreadable ({exc}); {rebuild_hint}") from exc
        vectorizers = []
        for name in ("word", "char"):
            terms = data[f"{name}_terms"].tolist()
            vectorizer = _vectorizer(config[name], {term: i for i, term in enumerate(terms)})
            vectorizer.idf_ = data[f"{name}_idf"].astype(np.float64)
            vectorizers.append(vectorizer)
        return cls(
            vectorizers[0],
            vectorizers[1],
            data["coef"].astype(np.float32),
            data["intercept"].astype(np.float32),
            Calibration.from_dict(config["calibration"]),
        )


def train_tfidf(
    train: EmotionDataset, validation: EmotionDataset, config: TfidfTrainConfig = TfidfTrainConfig()
) -> tuple[TfidfModel, dict[str, Any]]:
    """Fit the TF-IDF sensor; multi-label rows become one weighted row per label.

    Args:
        train: Training rows (soft targets allowed).
        validation: Single-label rows used for calibration and reported scores.
        config: Regularisation and weighting.

    Returns:
        The model and its validation metrics.
    """
    from eq_negotiator.sensing.training import class_weight_vector

    rows, labels = np.nonzero(train.targets > 0)
    weights = train.targets[rows, labels].astype(np.float64)
    if config.class_weight_power > 0:
        weights *= class_weight_vector(train.class_counts(), config.class_weight_power)[labels]
    texts = [train.texts[i] for i in rows]
    word = _vectorizer(WORD_SETTINGS)
    char = _vectorizer(CHAR_SETTINGS)
    word.fit(train.texts)
    char.fit(train.texts)
    features = _stacked_features(word, char, texts)
    classifier = LogisticRegression(C=config.c, max_iter=2000)
    classifier.fit(features, labels, sample_weight=weights)
    coef = np.zeros((features.shape[1], len(LABELS)), np.float32)
    intercept = np.zeros(len(LABELS), np.float32)
    coef[:, classifier.classes_] = classifier.coef_.T
    intercept[classifier.classes_] = classifier.intercept_
    model = TfidfModel(word, char, coef, intercept, Calibration())
    val_logits = model.logits(validation.texts)
    model.calibration = fit_calibration(val_logits, validation.labels, tune_bias=config.tune_bias)
    metrics = {"validation": classification_report(validation.labels, model.calibration.apply(val_logits))}
    return model, metrics


def embedded_tfidf_dir() -> Path:
    """Return the folder of the TF-IDF model shipped with the package."""
    return Path(str(resources.files("eq_negotiator.sensing.models").joinpath(EMBEDDED_TFIDF_DIR)))


class TfidfSensor(EmotionSensor):
    """Sensor backed by a :class:`TfidfModel` (no length limit, so never truncates).

    Args:
        directory: Model folder; the shipped model when ``None``.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.spec = "tfidf" if directory is None else f"tfidf:{directory}"
        self.model = TfidfModel.load(directory if directory is not None else embedded_tfidf_dir())

    def _probabilities(self, texts: list[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        return self.model.probabilities(texts), np.zeros(len(texts), dtype=bool)
