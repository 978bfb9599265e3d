"""Scoring a sensor on labelled data, with latency, for ``eqn emotion eval`` and the benchmark."""

from __future__ import annotations

import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from eq_negotiator.emotions import FLAG_TRUNCATED, LABELS
from eq_negotiator.sensing import load_sensor
from eq_negotiator.sensing.base import EmotionSensor, TruncationWarning
from eq_negotiator.sensing.data import ColumnOptions, load_eval_data
from eq_negotiator.sensing.metrics import classification_report


def single_latency_ms(sensor: EmotionSensor, texts: list[str], warmup: int = 5) -> list[float]:
    """Time :meth:`EmotionSensor.read` on each text, one at a time, after a short warm-up."""
    for text in texts[:warmup]:
        sensor.read(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        sensor.read(text)
        timings.append((time.perf_counter() - started) * 1000.0)
    return timings


def evaluate_sensor(
    sensor: str | EmotionSensor,
    data: str,
    columns: ColumnOptions = ColumnOptions(),
    latency_samples: int = 100,
) -> dict[str, Any]:
    """Score a sensor on the single-label rows of a data spec.

    Args:
        sensor: A sensor or its spec string.
        data: Data spec; its test split is used when it has one.
        columns: Column names and label map for CSV/JSONL data.
        latency_samples: How many utterances to time one by one.

    Returns:
        ``n``, ``accuracy``, ``macro_f1``, ``weighted_f1``, ``per_class``, ``confusion``, ``ece``,
        ``latency_ms_p50`` (one utterance at a time), ``batch_per_s``, ``truncated``, ``sensor`` and ``data``.
    """
    instance = load_sensor(sensor) if isinstance(sensor, str) else sensor
    dataset = load_eval_data(data, columns)
    if len(dataset) == 0:
        raise ValueError(f"{data}: no single-label rows to score")
    started = time.perf_counter()
    with warnings.catch_warnings():
        # Truncation is counted in the report instead.
        warnings.simplefilter("ignore", TruncationWarning)
        readings = instance.read_many(dataset.texts)
    batch_seconds = time.perf_counter() - started
    probabilities = np.array([r.probabilities() for r in readings])
    report = classification_report(dataset.labels, probabilities)
    sample = dataset.texts[: max(1, latency_samples)]
    report["latency_ms_p50"] = float(np.median(single_latency_ms(instance, sample)))
    report["batch_per_s"] = len(dataset) / batch_seconds if batch_seconds > 0 else float("inf")
    report["truncated"] = sum(FLAG_TRUNCATED in r.flags for r in readings)
    report["sensor"] = instance.spec
    report["data"] = data
    if data.partition(":")[0] == "negotiation-emotions":
        report["per_source"] = per_source_scores(data.partition(":")[2] or "all", readings)
    return report


def per_source_scores(split: str, readings: list[Any]) -> dict[str, dict[str, Any]]:
    """Accuracy, macro-F1 and weighted F1 per source of the negotiation emotion set, for readings in row order."""
    from eq_negotiator.sensing.negotiation_corpus import load_negotiation_emotions

    rows = [row for row in load_negotiation_emotions() if split == "all" or row.split == split]
    if len(rows) != len(readings):
        raise ValueError("per-source scores need one reading per row of the negotiation emotion set")
    result: dict[str, dict[str, Any]] = {}
    for source in sorted({row.source for row in rows}):
        index = [i for i, row in enumerate(rows) if row.source == source]
        labels = np.array([LABELS.index(rows[i].label) for i in index])
        scored = classification_report(labels, np.array([readings[i].probabilities() for i in index]))
        result[source] = {key: scored[key] for key in ("n", "accuracy", "macro_f1", "weighted_f1")}
    return result


def plot_confusion(confusion: list[list[int]], path: str | Path, title: str = "") -> Path:
    """Draw a row-normalised confusion matrix (true label by row) with counts, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = np.asarray(confusion, dtype=float)
    rates = counts / np.clip(counts.sum(axis=1, keepdims=True), 1, None)
    figure, axes = plt.subplots(figsize=(7, 6))
    image = axes.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    axes.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    axes.set_yticks(range(len(LABELS)), LABELS)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    for i in range(len(LABELS)):
        for j in range(len(LABELS)):
            axes.text(
                j,
                i,
                f"{int(counts[i, j])}",
                ha="center",
                va="center",
                color="white" if rates[i, j] > 0.5 else "black",
                fontsize=8,
            )
    figure.colorbar(image, ax=axes, label="share of true label")
    axes.set_title(title or "confusion matrix")
    figure.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(target, dpi=120)
    plt.close(figure)
    return target
