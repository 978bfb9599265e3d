"""The input contract every backend shares, checked on a deterministic stand-in backend."""

import numpy as np
import pytest
from numpy.typing import NDArray

from eq_negotiator.emotions import FLAG_EMPTY_INPUT, FLAG_TRUNCATED
from eq_negotiator.sensing import SENSOR_SPEC_FORMS, EmotionSensor, TruncationWarning, load_sensor


class KeywordSensor(EmotionSensor):
    """Says anger when it sees 'mad', joy otherwise; 'long' text counts as over the limit."""

    spec = "keyword"

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def _probabilities(self, texts: list[str]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        self.calls.append(texts)
        probabilities = np.full((len(texts), 7), 0.05)
        for row, text in enumerate(texts):
            probabilities[row, 2 if "mad" in text else 0] = 0.7
        return probabilities, np.array(["long" in t for t in texts])


def test_empty_and_whitespace_read_as_flagged_neutral_without_a_model_call() -> None:
    sensor = KeywordSensor()
    for text in ("", "   \n\t"):
        reading = sensor.read(text)
        assert reading.label == "neutral" and reading.confidence == 1.0
        assert reading.flags == (FLAG_EMPTY_INPUT,)
    assert sensor.calls == []


def test_read_many_keeps_order_around_empty_items() -> None:
    sensor = KeywordSensor()
    readings = sensor.read_many(["so mad", "", "fine"])
    assert [r.label for r in readings] == ["anger", "neutral", "joy"]
    assert sensor.calls == [["so mad", "fine"]]


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["a list"]])
def test_non_string_is_a_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        KeywordSensor().read(bad)  # type: ignore[arg-type]


def test_read_many_refuses_a_bare_string() -> None:
    with pytest.raises(TypeError, match="use read"):
        KeywordSensor().read_many("text")


def test_truncation_is_flagged_and_warned() -> None:
    with pytest.warns(TruncationWarning, match="truncated"):
        reading = KeywordSensor().read("a long mad text")
    assert reading.flags == (FLAG_TRUNCATED,)
    assert reading.label == "anger"


@pytest.mark.parametrize("spec", ["bert", "hf:", "embedded:x", "tfidf:", ""])
def test_unknown_sensor_spec_lists_valid_forms(spec: str) -> None:
    with pytest.raises(ValueError) as error:
        load_sensor(spec)
    if spec != "tfidf:":
        for form in SENSOR_SPEC_FORMS:
            assert form in str(error.value)
