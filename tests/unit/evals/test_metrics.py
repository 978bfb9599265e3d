"""Metrics against hand-computed values: Wilson intervals, collection and savings, aggregation, paired comparison."""

from __future__ import annotations

import math
from typing import Any

import pytest

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.evals.metrics import (
    aggregate,
    compare,
    dialogue_metrics,
    summarise,
    violations_of,
    wilson_interval,
)
from eq_negotiator.evals.records import record_from_state
from eq_negotiator.negotiation.guard import ComplianceGuard
from eq_negotiator.scenario import Scenario
from tests.unit.evals.conftest import Play
from tests.unit.evals.records_factory import COMPLIANT, THREAT, make_record

# -- Wilson -----------------------------------------------------------------------------------------------------------


def test_wilson_seven_of_ten_matches_the_textbook_value() -> None:
    # p=0.7, z=1.96: centre (0.7 + 0.19208)/1.38416 = 0.644494, half 1.96*sqrt(0.021 + 0.009604)/1.38416 = 0.247718
    low, high = wilson_interval(7, 10, z=1.96)
    assert low == pytest.approx(0.396776, abs=1e-5)
    assert high == pytest.approx(0.892211, abs=1e-5)


def test_wilson_at_the_edges() -> None:
    low, high = wilson_interval(0, 10, z=1.96)
    assert low == 0.0
    assert high == pytest.approx(3.8416 / (10 + 3.8416), abs=1e-9)  # z^2/(n+z^2) for 0 successes
    low, high = wilson_interval(10, 10, z=1.96)
    assert high == 1.0
    assert low == pytest.approx(10 / (10 + 3.8416), abs=1e-9)


def test_wilson_refuses_bad_counts() -> None:
    with pytest.raises(ValueError, match="at least one trial"):
        wilson_interval(0, 0)
    with pytest.raises(ValueError, match="between 0 and n=3"):
        wilson_interval(4, 3)


# -- one dialogue -----------------------------------------------------------------------------------------------------


def test_collection_and_savings_of_an_agreement() -> None:
    m = dialogue_metrics(make_record(agreed_days=60, creditor_target=30, debtor_target=120))
    assert m["success"] is True
    assert m["collection_rate"] == pytest.approx(0.5)  # 30 / 60
    assert m["savings_ratio"] == pytest.approx(60 / 90)  # (120 - 60) / (120 - 30)


def test_agreement_inside_the_creditor_target_is_capped_at_full_collection() -> None:
    m = dialogue_metrics(make_record(agreed_days=20, creditor_target=30, debtor_target=120))
    assert m["collection_rate"] == 1.0
    assert m["savings_ratio"] == pytest.approx(100 / 90)  # not clipped: better than the creditor's target


def test_zero_gap_has_no_savings_ratio() -> None:
    m = dialogue_metrics(make_record(agreed_days=30, creditor_target=30, debtor_target=30))
    assert m["savings_ratio"] is None and m["collection_rate"] == 1.0


def test_no_agreement_collects_nothing() -> None:
    m = dialogue_metrics(make_record(status="breakdown"))
    assert m["success"] is False and m["collection_rate"] == 0.0 and m["savings_ratio"] is None


def test_debtor_movement_needs_two_distinct_offers() -> None:
    assert dialogue_metrics(make_record(debtor_offers=(120, None, 90)))["debtor_moved"] is True
    assert dialogue_metrics(make_record(debtor_offers=(120, None, 120)))["debtor_moved"] is False
    assert dialogue_metrics(make_record(debtor_offers=(None, None)))["debtor_moved"] is False


def test_violations_are_rechecked_independently_of_the_recorded_guard() -> None:
    assert not ComplianceGuard(Scenario()).check(THREAT).compliant
    assert ComplianceGuard(Scenario()).check(COMPLIANT).compliant
    # The record's own guard says "passed" everywhere: the re-check must still find the threat.
    record = make_record(debtor_offers=(120, 90, 80), replies=(COMPLIANT, THREAT, None))
    assert violations_of(record) == 1
    m = dialogue_metrics(record)
    assert m["violations"] == 1 and m["replies"] == 2 and m["guard_interventions"] == 0
    assert dialogue_metrics(make_record(guard_actions=("regenerated", "passed")))["guard_interventions"] == 1


def test_readings_and_stances() -> None:
    m = dialogue_metrics(
        make_record(
            debtor_offers=(120, 100, 90),
            labels=("anger", None, "joy"),
            stances=("neutral", None, "sadness"),
            guard_actions=("passed", None, "passed"),  # the middle turn was escalated: no decision
        )
    )
    assert m["negative_first"] is True and m["negative_last"] is False
    assert m["negative_by_turn"] == [True, None, False]
    assert m["stances"] == ["neutral", "sadness"]
    none_stance = dialogue_metrics(make_record(stances=(None, "joy")))
    assert none_stance["stances"] == ["none", "joy"]


# -- aggregation ------------------------------------------------------------------------------------------------------


def test_aggregate_by_hand() -> None:
    records = [
        make_record(agreed_days=60, debtor_offers=(120, 90), labels=("anger", "neutral")),  # c .5, s 2/3, 2 rounds
        make_record(agreed_days=45, debtor_offers=(120, 100, 80), labels=("fear", "sadness", "joy")),  # c 2/3, s 5/6
        make_record(status="breakdown", debtor_offers=(120, 120), labels=("neutral", "anger"), replies=(THREAT, None)),
    ]
    e = aggregate([dialogue_metrics(r) for r in records])
    assert e["n"] == 3 and e["successes"] == 2
    assert e["success_rate"] == pytest.approx(2 / 3)
    assert e["success_ci"] == pytest.approx(list(wilson_interval(2, 3)))
    assert e["collection_rate"] == pytest.approx((0.5 + 30 / 45 + 0) / 3)
    assert e["savings_ratio"] == pytest.approx((60 / 90 + 75 / 90) / 2)
    assert e["rounds"] == pytest.approx((2 + 3) / 2)
    assert e["debtor_movement"] == pytest.approx(2 / 3)
    assert e["violations"] == 1 and e["replies"] == 6
    assert e["negative_emotion_rate_first"] == pytest.approx(2 / 3)
    assert e["negative_emotion_rate_last"] == pytest.approx(1 / 3)
    assert e["negative_emotion_rate_by_turn"] == pytest.approx([2 / 3, 2 / 3, 0.0])
    assert e["stance_usage"] == {"neutral": 1.0}


def test_nobody_agreed() -> None:
    e = aggregate([dialogue_metrics(make_record(status="max_rounds")) for _ in range(4)])
    assert e["success_rate"] == 0.0 and e["success_ci"][0] == 0.0
    assert e["savings_ratio"] is None and e["rounds"] is None and e["collection_rate"] == 0.0


def test_summary_shape_and_groups() -> None:
    records = [
        make_record(policy="eq", persona="angry"),
        make_record(policy="eq", persona="anxious", status="breakdown"),
        make_record(policy="vanilla", persona="angry", status="escalated"),
    ]
    summary = summarise(records, config={"seeds": [0]})

    assert set(summary) == {"dialogues", "labels", "config", "overall", "by_policy", "by_persona", "by_policy_persona"}
    assert summary["dialogues"] == 3
    assert summary["labels"] == {"debtor": "scripted", "creditor_model": "offline"}
    assert summary["config"] == {"seeds": [0]}
    assert summary["overall"]["outcomes"] == {"agreed": 1, "breakdown": 1, "escalated": 1}
    assert summary["by_policy"]["eq"]["n"] == 2 and summary["by_policy"]["eq"]["success_rate"] == 0.5
    assert summary["by_persona"]["angry"]["outcomes"] == {"agreed": 1, "escalated": 1}
    assert set(summary["by_policy_persona"]) == {"eq/angry", "eq/anxious", "vanilla/angry"}
    assert summary["by_policy_persona"]["vanilla/angry"]["successes"] == 0
    assert summarise(records, labels={"debtor": "llm:x"})["labels"] == {"debtor": "llm:x"}


def test_summary_of_real_dialogues(play: Play, demo: tuple[str, dict[str, Any]]) -> None:
    _, agreed = demo
    _, short = play(DEMO_SCRIPT[:2])
    fields: dict[str, Any] = {
        "scenario_id": "s",
        "persona": "p",
        "seed": 0,
        "creditor_model": "offline",
        "debtor": "scripted",
    }
    records = [record_from_state(agreed, policy="eq", **fields), record_from_state(short, policy="eq2", **fields)]
    summary = summarise(records)
    overall = summary["overall"]
    assert overall["successes"] == 1 and overall["outcomes"] == {"agreed": 1, "ongoing": 1}
    days = agreed["agreement"]["days"]
    assert overall["collection_rate"] == pytest.approx(min(1, 30 / days) / 2)
    assert overall["violations"] == 0  # the offline responder's replies pass the guard
    assert math.isclose(sum(overall["stance_usage"].values()), 1.0)
    assert len(overall["negative_emotion_rate_by_turn"]) == len(DEMO_SCRIPT)


# -- paired comparison ------------------------------------------------------------------------------------------------


def _pair(seed: int, eq_status: str, base_status: str, eq_days: int = 60, base_days: int = 90) -> list[dict[str, Any]]:
    return [
        make_record(policy="eq", seed=seed, status=eq_status, agreed_days=eq_days),
        make_record(policy="vanilla", seed=seed, status=base_status, agreed_days=base_days),
    ]


def test_compare_pairs_by_scenario_persona_seed() -> None:
    records = [
        *_pair(0, "agreed", "agreed"),  # collection .5 vs 1/3, savings 2/3 vs 1/3
        *_pair(1, "agreed", "breakdown"),
        *_pair(2, "breakdown", "breakdown"),
        make_record(policy="eq", seed=3),  # no baseline partner
        make_record(policy="vanilla", seed=4, persona="calm"),
        make_record(policy="vanilla", seed=5, persona="calm"),
    ]
    result = compare(records, ["eq", "vanilla"], "vanilla")

    assert result["baseline"] == "vanilla" and result["resamples"] == 2000 and "bootstrap" in result["method"]
    assert set(result["policies"]) == {"eq"}
    eq = result["policies"]["eq"]
    assert eq["n_pairs"] == 3 and eq["unpaired"] == {"policy": 1, "baseline": 2}
    success = eq["metrics"]["success"]
    assert success["n"] == 3 and success["mean_diff"] == pytest.approx(1 / 3)
    assert success["mean_policy"] == pytest.approx(2 / 3) and success["mean_baseline"] == pytest.approx(1 / 3)
    low, high = success["ci"]
    assert 0.0 <= low <= 1 / 3 <= high <= 1.0
    collection = eq["metrics"]["collection_rate"]
    assert collection["mean_diff"] == pytest.approx(((0.5 - 1 / 3) + 0.5 + 0) / 3)
    savings = eq["metrics"]["savings_ratio"]
    assert savings["n"] == 1 and savings["mean_diff"] == pytest.approx(2 / 3 - 1 / 3)
    assert savings["ci"] == pytest.approx([1 / 3, 1 / 3])  # one pair: no spread
    assert eq["metrics"]["rounds"]["mean_diff"] == 0.0
    assert eq["metrics"]["violations"]["mean_diff"] == 0.0 and eq["metrics"]["violations"]["ci"] == [0.0, 0.0]
    assert compare(records, ["eq"], "vanilla") == result  # seeded: the same answer again


def test_compare_with_no_agreed_pairs_and_bad_input() -> None:
    records = _pair(0, "breakdown", "agreed")
    result = compare(records, ["eq"], "vanilla")
    assert result["policies"]["eq"]["metrics"]["savings_ratio"] == {
        "n": 0,
        "mean_policy": None,
        "mean_baseline": None,
        "mean_diff": None,
        "ci": None,
    }
    with pytest.raises(ValueError, match="no records for policy 'paper1'"):
        compare(records, ["paper1"], "vanilla")
    with pytest.raises(ValueError, match="two records"):
        compare([*records, make_record(policy="eq", seed=0)], ["eq"], "vanilla")
