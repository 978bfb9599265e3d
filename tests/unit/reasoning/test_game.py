import json
import math

import numpy as np
import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning.game import EmotionGame, PayoffTable


def test_paper_table_cells_match_the_published_table() -> None:
    table = PayoffTable.paper()
    assert table.cell("joy", "joy") == (4, 4)
    assert table.cell("sadness", "neutral") == (2, 3)
    assert table.cell("anger", "fear") == (1, 0)
    assert table.cell("fear", "neutral") == (2, 3)
    assert table.cell("disgust", "anger") == (1, 0)
    assert table.cell("neutral", "fear") == (3, 2)


def test_pure_equilibria_are_exactly_the_five_diagonal_cells() -> None:
    assert sorted(EmotionGame().pure_equilibria()) == sorted(
        [
            ("joy", "joy"),
            ("sadness", "sadness"),
            ("surprise", "surprise"),
            ("disgust", "disgust"),
            ("neutral", "neutral"),
        ]
    )


def test_support_enumeration_survives_degeneracy_and_returns_real_equilibria() -> None:
    game = EmotionGame()
    found = game.equilibria()
    pure = {eq.labels() for eq in found if eq.is_pure}
    assert {("joy", "joy"), ("neutral", "neutral")} <= pure
    assert any(not eq.is_pure for eq in found)
    client_payoffs, agent_payoffs = game.table.client, game.table.agent
    for eq in found:
        sigma_client, sigma_agent = np.array(eq.client), np.array(eq.agent)
        assert math.isclose(sigma_client.sum(), 1.0) and math.isclose(sigma_agent.sum(), 1.0)
        # No pure deviation does better for either player.
        client_value = sigma_client @ client_payoffs @ sigma_agent
        agent_value = sigma_client @ agent_payoffs @ sigma_agent
        assert (client_payoffs @ sigma_agent).max() <= client_value + 1e-9
        assert (sigma_client @ agent_payoffs).max() <= agent_value + 1e-9


def test_best_response_to_a_mixed_forecast_is_hand_computed() -> None:
    game = EmotionGame()
    forecast = [0.0, 0.0, 0.5, 0.5, 0.0, 0.0, 0.0]  # half anger, half fear
    stance, payoffs = game.agent_best_response(forecast)
    # 0.5 * anger row (1,1,1,0,2,1,2) + 0.5 * fear row (2,2,1,2,2,1,3)
    assert payoffs.tolist() == [1.5, 1.5, 1.0, 1.0, 2.0, 1.0, 2.5]
    assert stance == "neutral"
    # Same number as nashpy's utility of (forecast, pure neutral).
    pure_neutral = np.eye(len(LABELS))[LABELS.index("neutral")]
    assert game.nash[np.array(forecast), pure_neutral][1] == pytest.approx(2.5)


def test_client_best_response_to_each_stance() -> None:
    best = EmotionGame().client_best_responses()
    assert best["anger"] == ["surprise", "neutral"]
    assert best["joy"] == ["joy"]
    assert best["neutral"] == ["joy", "surprise", "neutral"]


def test_forecast_that_does_not_sum_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"sums to 0\.9"):
        EmotionGame().agent_best_response([0.9, 0, 0, 0, 0, 0, 0])


def test_table_round_trips_through_a_config_file(tmp_path) -> None:
    custom = PayoffTable.paper().to_dict()
    custom["agent"][2][0] = 9  # client anger -> agent joy now pays most
    path = tmp_path / "table.json"
    path.write_text(json.dumps(custom))
    loaded = PayoffTable.from_file(path)
    assert loaded.cell("anger", "joy") == (2, 9)
    stance, _ = EmotionGame(loaded).agent_best_response(np.eye(7)[2])
    assert stance == "joy"


def test_malformed_tables_name_the_problem(tmp_path) -> None:
    data = PayoffTable.paper().to_dict()
    data["client"][3][1] = float("nan")
    with pytest.raises(ValueError, match=r"'client': row 3 \(client fear\) contains NaN"):
        PayoffTable.from_dict(data)
    with pytest.raises(ValueError, match="expected shape 7x7, got 6x7"):
        PayoffTable.from_dict({"client": data["client"][:6], "agent": data["agent"]})
    with pytest.raises(ValueError, match="lacks agent"):
        PayoffTable.from_dict({"client": data["client"]})
    with pytest.raises(ValueError, match="in that order"):
        PayoffTable.from_dict({**PayoffTable.paper().to_dict(), "labels": list(reversed(LABELS))})
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValueError, match=r"bad\.json: not valid JSON"):
        PayoffTable.from_file(bad)
