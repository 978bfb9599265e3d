"""Empathy from the first clear distress: the real turn graph with the embedded sensor and the default ``eq`` policy.

A client who opens in clear, confident distress is met with empathy (the sadness stance) on that very turn; a
neutral opener is not; firmness (the anger stance) still waits for its negativity gate, however angry the opener.
"""

from __future__ import annotations

import pytest

from eq_negotiator.graph import Context
from eq_negotiator.graph.session import Negotiator, open_negotiator
from eq_negotiator.reasoning.policies.eq import CLEAR_DISTRESS_CONFIDENCE

pytestmark = pytest.mark.integration

ANGRY = (
    "I'm furious, this is outrageous!",
    "You people make me so angry!",
    "This is absurd, I'm sick of your nonsense!",
)
"""Three angry client lines; the embedded sensor reads anger in each."""


@pytest.fixture(scope="module")
def negotiator() -> Negotiator:
    """One negotiator for the module: the embedded sensor loads once (a few seconds)."""
    return open_negotiator("memory", context=Context(sensor="embedded", policy="eq"))


@pytest.mark.parametrize(
    ("thread", "text"),
    [("lost-job", "I lost my job last month and I don't know what to do"), ("scared", "I'm scared I can't pay")],
)
def test_a_client_who_opens_in_clear_distress_is_met_with_empathy_at_once(
    negotiator: Negotiator, thread: str, text: str
) -> None:
    result = negotiator.send(thread, text)
    distress = result.decision["gate"]["distress_now"]
    assert result.turn == 1
    assert result.emotion["label"] in ("sadness", "fear") and distress >= CLEAR_DISTRESS_CONFIDENCE
    assert result.stance == "sadness"
    assert result.decision["gate"]["branch"] == "clear_distress"
    assert "clearly distressed" in result.reason and f"at least {CLEAR_DISTRESS_CONFIDENCE:.2f}" in result.reason


def test_a_neutral_opener_is_not_met_with_empathy(negotiator: Negotiator) -> None:
    result = negotiator.send("neutral", "Hi, I got your letter about my balance.")
    assert result.emotion["label"] == "neutral"
    assert result.stance != "sadness"
    assert result.decision["gate"]["branch"] == "best_response"


def test_firmness_still_waits_for_its_gate(negotiator: Negotiator) -> None:
    results = [negotiator.send("angry", text) for text in ANGRY]
    assert [result.emotion["label"] for result in results] == ["anger"] * 3
    # Two angry turns, one of them read with 0.9+ confidence, are not enough: the gate needs 3 negative turns.
    assert all(result.stance != "anger" for result in results[:2])
    assert results[2].stance == "anger" and results[2].decision["gate"]["branch"] == "firmness"
    assert "3 of the last 3 turns were negative" in results[2].reason
