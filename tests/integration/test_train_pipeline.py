"""End to end: `eqn emotion train` on tiny random GPT-2, RoBERTa and DeBERTa models, then hf:<out>."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from eq_negotiator.cli import app
from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing import load_sensor
from tests.integration.tiny_models import build_tiny_model

pytestmark = pytest.mark.integration
runner = CliRunner()


@pytest.mark.parametrize(("kind", "mode"), [("gpt2", "--lora"), ("roberta", "--lora"), ("deberta", "--full")])
def test_train_then_load_and_evaluate(kind: str, mode: str, tmp_path: Path, tiny_csv: Path) -> None:
    base = build_tiny_model(kind, tmp_path / f"{kind}-base")
    out = tmp_path / f"{kind}-trained"
    result = runner.invoke(
        app,
        [
            "emotion",
            "train",
            "--base",
            str(base),
            "--data",
            f"csv:{tiny_csv}",
            "--out",
            str(out),
            "--epochs",
            "2",
            "--batch-size",
            "8",
            "--max-length",
            "32",
            "--lr",
            "1e-3",
            mode,
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["out"] == str(out) and 0.0 <= summary["validation_macro_f1"] <= 1.0
    expected = (
        {"adapter_config.json", "adapter_model.safetensors"}
        if mode == "--lora"
        else {"config.json", "model.safetensors"}
    )
    written = {p.name for p in out.iterdir()}
    assert expected | {"eqn_sensor.json", "metrics.json", "README.md", "tokenizer_config.json"} <= written
    sensor_config = json.loads((out / "eqn_sensor.json").read_text())
    assert sensor_config["labels"] == list(LABELS)
    assert "--epochs 2" in (out / "README.md").read_text()

    sensor = load_sensor(f"hf:{out}")
    reading = sensor.read("I am so happy and grateful")
    assert reading.label in LABELS and sum(reading.distribution.values()) == pytest.approx(1.0)

    result = runner.invoke(app, ["emotion", "eval", "--model", f"hf:{out}", "--data", f"csv:{tiny_csv}", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["n"] == 42
    assert {"accuracy", "macro_f1", "weighted_f1", "per_class", "ece", "latency_ms_p50"} <= set(report)


def test_training_learns_something(tmp_path: Path, tiny_csv: Path) -> None:
    """A tiny BERT trained for several epochs must beat chance on its own (separable) training data."""
    from eq_negotiator.sensing.training import TrainConfig, train

    base = build_tiny_model("bert", tmp_path / "bert-base")
    metrics = train(
        TrainConfig(
            base=str(base),
            data=f"csv:{tiny_csv}",
            out=tmp_path / "out",
            epochs=25,
            batch_size=8,
            lr=3e-3,
            lora=False,
            max_length=32,
            tune_bias=False,
            validation_fraction=0.34,
        )
    )
    assert metrics["history"][-1]["train_loss"] < metrics["history"][0]["train_loss"]
    assert metrics["validation"]["accuracy"] > 3 / 7


def test_corrupted_weights_are_named(tmp_path: Path, tiny_csv: Path) -> None:
    from eq_negotiator.sensing import SensorLoadError
    from eq_negotiator.sensing.training import TrainConfig, train

    base = build_tiny_model("bert", tmp_path / "bert-base")
    out = tmp_path / "out"
    train(TrainConfig(base=str(base), data=f"csv:{tiny_csv}", out=out, epochs=1, batch_size=8, max_length=16))
    weights = out / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-10] + b"0123456789")
    with pytest.raises(SensorLoadError, match=r"adapter_model\.safetensors is corrupted"):
        load_sensor(f"hf:{out}")
