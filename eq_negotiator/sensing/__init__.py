"""Emotion sensing: one interface, several backends chosen by a spec string.

Specs:

* ``embedded`` (default): our fine-tuned all-MiniLM-L6-v2 (LoRA adapter shipped in the package).
* ``tfidf`` or ``tfidf:<dir>``: word + character TF-IDF with logistic regression.
* ``hf:<model id or local path>``: any transformers sequence-classification checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from eq_negotiator.sensing.base import EmotionSensor, SensorLoadError, TruncationWarning

DEFAULT_SENSOR_SPEC = "embedded"
SENSOR_SPEC_FORMS = ("embedded", "tfidf", "tfidf:<dir>", "hf:<model id or local path>")


def load_sensor(
    spec: str = DEFAULT_SENSOR_SPEC,
    *,
    label_map: str | Path | Mapping[str, str] | None = None,
    threads: int | None = None,
) -> EmotionSensor:
    """Build the sensor a spec string names.

    Args:
        spec: One of :data:`SENSOR_SPEC_FORMS`.
        label_map: Extra class-name mapping for ``hf:`` models.
        threads: Torch CPU threads for transformer sensors.

    Returns:
        The sensor.

    Raises:
        ValueError: If the spec has an unknown form (the message lists the valid forms).
        SensorLoadError: If the model files are missing or broken.
    """
    if not isinstance(spec, str):
        raise TypeError(f"sensor spec must be a string, not {type(spec).__name__}")
    kind, sep, rest = spec.strip().partition(":")
    if kind == "embedded" and not sep:
        from eq_negotiator.sensing.transformer import load_embedded_sensor

        return load_embedded_sensor(threads=threads)
    if kind == "tfidf":
        from eq_negotiator.sensing.tfidf import TfidfSensor

        if sep and not rest:
            raise ValueError("tfidf: needs a folder after the colon, or use plain 'tfidf'")
        return TfidfSensor(rest or None)
    if kind == "hf" and rest:
        from eq_negotiator.sensing.transformer import TransformerSensor

        return TransformerSensor(rest, label_map=label_map, threads=threads)
    raise ValueError(f"unknown emotion sensor spec {spec!r}; valid forms: {', '.join(SENSOR_SPEC_FORMS)}")


__all__ = [
    "DEFAULT_SENSOR_SPEC",
    "SENSOR_SPEC_FORMS",
    "EmotionSensor",
    "SensorLoadError",
    "TruncationWarning",
    "load_sensor",
]
