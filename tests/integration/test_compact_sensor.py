"""The embedded sensor's compact torch encoder must compute what transformers + peft compute from the same files."""

import numpy as np
import pytest

from eq_negotiator.sensing.compact import CompactSensor
from eq_negotiator.sensing.training import _encode
from eq_negotiator.sensing.transformer import TransformerSensor, embedded_model_dir, load_embedded_sensor

TEXTS = [
    "I lost my job last month and I'm scared I can't make this payment.",
    "This is outrageous. You people are crooks!",
    "ok",
    "Thank you, that actually helps a lot.",
    "Wait, what? When did the fees get added?",
    "Café naïve résumé 😀 — ÜBER-loud CAPITALS!!!",
    "Honestly it's disgusting how you chase people. " * 25,  # longer than max_length: truncated
    "Frankly I'm sick of these calls.",
]


@pytest.fixture(scope="module")
def sensors() -> tuple[CompactSensor, TransformerSensor]:
    compact = load_embedded_sensor()
    assert isinstance(compact, CompactSensor)
    return compact, TransformerSensor(embedded_model_dir(), spec="embedded-transformers")


@pytest.mark.integration
def test_tokens_match_the_transformers_tokenizer(sensors) -> None:  # type: ignore[no-untyped-def]
    compact, reference = sensors
    assert compact.max_length == reference.max_length
    assert compact.encode(TEXTS) == _encode(reference.tokenizer, TEXTS, reference.max_length)


@pytest.mark.integration
def test_logits_match_transformers_and_peft_single_and_batched(sensors) -> None:  # type: ignore[no-untyped-def]
    compact, reference = sensors
    expected = reference.logits(TEXTS)  # the fine-label head's 28 logits
    compact.perception.clear_cache()
    np.testing.assert_allclose(compact.fine_logits(TEXTS), expected, atol=1e-4)  # padded batches
    for i, text in enumerate(TEXTS):  # the unpadded single-message path
        compact.perception.clear_cache()
        np.testing.assert_allclose(compact.fine_logits([text])[0], expected[i], atol=1e-4)


@pytest.mark.integration
def test_readings_match_including_calibration_and_truncation(sensors) -> None:  # type: ignore[no-untyped-def]
    compact, reference = sensors
    with pytest.warns(Warning):
        ours, theirs = compact.read_many(TEXTS), reference.read_many(TEXTS)
    for a, b in zip(ours, theirs, strict=True):
        assert a.label == b.label
        assert a.flags == b.flags
        assert a.probabilities() == pytest.approx(b.probabilities(), abs=1e-5)
