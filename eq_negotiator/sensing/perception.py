"""Perception on one shared encoder pass: emotion, client-rights and reply-compliance scores.

The embedded model (all-MiniLM-L6-v2 with our LoRA adapter, see :mod:`perception_training`) carries three heads:

- a **fine emotion head** over GoEmotions' 27 emotions + neutral (:data:`FINE_LABELS`), read as the product's seven
  labels through :data:`PRODUCT_GROUPING`;
- a **rights head**: one probability per :data:`RIGHTS_KINDS` kind for a client message;
- a **compliance head**: one probability per :data:`MODEL_VIOLATION_TYPES` type for a creditor reply.

:class:`PerceptionEncoder` runs the encoder once per text and keeps the result in a small cache, so the emotion
sensor and the rights check reading the same client message share one forward pass. Messages longer than the
encoder's window are read in overlapping windows: the emotion comes from the first window (as the sensor's length
contract says), rights and compliance take the highest score over all windows, so an event buried at the end of a
long message is still seen.

Grouping choice (measured, see the model card): Google's Ekman grouping puts curiosity and realization under
surprise and approval, caring, desire and optimism under joy. On the negotiation set's dev split that grouping
reads businesslike questions as surprise and politeness as joy; moving those six fine labels to neutral raised
accuracy on LLM negotiation text from 0.50 to 0.76 and on human negotiation chat from 0.39 to 0.78 with the same
model, left the credit-dialogue scores unchanged, and leaves GoEmotions-Ekman scores unchanged because they are
computed through :data:`EKMAN_GROUPING` from the same fine probabilities.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import torch
from numpy.typing import NDArray

from eq_negotiator.emotions import LABELS

HEADS_FILE: Final[str] = "heads.safetensors"

FINE_LABELS: Final[tuple[str, ...]] = (
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity", "desire",
    "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear", "gratitude", "grief", "joy",
    "love", "nervousness", "optimism", "pride", "realization", "relief", "remorse", "sadness", "surprise", "neutral",
)  # fmt: skip
"""GoEmotions' fine labels, in the order of its ``labels.txt`` (the fine head's output order)."""

EKMAN_GROUPING: Final[dict[str, str]] = {
    **{name: "joy" for name in (
        "joy", "amusement", "approval", "excitement", "gratitude", "love", "optimism", "relief", "pride",
        "admiration", "desire", "caring")},
    **{name: "sadness" for name in ("sadness", "disappointment", "embarrassment", "grief", "remorse")},
    **{name: "anger" for name in ("anger", "annoyance", "disapproval")},
    **{name: "fear" for name in ("fear", "nervousness")},
    **{name: "surprise" for name in ("surprise", "realization", "confusion", "curiosity")},
    "disgust": "disgust",
    "neutral": "neutral",
}  # fmt: skip
"""Google's GoEmotions → Ekman grouping (``ekman_mapping.json``): the benchmark's grouping."""

PRODUCT_GROUPING: Final[dict[str, str]] = {
    **EKMAN_GROUPING,
    **{name: "neutral" for name in ("curiosity", "realization", "approval", "caring", "desire", "optimism")},
}
"""The grouping the product reads emotions through (chosen on dev data; see the module docstring)."""

RIGHTS_KINDS: Final[tuple[str, ...]] = (
    "crisis", "cease_contact", "attorney", "dispute", "no_work_contact", "client_threat",
)  # fmt: skip
"""Rights-head outputs, in order (the kinds of :mod:`eq_negotiator.negotiation.rights`)."""

MODEL_VIOLATION_TYPES: Final[tuple[str, ...]] = (
    "threat_arrest", "threat_violence", "threat_false_action", "abusive_language", "false_affiliation",
    "false_urgency", "third_party_disclosure", "harassment", "shaming", "deception_other",
)  # fmt: skip
"""Compliance-head outputs: the guard's violation types except ``wrong_amount``, which only the scenario decides."""

WINDOW_STRIDE: Final[int] = 96
"""Tokens between the starts of two windows over a long message (windows overlap by the rest)."""

MIN_BATCHED_TOKENS: Final[int] = 8
"""Shortest window :meth:`PerceptionEncoder.prime` batches: a shorter one alone gives a matrix product of so few
rows that the CPU kernels take another path (measured: 3 tokens alone differ from 3 tokens in a batch by ~1e-6)."""


def grouping_matrix(grouping: Mapping[str, str]) -> NDArray[np.float64]:
    """The ``(28, 7)`` 0/1 matrix that sums fine probabilities into the seven labels.

    Raises:
        ValueError: If a fine label is missing or mapped to something other than the seven labels.
    """
    matrix = np.zeros((len(FINE_LABELS), len(LABELS)))
    for i, name in enumerate(FINE_LABELS):
        target = grouping.get(name)
        if target not in LABELS:
            raise ValueError(f"grouping maps fine label {name!r} to {target!r}, not one of {', '.join(LABELS)}")
        matrix[i, LABELS.index(target)] = 1.0
    return matrix


def group_log_probabilities(fine_logits: NDArray[Any], grouping: NDArray[Any]) -> NDArray[np.float64]:
    """Log of the seven grouped probabilities from fine logits (used as the seven-label logits)."""
    logits = np.asarray(fine_logits, dtype=np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    probabilities = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return np.asarray(np.log(probabilities @ grouping + 1e-12))


def budget_thresholds(scores: NDArray[Any], background: NDArray[np.bool_], budget: float) -> float:
    """The threshold above which only ``budget`` of the background rows score.

    The rights and compliance thresholds are set this way on dev data: the background is the rows that must not
    fire (messages with no escalating kind, compliant replies), and the budget is the false-alarm rate each output
    may add (recall is then whatever the model achieves at that rate, reported beside it).
    """
    pool = np.asarray(scores)[np.asarray(background)]
    if not len(pool):
        return 0.5
    return float(np.quantile(pool, 1.0 - budget))


@dataclass(frozen=True)
class Features:
    """What one encoder pass over one text yields."""

    fine_logits: NDArray[np.float64]
    """Fine emotion logits of the first window."""
    rights: NDArray[np.float64]
    """Rights probabilities, the highest over windows."""
    compliance: NDArray[np.float64]
    """Compliance probabilities, the highest over windows."""


class PerceptionEncoder:
    """Runs the encoder and its heads over texts, with a small cache so one text is encoded once.

    Args:
        model: The compact encoder with the fine emotion head (adapter merged).
        heads: The rights and compliance head weights (``rights.weight`` ... from :data:`HEADS_FILE`).
        tokenizer: A ``tokenizers`` tokenizer without padding or truncation.
        max_length: Tokens per window, special tokens included.
        cache_size: Texts whose features are kept.
    """

    def __init__(
        self,
        model: Any,
        heads: Mapping[str, torch.Tensor],
        tokenizer: Any,
        max_length: int,
        cache_size: int = 256,
    ) -> None:
        self.model = model
        self.rights_head = torch.nn.Linear(heads["rights.weight"].shape[1], heads["rights.weight"].shape[0])
        self.rights_head.load_state_dict({"weight": heads["rights.weight"], "bias": heads["rights.bias"]})
        self.guard_head = torch.nn.Linear(heads["guard.weight"].shape[1], heads["guard.weight"].shape[0])
        self.guard_head.load_state_dict({"weight": heads["guard.weight"], "bias": heads["guard.bias"]})
        self.tokenizer = tokenizer
        self.max_length = max_length
        self._cache: OrderedDict[str, Features] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        cls_id, sep_id = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
        self._cls, self._sep = int(cls_id), int(sep_id)
        self._exact_batches: dict[int, bool] = {}  # torch thread count -> whether batched rows are bit-exact

    def windows(self, text: str) -> list[list[int]]:
        """Token ids of each window over ``text`` (one window when it fits)."""
        body = self.tokenizer.encode(text, add_special_tokens=False).ids
        width = self.max_length - 2
        starts = range(0, max(1, len(body) - width + WINDOW_STRIDE), WINDOW_STRIDE) if len(body) > width else [0]
        return [[self._cls, *body[start : start + width], self._sep] for start in starts]

    def is_truncated(self, text: str) -> bool:
        """Whether ``text`` is longer than one window (so the emotion reads only its beginning)."""
        return len(self.tokenizer.encode(text, add_special_tokens=False).ids) > self.max_length - 2

    def clear_cache(self) -> None:
        """Forget every cached text (benchmarks time uncached passes)."""
        with self._lock:
            self._cache.clear()

    @torch.inference_mode()
    def features(self, texts: Sequence[str]) -> list[Features]:
        """Features of each text, from the cache where possible and one batched pass for the rest."""
        wanted = list(texts)
        with self._lock:
            hits = {text: self._cache[text] for text in dict.fromkeys(wanted) if text in self._cache}
        missing = [text for text in dict.fromkeys(wanted) if text not in hits]
        computed = self._compute(missing) if missing else {}
        with self._lock:
            for text, value in computed.items():
                self._cache[text] = value
            for text in hits:
                self._cache.move_to_end(text)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        found = {**hits, **computed}
        return [found[text] for text in texts]

    @torch.inference_mode()
    def prime(self, texts: Sequence[str]) -> None:
        """Compute the features of ``texts`` not yet cached, in batches, bit for bit as :meth:`features` would alone.

        A batched pass is faster than one text at a time, but it is not the same arithmetic: padding changes the
        attention's and the mean's reductions, and a one-row matrix product takes another kernel than a many-row
        one, so :meth:`features` over a padded batch differs from one text alone by about 1e-6, enough to change a
        record that keeps every probability. This pass keeps what makes one text's result its own: texts are
        batched only with texts of the same token length (no padding), and the pooler and heads, one matrix
        product each, run per text. Under one torch thread, the encoder layers' products over ``batch × length``
        rows then give each row the same result for any batch size once a text has :data:`MIN_BATCHED_TOKENS`
        tokens on machines whose kernels allow it (:meth:`batches_exactly` checks; with two threads, products of a
        few rows are split between the threads otherwise than a batch's, and some lengths differ); elsewhere every
        text is computed alone. Shorter texts and texts longer than one window are computed alone, as
        :meth:`features` does. The results go into the cache, so the next :meth:`features`
        call for these texts (the sensor's, the rights check's) is a hit; the cache must hold them all, so prime
        at most :attr:`cache_size` texts at a time.

        Args:
            texts: The texts (e.g. the client messages of one round of many dialogues).
        """
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._cache]
        computed: dict[str, Features] = {}
        by_length: dict[int, list[tuple[str, list[int]]]] = {}
        exact = self.batches_exactly()
        for text in missing:
            windows = self.windows(text)
            if exact and len(windows) == 1 and len(windows[0]) >= MIN_BATCHED_TOKENS:
                by_length.setdefault(len(windows[0]), []).append((text, windows[0]))
            else:
                computed.update(self._compute([text]))
        for members in by_length.values():
            hidden = self.model.hidden(torch.tensor([window for _, window in members], dtype=torch.long))
            for row, (text, _) in enumerate(members):
                pooled, mean = self.model.pool(hidden[row : row + 1])
                computed[text] = Features(
                    fine_logits=self.model.classifier(pooled).numpy()[0].astype(np.float64),
                    rights=torch.sigmoid(self.rights_head(mean)).numpy()[0].astype(np.float64),
                    compliance=torch.sigmoid(self.guard_head(mean)).numpy()[0].astype(np.float64),
                )
        with self._lock:
            self._cache.update(computed)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)

    @torch.inference_mode()
    def batches_exactly(self) -> bool:
        """Whether, on this machine and torch thread count, a batched encoder row has the bits of its text alone.

        Which matrix-product kernel the CPU library picks depends on the processor and on the number of rows, so
        row-independence of a batched pass is a property of the machine, not of the code: seen to hold on one
        2-core Xeon and to fail (by about 1e-6) on another. :meth:`prime` batches only where this probe passes
        (a batch of same-length rows at a short and a longer length, each row compared with its row alone) and
        otherwise computes each text alone, so primed features always equal :meth:`features` alone; a machine
        that fails the probe simply gains no speed from priming. Checked once per thread count.
        """
        threads = torch.get_num_threads()
        if threads not in self._exact_batches:
            self._exact_batches[threads] = all(
                torch.equal(batch[row], self.model.hidden(rows[row : row + 1])[0])
                for rows in (self._probe_rows(MIN_BATCHED_TOKENS), self._probe_rows(40))
                for batch in (self.model.hidden(rows),)
                for row in range(rows.shape[0])
            )
        return self._exact_batches[threads]

    def _probe_rows(self, length: int, count: int = 5) -> torch.Tensor:
        """``count`` windows of ``length`` tokens with distinct ordinary-vocabulary ids, for the batching probe."""
        body = [[1000 + 37 * row + position for position in range(length - 2)] for row in range(count)]
        return torch.tensor([[self._cls, *ids, self._sep] for ids in body], dtype=torch.long)

    @property
    def cache_size(self) -> int:
        """Texts whose features are kept."""
        return self._cache_size

    def _compute(self, texts: list[str]) -> dict[str, Features]:
        from eq_negotiator.sensing.compact import pad_token_rows
        from eq_negotiator.sensing.training import _batches

        rows: list[list[int]] = []
        owner: list[int] = []
        for position, text in enumerate(texts):
            for window in self.windows(text):
                rows.append(window)
                owner.append(position)
        fine = np.zeros((len(rows), self.model.classifier.out_features))
        rights = np.zeros((len(rows), self.rights_head.out_features))
        compliance = np.zeros((len(rows), self.guard_head.out_features))
        batches: list[NDArray[np.int64]] = (
            [np.arange(1)] if len(rows) == 1 else list(_batches([len(r) for r in rows], 64))
        )
        for batch in batches:
            index = [int(i) for i in batch]
            ids, mask = pad_token_rows([rows[i] for i in index])
            pooled, mean = self.model.encode(ids, None if len(index) == 1 else mask)
            fine[index] = self.model.classifier(pooled).numpy()
            rights[index] = torch.sigmoid(self.rights_head(mean)).numpy()
            compliance[index] = torch.sigmoid(self.guard_head(mean)).numpy()
        result: dict[str, Features] = {}
        owners = np.asarray(owner)
        for position, text in enumerate(texts):
            mine = np.flatnonzero(owners == position)
            result[text] = Features(
                fine_logits=fine[mine[0]],
                rights=rights[mine].max(axis=0),
                compliance=compliance[mine].max(axis=0),
            )
        return result


class PerceptionReader:
    """The rights and compliance layers over a :class:`PerceptionEncoder`, with the model's thresholds.

    It implements :class:`~eq_negotiator.negotiation.rights.RightsModel` and
    :class:`~eq_negotiator.negotiation.guard.ComplianceModel`.

    Args:
        encoder: The shared encoder.
        rights_thresholds: Probability at or above which each rights kind counts.
        compliance_thresholds: Probability at or above which each violation type counts.
    """

    def __init__(
        self,
        encoder: PerceptionEncoder,
        rights_thresholds: Mapping[str, float],
        compliance_thresholds: Mapping[str, float],
    ) -> None:
        self.encoder = encoder
        self._rights_thresholds = dict(rights_thresholds)
        self._compliance_thresholds = dict(compliance_thresholds)

    @property
    def rights_thresholds(self) -> dict[str, float]:
        """Probability at or above which each rights kind counts."""
        return dict(self._rights_thresholds)

    @property
    def compliance_thresholds(self) -> dict[str, float]:
        """Probability at or above which each violation type counts."""
        return dict(self._compliance_thresholds)

    def _scores(self, text: str, which: str, names: Sequence[str]) -> list[tuple[tuple[int, int], dict[str, float]]]:
        # The whole message, as the heads were trained and thresholded; scoring each sentence as well was measured
        # on the dev split and lost: lone sentences of hard negatives ("I'm not self-harming, I meant mentally")
        # score high, and crisis recall at a 5 % false-escalation budget fell from 0.53 to 0.41.
        if not text.strip():
            return []
        (feature,) = self.encoder.features([text])
        return [((0, len(text)), {name: float(v) for name, v in zip(names, getattr(feature, which), strict=True)})]

    def rights_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        """Rights probabilities for the message (one span: the whole message)."""
        return self._scores(text, "rights", RIGHTS_KINDS)

    def compliance_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        """Violation probabilities for the reply (one span: the whole reply)."""
        return self._scores(text, "compliance", MODEL_VIOLATION_TYPES)


_SHARED_LOCK = threading.Lock()
_SHARED: list[PerceptionReader] = []


def shared_embedded_reader() -> PerceptionReader:
    """The embedded model's rights and compliance layer, loaded once per process.

    Raises:
        SensorLoadError: If the embedded model files are missing or broken, or carry no perception heads.
    """
    from eq_negotiator.sensing.base import SensorLoadError
    from eq_negotiator.sensing.transformer import load_embedded_sensor

    with _SHARED_LOCK:
        if not _SHARED:
            reader = getattr(load_embedded_sensor(), "reader", None)
            if not isinstance(reader, PerceptionReader):
                raise SensorLoadError(
                    "the embedded model has no rights and compliance heads (eqn_sensor.json format 1)"
                )
            _SHARED.append(reader)
        return _SHARED[0]


__all__ = [
    "EKMAN_GROUPING",
    "FINE_LABELS",
    "HEADS_FILE",
    "MODEL_VIOLATION_TYPES",
    "PRODUCT_GROUPING",
    "RIGHTS_KINDS",
    "Features",
    "PerceptionEncoder",
    "PerceptionReader",
    "budget_thresholds",
    "group_log_probabilities",
    "grouping_matrix",
    "shared_embedded_reader",
]
