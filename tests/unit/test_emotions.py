import json
import math

import pytest

from eq_negotiator.emotions import LABELS, NEGATIVE, EmotionReading, is_negative, label_index


def test_labels_are_the_seven_in_the_documented_order() -> None:
    assert LABELS == ("joy", "sadness", "anger", "fear", "surprise", "disgust", "neutral")
    assert frozenset({"sadness", "anger", "fear", "disgust"}) == NEGATIVE
    assert [label_index(label) for label in LABELS] == list(range(7))
    assert is_negative("fear") and not is_negative("surprise")


def test_unknown_label_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown emotion label 'happy'"):
        label_index("happy")


def test_reading_from_probabilities_normalises_and_picks_argmax() -> None:
    reading = EmotionReading.from_probabilities([1, 2, 5, 1, 0, 0, 1])
    assert reading.label == "anger"
    assert reading.confidence == pytest.approx(0.5)
    assert math.isclose(sum(reading.distribution.values()), 1.0)
    assert list(reading.distribution) == list(LABELS)


def test_reading_round_trips_through_json() -> None:
    reading = EmotionReading.from_probabilities([0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1], flags=["truncated"])
    data = json.loads(json.dumps(reading.to_dict()))
    assert set(data) == {"label", "confidence", "distribution", "flags"}
    assert EmotionReading.from_dict(data) == reading


@pytest.mark.parametrize(
    "values",
    [[0.5, 0.5], [0, 0, 0, 0, 0, 0, 0], [-1, 1, 1, 0, 0, 0, 0], [float("nan"), 1, 0, 0, 0, 0, 0]],
)
def test_reading_rejects_invalid_vectors(values: list[float]) -> None:
    with pytest.raises(ValueError):
        EmotionReading.from_probabilities(values)


def test_from_dict_requires_every_label() -> None:
    with pytest.raises(ValueError, match="lacks labels"):
        EmotionReading.from_dict({"distribution": {"joy": 1.0}})
