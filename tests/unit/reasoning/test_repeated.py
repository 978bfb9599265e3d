import numpy as np
import pytest

from eq_negotiator.reasoning.repeated import generous_tit_for_tat, rank_stances, tit_for_tat, win_stay_lose_shift


def test_tit_for_tat_mirrors_and_opens_neutral() -> None:
    assert tit_for_tat(None) == "neutral"
    assert tit_for_tat("anger") == "anger"
    with pytest.raises(ValueError, match="unknown emotion label"):
        tit_for_tat("rage")


def test_generous_tit_for_tat_forgives_at_the_seeded_rate() -> None:
    rng = np.random.default_rng(0)
    moves = [generous_tit_for_tat("anger", rng, forgiveness=0.3) for _ in range(2000)]
    rate = sum(forgave for _, forgave in moves) / len(moves)
    assert 0.26 < rate < 0.34
    assert {stance for stance, forgave in moves if forgave} == {"neutral"}
    assert generous_tit_for_tat("joy", rng, forgiveness=1.0) == ("joy", False)  # nothing to forgive
    assert generous_tit_for_tat("fear", rng, forgiveness=1.0) == ("neutral", True)
    again = np.random.default_rng(0)
    assert [generous_tit_for_tat("anger", again)[0] for _ in range(50)] == [m[0] for m in moves[:50]]
    with pytest.raises(ValueError, match="forgiveness"):
        generous_tit_for_tat("anger", rng, forgiveness=1.5)


def test_win_stay_lose_shift() -> None:
    ranked = ["neutral", "joy", "surprise"]
    assert win_stay_lose_shift(None, None, ranked) == "neutral"
    assert win_stay_lose_shift("joy", True, ranked) == "joy"
    assert win_stay_lose_shift("neutral", False, ranked) == "joy"
    assert win_stay_lose_shift("joy", False, ranked) == "neutral"
    assert win_stay_lose_shift("joy", None, ranked) == "neutral"


def test_rank_stances_breaks_ties_in_label_order() -> None:
    assert rank_stances([3, 3, 1, 2, 3, 2, 3], exclude=("sadness",)) == [
        "joy",
        "surprise",
        "neutral",
        "fear",
        "disgust",
        "anger",
    ]
