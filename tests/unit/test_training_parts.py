import numpy as np
import pytest
import torch

from eq_negotiator.sensing.training import TrainConfig, _batches, _soft_cross_entropy, class_weight_vector


def test_class_weights_favour_rare_classes_and_average_one() -> None:
    counts = np.array([1000.0, 100, 10, 0, 50, 5, 500])
    weights = class_weight_vector(counts, power=0.5)
    assert weights[3] == 0
    assert weights[5] > weights[2] > weights[1] > weights[0]
    assert (weights * counts).sum() / counts.sum() == pytest.approx(1.0)
    assert np.allclose(class_weight_vector(counts, power=0.0)[counts > 0], 1.0)


def test_batches_cover_every_row_once_with_similar_lengths() -> None:
    lengths = list(np.random.default_rng(0).integers(1, 60, 1000))
    batches = list(_batches(lengths, 32, np.random.default_rng(1)))
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    spread = np.mean([np.ptp([lengths[i] for i in b]) for b in batches])
    assert spread < 10  # sorted within chunks, so little padding


def test_soft_cross_entropy_matches_hard_labels_for_one_hot_targets() -> None:
    logits = torch.randn(5, 7)
    labels = torch.tensor([0, 1, 2, 3, 4])
    targets = torch.nn.functional.one_hot(labels, 7).float()
    assert torch.isclose(_soft_cross_entropy(logits, targets, None), torch.nn.functional.cross_entropy(logits, labels))
    weights = torch.arange(1, 8).float()
    expected = torch.nn.functional.cross_entropy(logits, labels, weight=weights)
    assert torch.isclose(_soft_cross_entropy(logits, targets, weights), expected)


def test_config_validation() -> None:
    config = TrainConfig(base="x", data="csv:y", out="z", epochs=0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="epochs"):
        config.validate()
    assert TrainConfig(base="x", data="y", out="z", lora=False).learning_rate == 5e-5  # type: ignore[arg-type]
