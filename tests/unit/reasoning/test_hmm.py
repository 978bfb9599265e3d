import json

import numpy as np
import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning.hmm import (
    PRIOR_EMISSION,
    PRIOR_START,
    PRIOR_TRANSITION,
    STANCES,
    HMMParameters,
    StanceHMM,
)

ANGER = np.eye(len(LABELS))[LABELS.index("anger")]
CONFRONTATIONAL = STANCES.index("confrontational")


def hand_filter(belief: list[float] | None, evidence: list[float]) -> list[float]:
    """The forward step written out with loops, independently of the module under test."""
    n = len(STANCES)
    if belief is None:
        predicted = list(PRIOR_START)
    else:
        predicted = [sum(belief[i] * PRIOR_TRANSITION[i][j] for i in range(n)) for j in range(n)]
    likelihood = [sum(PRIOR_EMISSION[s][k] * evidence[k] for k in range(len(LABELS))) for s in range(n)]
    unnormalised = [predicted[s] * likelihood[s] for s in range(n)]
    total = sum(unnormalised)
    return [u / total for u in unnormalised]


def test_one_angry_turn_matches_the_hand_computation() -> None:
    belief = StanceHMM().filter(None, ANGER)
    # start (.4,.2,.2,.2) x P(anger|stance) (.03,.45,.06,.10) = (.012,.09,.012,.02), total .134
    assert belief[CONFRONTATIONAL] == pytest.approx(0.09 / 0.134)
    assert belief.tolist() == pytest.approx([0.012 / 0.134, 0.09 / 0.134, 0.012 / 0.134, 0.02 / 0.134])


def test_a_run_of_angry_turns_raises_the_confrontational_belief() -> None:
    hmm = StanceHMM()
    belief, expected = None, None
    history = []
    for _ in range(4):
        belief = hmm.filter(belief, ANGER)
        expected = hand_filter(expected, ANGER.tolist())
        assert belief.tolist() == pytest.approx(expected)
        history.append(belief[CONFRONTATIONAL])
    assert PRIOR_START[CONFRONTATIONAL] < history[0] < history[1] < history[2]
    assert history[-1] > 0.75


def test_soft_evidence_is_used_not_only_the_argmax() -> None:
    hmm = StanceHMM()
    soft = np.zeros(len(LABELS))
    soft[LABELS.index("anger")], soft[LABELS.index("sadness")] = 0.55, 0.45
    hard = hmm.filter(None, ANGER)
    mixed = hmm.filter(None, soft)
    assert mixed.tolist() == pytest.approx(hand_filter(None, soft.tolist()))
    assert mixed[CONFRONTATIONAL] < hard[CONFRONTATIONAL]
    assert mixed[STANCES.index("distressed")] > hard[STANCES.index("distressed")]


def test_uniform_evidence_leaves_the_prediction_unchanged() -> None:
    hmm = StanceHMM()
    belief = hmm.filter(None, ANGER)
    after = hmm.filter(belief, np.full(len(LABELS), 1 / len(LABELS)))
    assert after.tolist() == pytest.approx((belief @ np.array(PRIOR_TRANSITION)).tolist())


def test_forecast_is_belief_times_transition_times_emission() -> None:
    hmm = StanceHMM()
    belief = np.array([0.1, 0.6, 0.2, 0.1])
    forecast = hmm.forecast(belief)
    n = len(STANCES)
    expected = [
        sum(belief[i] * PRIOR_TRANSITION[i][j] * PRIOR_EMISSION[j][k] for i in range(n) for j in range(n))
        for k in range(len(LABELS))
    ]
    assert forecast.tolist() == pytest.approx(expected)
    assert forecast.sum() == pytest.approx(1.0)


def test_learning_moves_the_parameters_toward_the_data_and_keeps_them_valid() -> None:
    hmm = StanceHMM()
    dialogues = [["anger", "anger", "disgust", "anger", "anger", "anger"] for _ in range(8)]
    before_likelihood = hmm.log_likelihood(dialogues)
    before_anger = hmm.forecast(hmm.initial_belief())[LABELS.index("anger")]
    for dialogue in dialogues:
        hmm.learn(dialogue)
    after_anger = hmm.forecast(hmm.initial_belief())[LABELS.index("anger")]
    assert after_anger > before_anger + 0.1
    assert hmm.log_likelihood(dialogues) > before_likelihood
    params = hmm.parameters
    assert params.start.sum() == pytest.approx(1.0)
    assert params.transition.sum(axis=1) == pytest.approx(np.ones(4))
    assert params.emission.sum(axis=1) == pytest.approx(np.ones(4))
    # The Dirichlet prior keeps every emission possible.
    assert params.emission.min() > 0


def test_learned_state_round_trips_through_json() -> None:
    hmm = StanceHMM()
    hmm.learn(["sadness", "fear", "sadness", "neutral"])
    restored = StanceHMM()
    restored.load_state_dict(json.loads(json.dumps(hmm.state_dict())))
    np.testing.assert_allclose(restored.parameters.emission, hmm.parameters.emission)
    assert restored.dialogues == hmm.dialogues


def test_kept_dialogues_are_capped() -> None:
    hmm = StanceHMM(max_dialogues=2)
    for label in ("joy", "anger", "fear"):
        hmm.learn([label, label])
    assert [d[0] for d in hmm.dialogues] == [LABELS.index("anger"), LABELS.index("fear")]


def test_bad_parameters_name_the_offending_row() -> None:
    emission = [list(row) for row in PRIOR_EMISSION]
    emission[2][0] += 0.07
    with pytest.raises(ValueError, match=r"emission table: row 2 \(distressed\) sums to 1.07"):
        HMMParameters(np.array(PRIOR_START), np.array(PRIOR_TRANSITION), np.array(emission))
    with pytest.raises(ValueError, match=r"start probabilities sums to 0\.9"):
        HMMParameters(np.array([0.4, 0.2, 0.2, 0.1]), np.array(PRIOR_TRANSITION), np.array(PRIOR_EMISSION))
    with pytest.raises(ValueError, match="unknown emotion label 'rage'"):
        StanceHMM().learn(["anger", "rage"])
