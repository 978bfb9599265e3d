"""openevals' simulator drives the graph through graph_app; score_thread scores the checkpointed final state."""

from __future__ import annotations

from typing import Any

import pytest
from openevals.simulators import run_multiturn_simulation

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.evals.evaluators import ALL_EVALUATORS, make_trajectory_evaluator
from eq_negotiator.evals.multiturn import graph_app, message_text, score_thread
from eq_negotiator.graph.session import Negotiator

FIELDS: dict[str, Any] = {
    "scenario_id": "default",
    "persona": "static",
    "policy": "eq",
    "seed": 0,
    "creditor_model": "offline",
    "debtor": "static",
}


@pytest.fixture(autouse=True)
def _no_tracing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGSMITH_TRACING", "false")


def test_static_simulated_user_negotiates_to_agreement_and_is_scored(negotiator: Negotiator) -> None:
    app = graph_app(negotiator)
    extra = ["This line must never be sent: the dialogue has ended."]

    result = run_multiturn_simulation(
        app=app,
        user=[*DEMO_SCRIPT, *extra],
        max_turns=len(DEMO_SCRIPT) + 1,
        stopping_condition=app.stopping_condition,
        thread_id="sim-demo",
    )

    trajectory = result["trajectory"]
    assert [m["role"] for m in trajectory] == ["user", "assistant"] * len(DEMO_SCRIPT)
    assert [m["content"] for m in trajectory[::2]] == list(DEMO_SCRIPT)
    state = negotiator.state("sim-demo")
    assert [m.text for m in state["messages"][1::2]] == [m["content"] for m in trajectory[1::2]]

    scored = score_thread(negotiator, "sim-demo", [*ALL_EVALUATORS, make_trajectory_evaluator(negotiator)], **FIELDS)

    scores = {key: r["score"] for key, r in scored["scores"].items()}
    record = scored["record"]
    assert record["outcome"]["status"] == "agreed" == state["status"]
    assert scores["success"] == 1 and scores["rounds"] == len(DEMO_SCRIPT)
    assert scores["collection_rate"] == pytest.approx(min(1, 30 / state["agreement"]["days"]))
    assert scores["violations"] == 0 and scores["debtor_movement"] == 1
    assert scores["node_path"] == 1


def test_each_simulation_gets_its_own_thread(negotiator: Negotiator) -> None:
    app = graph_app(negotiator)
    for thread_id in ("sim-a", "sim-b"):
        run_multiturn_simulation(app=app, user=list(DEMO_SCRIPT[:2]), max_turns=2, thread_id=thread_id)
    for thread_id in ("sim-a", "sim-b"):
        scored = score_thread(negotiator, thread_id, **FIELDS)
        assert scored["record"]["outcome"]["rounds"] == 2
        assert scored["scores"]["success"]["score"] == 0
    assert not app.ended("sim-b")


def test_scoring_an_empty_thread_is_refused(negotiator: Negotiator) -> None:
    with pytest.raises(ValueError, match="no messages"):
        score_thread(negotiator, "sim-never-used", **FIELDS)


def test_message_text() -> None:
    assert message_text({"role": "user", "content": "hi"}) == "hi"
    assert message_text({"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image"}]}) == "a"
    assert message_text("plain") == "plain"
    with pytest.raises(ValueError, match="no text"):
        message_text({"role": "user", "content": "  "})
