"""Record evaluators, the node-path check over real threads, and the LLM judges with a fake structured-output model."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import Runnable, RunnableLambda
from langsmith.schemas import Run
from pydantic import Field

from eq_negotiator.evals.evaluators import (
    ALL_EVALUATORS,
    CALLER_CLOSE,
    ESCALATED_TURN,
    NEGOTIATED_TURN,
    check_node_path,
    collection_rate,
    de_escalation,
    debtor_movement,
    expected_node_path,
    make_judge_evaluators,
    make_trajectory_evaluator,
    record_of,
    run_evaluators,
    savings_ratio,
    success,
    transcript,
    violations,
)
from eq_negotiator.evals.metrics import dialogue_metrics
from eq_negotiator.evals.records import record_from_state
from eq_negotiator.graph.session import Negotiator
from eq_negotiator.scenario import Scenario
from tests.unit.evals.conftest import Play
from tests.unit.evals.records_factory import THREAT, make_record
from tests.unit.graph.fakes import ScriptedChatModel, ScriptExhaustedError

FIELDS: dict[str, Any] = {
    "scenario_id": "s",
    "persona": "p",
    "policy": "eq",
    "seed": 0,
    "creditor_model": "offline",
    "debtor": "scripted",
}
KEYS = ["success", "collection_rate", "savings_ratio", "rounds", "debtor_movement", "violations", "de_escalation"]


def test_every_metric_has_an_evaluator_agreeing_with_metrics() -> None:
    record = make_record(agreed_days=60, labels=("anger", "joy"), replies=(THREAT, "Fine: 60 days it is."))
    results = run_evaluators(record)
    assert list(results) == KEYS == [e.__name__ for e in ALL_EVALUATORS]
    m = dialogue_metrics(record)
    assert results["success"]["score"] == 1
    assert results["collection_rate"]["score"] == m["collection_rate"] == pytest.approx(0.5)
    assert results["savings_ratio"]["score"] == pytest.approx(60 / 90)
    assert results["rounds"]["score"] == 2
    assert results["debtor_movement"]["score"] == 1
    assert results["violations"]["score"] == 1 and "of 2 sent replies" in results["violations"]["comment"]
    assert results["de_escalation"]["score"] == 1
    assert all(set(r) == {"key", "score", "comment"} for r in results.values())


def test_evaluators_read_runs_dicts_and_nested_records() -> None:
    record = make_record(status="breakdown", debtor_offers=(120, 120), labels=("joy", "anger"))
    run = Run(
        id=uuid.uuid4(), name="t", run_type="chain", start_time=datetime.now(timezone.utc), inputs={}, outputs=record
    )
    assert record_of(run) == record
    assert record_of({"outputs": {"record": record, "thread_id": "x"}}) == record
    assert record_of(record) == record
    assert success(run)["score"] == 0 and "breakdown" in success(run)["comment"]
    assert collection_rate(run)["score"] == 0.0
    assert savings_ratio(run)["score"] is None
    assert debtor_movement(run)["score"] == 0
    assert violations(run)["score"] == 0
    assert de_escalation(run)["score"] == -1
    with pytest.raises(ValueError, match="no dialogue record"):
        success({"outputs": {"answer": 1}})


def test_de_escalation_without_readings() -> None:
    assert de_escalation(make_record(labels=(None, None)))["score"] is None


def test_node_path_of_real_threads(negotiator: Negotiator, play: Play, demo: tuple[str, dict[str, Any]]) -> None:
    agreed_thread, state = demo
    agreed = record_from_state(state, **FIELDS)
    assert expected_node_path(agreed) == [NEGOTIATED_TURN] * 5 + [[*NEGOTIATED_TURN, "close_dialogue"]]
    assert check_node_path(negotiator, agreed_thread, agreed)["score"] == 1

    escalated_thread, _ = play(["I could do 60 days.", "Stop calling me. I want you to cease all contact."])
    negotiator.resume_escalation(escalated_thread, action="continue", operator="tester")
    negotiator.send(escalated_thread, "Fine, 45 days then.")
    negotiator.close(escalated_thread)
    escalated = record_from_state(negotiator.state(escalated_thread), **FIELDS)
    assert expected_node_path(escalated) == [NEGOTIATED_TURN, ESCALATED_TURN, [], NEGOTIATED_TURN, CALLER_CLOSE]
    assert check_node_path(negotiator, escalated_thread, escalated)["score"] == 1

    operator_thread, _ = play(["Stop calling me. I want you to cease all contact."])
    negotiator.resume_escalation(operator_thread, action="close", operator="tester")
    closed = record_from_state(negotiator.state(operator_thread), **FIELDS, scenario=Scenario().to_state())
    assert closed["outcome"]["status"] == "closed"
    assert check_node_path(negotiator, operator_thread, closed)["score"] == 1

    # A record that does not belong to the thread does not match it.
    wrong = check_node_path(negotiator, escalated_thread, agreed)
    assert wrong["score"] == 0 and "expected" in wrong["comment"]
    evaluator = make_trajectory_evaluator(negotiator)
    assert evaluator({"outputs": {"record": agreed, "thread_id": agreed_thread}}, None)["score"] == 1
    with pytest.raises(ValueError, match="thread_id"):
        evaluator({"outputs": agreed}, None)


# -- LLM as judge ---------------------------------------------------------------------------------------------------


class FakeJudge(ScriptedChatModel):
    """A chat model whose structured output is a fixed score, recording the prompts it was given.

    It has no script: the judge is used through structured output only, and a plain call fails.
    """

    score: float = 0.8
    prompts: list[Any] = Field(default_factory=list)

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Runnable[Any, Any]:
        assert schema["properties"]["score"]["type"] == "number"  # continuous 0-1 scores

        def answer(messages: Sequence[Any]) -> dict[str, Any]:
            self.prompts.append(messages)
            return {"reasoning": "polite throughout", "score": self.score}

        return RunnableLambda(answer)


def test_judge_evaluators_score_the_transcript() -> None:
    judge = FakeJudge(score=0.8, prompts=[])
    tone, satisfaction = make_judge_evaluators(judge)
    record = make_record(agreed_days=60)

    results = [tone({"outputs": record}, None), satisfaction({"outputs": record}, None)]

    assert [r["key"] for r in results] == ["tone", "satisfaction"]
    assert all(r["score"] == 0.8 and r["comment"] == "polite throughout" for r in results)
    assert len(judge.prompts) == 2
    prompt = judge.prompts[0][0]["content"]
    assert transcript(record) in prompt and "CREDITOR" in prompt
    assert "Debtor: message 1" in transcript(record) and "(Outcome: agreed on 60 days)" in transcript(record)


def test_judges_need_a_model() -> None:
    with pytest.raises(ValueError, match="need a judge chat model"):
        make_judge_evaluators(None)


def test_fake_judge_refuses_plain_generation() -> None:
    with pytest.raises(ScriptExhaustedError):
        FakeJudge().invoke([AIMessage("hi")])


def test_node_path_check_needs_per_node_checkpoints() -> None:
    from eq_negotiator.evals.evaluators import check_node_path
    from eq_negotiator.graph import Context, open_negotiator

    negotiator = open_negotiator("memory", context=Context(sensor="tfidf"))  # default durability: "turn"
    with pytest.raises(ValueError, match="durability='sync'"):
        check_node_path(negotiator, "t", {})
