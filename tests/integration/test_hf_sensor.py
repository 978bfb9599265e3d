"""hf:<id|path> with foreign label names, offline mode and bad paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from eq_negotiator.sensing import SensorLoadError, TruncationWarning, load_sensor
from eq_negotiator.sensing.labels import UnmappableLabelError
from tests.integration.tiny_models import build_tiny_model

pytestmark = pytest.mark.integration

FOREIGN = {
    0: "happiness",
    1: "sadness",
    2: "anger",
    3: "fear",
    4: "surprise",
    5: "disgust",
    6: "no emotion",
    7: "love",
}


def test_foreign_labels_are_mapped_and_merged(tmp_path: Path) -> None:
    model = build_tiny_model("bert", tmp_path / "foreign", FOREIGN)
    sensor = load_sensor(f"hf:{model}")
    logits = sensor.logits(["hello there"])  # type: ignore[attr-defined]
    probabilities = np.exp(logits - logits.max()) / np.exp(logits - logits.max()).sum()
    reading = sensor.read("hello there")
    # happiness and love both count as joy.
    assert reading.distribution["joy"] == pytest.approx(probabilities[0, 0] + probabilities[0, 7], abs=1e-6)
    assert reading.distribution["neutral"] == pytest.approx(probabilities[0, 6], abs=1e-6)


def test_unmappable_labels_are_a_clear_error_unless_mapped(tmp_path: Path) -> None:
    model = build_tiny_model("bert", tmp_path / "odd", {0: "joy", 1: "others"})
    with pytest.raises(UnmappableLabelError, match="others"):
        load_sensor(f"hf:{model}")
    assert load_sensor(f"hf:{model}", label_map="others=neutral").read("x").label in ("joy", "neutral")


def test_long_text_is_truncated_with_a_warning(tmp_path: Path) -> None:
    model = build_tiny_model("bert", tmp_path / "m", FOREIGN)
    sensor = load_sensor(f"hf:{model}")
    with pytest.warns(TruncationWarning):
        reading = sensor.read("word " * 400)
    assert "truncated" in reading.flags
    assert "truncated" not in sensor.read("short").flags


def test_offline_mode_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(SensorLoadError, match="HF_HUB_OFFLINE"):
        load_sensor("hf:j-hartmann/emotion-english-distilroberta-base-not-cached")


def test_a_file_is_not_a_model_folder(tmp_path: Path) -> None:
    file = tmp_path / "model.bin"
    file.write_bytes(b"x")
    with pytest.raises(SensorLoadError, match="is a file"):
        load_sensor(f"hf:{file}")
