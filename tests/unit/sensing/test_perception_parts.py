"""The perception model's pieces that need no trained weights: groupings, thresholds, message parts."""

from __future__ import annotations

import numpy as np
import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.perception import (
    EKMAN_GROUPING,
    FINE_LABELS,
    PRODUCT_GROUPING,
    budget_thresholds,
    group_log_probabilities,
    grouping_matrix,
)


def test_the_ekman_grouping_is_googles() -> None:
    matrix = grouping_matrix(EKMAN_GROUPING)
    assert matrix.sum() == len(FINE_LABELS) and (matrix.sum(axis=1) == 1).all()
    assert LABELS[matrix[FINE_LABELS.index("curiosity")].argmax()] == "surprise"
    assert LABELS[matrix[FINE_LABELS.index("gratitude")].argmax()] == "joy"


def test_the_product_grouping_reads_questions_and_politeness_as_neutral() -> None:
    for name in ("curiosity", "realization", "approval", "caring", "desire", "optimism"):
        assert PRODUCT_GROUPING[name] == "neutral"
    for name in ("confusion", "surprise"):
        assert PRODUCT_GROUPING[name] == "surprise"
    assert PRODUCT_GROUPING["gratitude"] == "joy" and PRODUCT_GROUPING["relief"] == "joy"


def test_a_grouping_must_cover_every_fine_label_with_our_labels() -> None:
    with pytest.raises(ValueError, match="'pride'"):
        grouping_matrix({**EKMAN_GROUPING, "pride": "happiness"})
    partial = dict(EKMAN_GROUPING)
    del partial["grief"]
    with pytest.raises(ValueError, match="'grief'"):
        grouping_matrix(partial)


def test_grouped_probabilities_sum_the_fine_ones() -> None:
    logits = np.zeros((1, len(FINE_LABELS)))
    grouped = np.exp(group_log_probabilities(logits, grouping_matrix(EKMAN_GROUPING)))[0]
    assert grouped.sum() == pytest.approx(1.0)
    assert grouped[LABELS.index("joy")] == pytest.approx(12 / 28)
    assert grouped[LABELS.index("disgust")] == pytest.approx(1 / 28)


def test_a_budget_threshold_lets_that_share_of_the_background_through() -> None:
    scores = np.linspace(0.0, 1.0, 101)
    background = scores < 0.5  # 50 rows that must not fire
    threshold = budget_thresholds(scores, background, 0.1)
    assert 0.43 <= threshold <= 0.45
    assert np.mean(scores[background] > threshold) <= 0.1
    assert budget_thresholds(scores, np.zeros(101, dtype=bool), 0.1) == 0.5
