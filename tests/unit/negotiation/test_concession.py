"""The creditor's concession strategy. Expected days are worked out by hand from offer = 30 + 60 * (t/14)**(1/e).

Rounds count from 1 (as turns do); ``t = round - 1`` is the time elapsed since the first offer.
"""

from __future__ import annotations

import itertools
import json

import pytest

from eq_negotiator.negotiation.concession import (
    ConcessionConfig,
    ConcessionStrategy,
    time_factor,
)
from eq_negotiator.scenario import Scenario

SCENARIO = Scenario(creditor_target_days=30, authorised_limit_days=90)
DISTRESSED = {"cooperative": 0.0, "confrontational": 0.0, "distressed": 1.0, "strategic": 0.0}
HOSTILE = {"cooperative": 0.0, "confrontational": 0.5, "distressed": 0.0, "strategic": 0.5}
COOPERATIVE = {"cooperative": 1.0, "confrontational": 0.0, "distressed": 0.0, "strategic": 0.0}


def strategy(**config: object) -> ConcessionStrategy:
    return ConcessionStrategy(SCENARIO, ConcessionConfig(**config))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("curve", "round_", "days"),
    [
        # linear: f = t/14
        ("linear", 1, 30),  # the first offer is the target
        ("linear", 4, 43),  # t = 3: 30 + 60 * 3/14 = 42.86
        ("linear", 8, 60),  # t = 7: halfway
        ("linear", 15, 90),  # the last round of 15 offers the limit
        # boulware, e = 0.2: f = (t/14)**5
        ("boulware", 8, 32),  # 30 + 60 * 0.03125 = 31.875
        ("boulware", 13, 58),  # (12/14)**5 = 0.4627 -> 57.76
        ("boulware", 14, 71),  # (13/14)**5 = 0.6904 -> 71.42
        ("boulware", 15, 90),
        # conceder, e = 5: f = (t/14)**0.2
        ("conceder", 2, 65),  # (1/14)**0.2 = 0.5899 -> 65.39
        ("conceder", 8, 82),  # 0.5**0.2 = 0.8706 -> 82.23
        ("conceder", 1, 30),
    ],
)
def test_curves_match_hand_computed_offers(curve: str, round_: int, days: int) -> None:
    assert strategy(curve=curve).offer_for_round(round_).days == days


def test_default_is_boulware_and_concedes_later_than_linear_and_conceder() -> None:
    boulware, linear, conceder = (strategy(curve=c) for c in ("boulware", "linear", "conceder"))
    assert ConcessionStrategy(SCENARIO).config.curve == "boulware"
    for round_ in range(2, 15):
        b, li, c = (s.offer_for_round(round_).days for s in (boulware, linear, conceder))
        assert b <= li <= c, round_


def test_explicit_beta_overrides_the_curve_default() -> None:
    plan = strategy(curve="boulware", beta=0.5).offer_for_round(8)
    assert plan.curve_value == pytest.approx(0.25)  # 0.5 ** (1/0.5)
    assert plan.days == 45


def test_step_days_rounds_to_nearest_multiple() -> None:
    assert strategy(curve="linear", step_days=5).offer_for_round(4).days == 45  # 42.86 -> 45
    assert strategy(curve="linear", step_days=5).offer_for_round(2).days == 35  # 34.29 -> 35
    assert strategy(curve="linear", step_days=5).offer_for_round(3).days == 40  # 38.57 -> 40


def test_step_rounding_never_leaves_the_range() -> None:
    odd = ConcessionStrategy(Scenario(creditor_target_days=31, authorised_limit_days=88), ConcessionConfig(step_days=5))
    assert odd.offer_for_round(1).days == 31  # nearest multiple 30 is below the target
    assert odd.offer_for_round(15).days == 88  # nearest multiple 90 is above the limit


def test_rounds_past_the_deadline_offer_the_limit() -> None:
    assert strategy(curve="linear").offer_for_round(40).days == 90


def test_target_equal_to_limit_always_offers_it() -> None:
    fixed = ConcessionStrategy(Scenario(creditor_target_days=60, authorised_limit_days=60))
    assert {fixed.offer_for_round(r, DISTRESSED).days for r in range(1, 21)} == {60}


def test_distress_speeds_up_and_hostility_slows_down() -> None:
    linear = strategy(curve="linear")
    assert linear.offer_for_round(8, DISTRESSED).days == 63  # t = 7, t' = 7.7 -> 30 + 60 * 0.55
    assert linear.offer_for_round(8, HOSTILE).days == 57  # t' = 6.3 -> 30 + 60 * 0.45
    assert linear.offer_for_round(8, COOPERATIVE).days == 60
    mixed = {"cooperative": 0.25, "confrontational": 0.25, "distressed": 0.5, "strategic": 0.0}
    assert linear.offer_for_round(8, mixed).days == 61  # m = 1.025, t' = 7.175 -> 60.75


def test_time_factor_formula_and_normalisation() -> None:
    assert time_factor(None, 0.1, 0.1) == 1.0
    assert time_factor({}, 0.1, 0.1) == 1.0
    assert time_factor({"distressed": 1.0}, 0.3, 0.2) == pytest.approx(1.3)
    assert time_factor({"confrontational": 0.5, "strategic": 0.5}, 0.3, 0.2) == pytest.approx(0.8)
    # Unnormalised beliefs are read as proportions; unknown keys are ignored.
    assert time_factor({"distressed": 2.0, "cooperative": 2.0, "mood": 9.0}, 0.2, 0.2) == pytest.approx(1.1)
    with pytest.raises(ValueError, match="distressed"):
        time_factor({"distressed": -0.1}, 0.1, 0.1)
    with pytest.raises(ValueError, match="strategic"):
        time_factor({"strategic": float("nan")}, 0.1, 0.1)


def test_speedup_is_clipped_at_the_deadline() -> None:
    assert strategy(curve="linear").offer_for_round(14, DISTRESSED).days == 90  # t = 13, t' = 14.3 -> 14
    plan = strategy(curve="linear").offer_for_round(15, HOSTILE)
    assert plan.effective_time == pytest.approx(12.6)
    assert plan.days == 84  # a hostile client never hears the limit: 30 + 60 * 0.9


def test_more_distress_never_lowers_and_more_hostility_never_raises_an_offer() -> None:
    boulware = strategy()
    for round_ in range(1, 16):
        distress_offers = [
            boulware.offer_for_round(round_, {"distressed": p, "cooperative": 1 - p}).days for p in (0, 0.25, 0.5, 1)
        ]
        hostile_offers = [
            boulware.offer_for_round(round_, {"confrontational": p, "cooperative": 1 - p}).days for p in (0, 0.5, 1)
        ]
        assert distress_offers == sorted(distress_offers)
        assert hostile_offers == sorted(hostile_offers, reverse=True)


def test_offers_never_go_backwards_when_the_belief_swings() -> None:
    linear = strategy(curve="linear")
    beliefs = [DISTRESSED, HOSTILE] * 8  # distressed on odd rounds (even t), hostile on even ones
    previous: int | None = None
    plans = []
    for round_, belief in enumerate(beliefs[:15], start=1):
        plan = linear.offer_for_round(round_, belief, previous)
        plans.append(plan)
        previous = plan.days
    offers = [plan.days for plan in plans]
    assert offers == sorted(offers)
    # From t = 6 on, a hostile round's time 0.9 * (t + 1) falls below the distressed round's before it (1.1 * t).
    assert [plan.round for plan in plans if plan.held] == [8, 10, 12, 14]
    # A distressed round 6 (t = 5) offers 30 + 60 * 5.5/14 = 53.6 -> 54; a hostile round 7 would offer
    # 30 + 60 * 5.4/14 = 53.1 -> 53, so the creditor holds at 54.
    held = linear.offer_for_round(7, HOSTILE, 54)
    assert (held.days, held.held) == (54, True)
    assert "never go backwards" in held.reason


def test_every_offer_stays_within_target_and_limit() -> None:
    beliefs = [None, DISTRESSED, HOSTILE, COOPERATIVE]
    for curve, belief, round_ in itertools.product(("boulware", "linear", "conceder"), beliefs, range(1, 26)):
        config = ConcessionConfig(curve=curve, distressed_speedup=0.5, hostile_slowdown=0.5)  # type: ignore[arg-type]
        days = ConcessionStrategy(SCENARIO, config).offer_for_round(round_, belief).days
        assert 30 <= days <= 90


def test_offer_input_errors() -> None:
    linear = strategy(curve="linear")
    with pytest.raises(ValueError, match="round must be 1 or more"):
        linear.offer_for_round(0)  # rounds count from 1
    with pytest.raises(ValueError, match="previous_offer 95"):
        linear.offer_for_round(3, None, 95)
    with pytest.raises(ValueError, match="previous_offer 20"):
        linear.offer_for_round(3, None, 20)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"curve": "tit_for_tat"}, "curve"),
        ({"beta": 0.0}, "beta"),
        ({"beta": float("inf")}, "beta"),
        ({"max_rounds": 1}, "max_rounds"),
        ({"step_days": 0}, "step_days"),
        ({"accept_tolerance_days": -1}, "accept_tolerance_days"),
        ({"distressed_speedup": 0.6}, "distressed_speedup"),
        ({"hostile_slowdown": -0.1}, "hostile_slowdown"),
    ],
)
def test_config_validation(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ConcessionConfig(**config)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("client_days", "round_", "action", "days"),
    [
        (65, 8, "accept", 65),  # within 5 of the offer of 60
        (66, 8, "counter", 60),  # one day past the tolerance
        (50, 8, "accept", 50),  # fewer days than the creditor offered: better for the creditor
        (20, 1, "accept", 20),  # even below the target
        (90, 15, "accept", 90),  # the limit itself
        (94, 15, "counter", 90),  # within tolerance of the offer, but past the authorised limit
        (None, 8, "counter", 60),
    ],
)
def test_respond_to(client_days: int | None, round_: int, action: str, days: int) -> None:
    response = strategy(curve="linear").respond_to(client_days, round_)
    assert (response.action, response.days) == (action, days)
    assert response.accepted is (action == "accept")
    assert response.offer.days == strategy(curve="linear").offer_for_round(round_).days


def test_respond_to_uses_belief_and_previous_offer() -> None:
    linear = strategy(curve="linear")
    assert linear.respond_to(68, 8, DISTRESSED).action == "accept"  # offer 63, threshold 68
    assert linear.respond_to(68, 8).action == "counter"  # offer 60, threshold 65
    assert linear.respond_to(70, 8, None, previous_offer=65).action == "accept"  # held at 65, threshold 70


def test_respond_to_rejects_impossible_days() -> None:
    with pytest.raises(ValueError, match="client_days"):
        strategy().respond_to(0, 3)


def test_zero_tolerance_accepts_only_the_offer_or_better() -> None:
    strict = strategy(curve="linear", accept_tolerance_days=0)
    assert strict.respond_to(60, 8).action == "accept"
    assert strict.respond_to(61, 8).action == "counter"


def test_results_are_json_safe_and_reproducible() -> None:
    boulware = strategy()
    first = boulware.respond_to(80, 13, DISTRESSED, 48).to_dict()
    again = strategy().respond_to(80, 13, DISTRESSED, 48).to_dict()
    assert first == again
    assert json.loads(json.dumps(first)) == first
    assert first["offer"]["round"] == 13
    config = ConcessionConfig().to_dict()
    assert json.loads(json.dumps(config)) == config
    assert config["exponent"] == 0.2


def test_reason_is_one_readable_sentence() -> None:
    plan = strategy(curve="linear").offer_for_round(8, DISTRESSED)
    assert plan.round == 8
    assert plan.reason == (
        "Round 8: the linear curve (e=1, sped up 10% for a client who seems distressed: distressed 1.00, "
        "confrontational or strategic 0.00) is 55% of the way from 30 to 90 days, so the creditor offers 63 days."
    )
