import shutil
from pathlib import Path

import numpy as np
import pytest

from eq_negotiator.sensing import SensorLoadError, load_sensor
from eq_negotiator.sensing.data import load_data
from eq_negotiator.sensing.tfidf import ARRAYS_FILE, CONFIG_FILE, TfidfModel, TfidfSensor, train_tfidf
from tests.conftest import write_tiny_csv


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model trained on the tiny CSV for the whole module (tests that damage files work on a copy)."""
    folder = tmp_path_factory.mktemp("tfidf")
    data = load_data(f"csv:{write_tiny_csv(folder / 'tiny.csv')}").train
    model, metrics = train_tfidf(data, data.single_label())
    assert metrics["validation"]["macro_f1"] > 0.9  # it can at least fit its own training data
    return model.save(folder / "model")


def test_save_load_round_trip_gives_identical_probabilities(tiny_model: Path) -> None:
    texts = ["I am furious about this fee", "thank you so much", "what?"]
    first = TfidfModel.load(tiny_model).probabilities(texts)
    second = TfidfSensor(tiny_model).model.probabilities(texts)
    np.testing.assert_allclose(first, second)
    np.testing.assert_allclose(first.sum(axis=1), 1.0)


def test_stored_format_has_no_pickles(tiny_model: Path) -> None:
    with np.load(tiny_model / ARRAYS_FILE, allow_pickle=False) as arrays:
        assert {"word_terms", "char_terms", "coef", "intercept"} <= set(arrays.files)
        assert all(arrays[key].dtype != object for key in arrays.files)


def test_missing_and_corrupted_files_are_named(tiny_model: Path, tmp_path: Path) -> None:
    tiny_model = Path(shutil.copytree(tiny_model, tmp_path / "model"))  # the shared model stays intact
    arrays = tiny_model / ARRAYS_FILE
    data = bytearray(arrays.read_bytes())
    data[len(data) // 2] ^= 0xFF
    arrays.write_bytes(bytes(data))
    with pytest.raises(SensorLoadError, match=r"tfidf\.npz is corrupted.*rebuild"):
        TfidfSensor(tiny_model)
    (tiny_model / CONFIG_FILE).unlink()
    with pytest.raises(SensorLoadError, match=r"tfidf\.json is missing"):
        load_sensor(f"tfidf:{tiny_model}")


def test_shipped_tfidf_sensor_reads_plain_emotions() -> None:
    sensor = load_sensor("tfidf")
    readings = sensor.read_many(
        [
            "Thank you so much, this is wonderful!",
            "I am so angry, this is outrageous",
            "I'm scared and nervous",
        ]
    )
    assert [r.label for r in readings] == ["joy", "anger", "fear"]


def test_single_text_fast_path_matches_the_sparse_path(tiny_model: Path) -> None:
    model = TfidfModel.load(tiny_model)
    texts = ["I am furious about this fee!!", "thank you so much", "zzz qqq", "Wait, what? I owe that much?"]
    sparse = np.asarray(model.features(texts) @ model.coef) + model.intercept
    fast = np.array([model._logits_one(text) for text in texts])
    np.testing.assert_allclose(fast, sparse, rtol=1e-5, atol=1e-6)
