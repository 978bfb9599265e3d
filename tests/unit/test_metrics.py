import numpy as np
import pytest

from eq_negotiator.sensing.metrics import (
    Calibration,
    classification_report,
    expected_calibration_error,
    fit_calibration,
    fit_class_bias,
    macro_f1,
    softmax,
)


def test_report_on_perfect_predictions() -> None:
    labels = np.arange(7).repeat(3)
    probabilities = np.eye(7)[labels]
    report = classification_report(labels, probabilities)
    assert report["accuracy"] == 1.0 and report["macro_f1"] == 1.0 and report["ece"] == pytest.approx(0.0)
    assert report["per_class"]["disgust"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 3}
    assert np.trace(np.array(report["confusion"])) == 21


def test_ece_detects_overconfidence() -> None:
    labels = np.array([0, 1] * 50)
    confident_coin = np.tile([0.99, 0.01, 0, 0, 0, 0, 0], (100, 1))
    assert expected_calibration_error(confident_coin, labels) == pytest.approx(0.49, abs=1e-6)


def test_temperature_fixes_overconfident_logits() -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 7, 2000)
    true_logits = rng.normal(size=(2000, 7))
    true_logits[np.arange(2000), labels] += 1.5
    overconfident = true_logits * 4
    calibration = fit_calibration(overconfident, labels, tune_bias=False)
    assert calibration.temperature > 2
    before = expected_calibration_error(softmax(overconfident), labels)
    after = expected_calibration_error(calibration.apply(overconfident), labels)
    assert after < before / 2


def test_bias_restores_a_suppressed_rare_class() -> None:
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 7, 1400)
    logits = rng.normal(size=(1400, 7))
    logits[np.arange(1400), labels] += 2.0
    logits[:, 5] -= 3.0  # the model almost never predicts class 5
    before = macro_f1(labels, logits.argmax(axis=1))
    bias = fit_class_bias(logits, labels)
    assert macro_f1(labels, (logits + bias).argmax(axis=1)) > before + 0.05
    assert bias[5] > 0


def test_calibration_round_trip_and_validation() -> None:
    calibration = Calibration(2.0, [0.1] * 7)
    assert Calibration.from_dict(calibration.to_dict()) == calibration
    with pytest.raises(ValueError):
        Calibration.from_dict({"temperature": 0, "bias": [0] * 7})
