"""Agreement, breakdown and the round limit, and the client-progress signal."""

from __future__ import annotations

import json

import pytest

from eq_negotiator.negotiation.agreement import (
    FAILED_STATUSES,
    TERMINAL_STATUSES,
    AgreementConfig,
    Move,
    NegotiationStatus,
    Outcome,
    assess,
    client_progress,
)

AGREED, ONGOING, BREAKDOWN, MAX_ROUNDS = (
    NegotiationStatus.AGREED,
    NegotiationStatus.ONGOING,
    NegotiationStatus.BREAKDOWN,
    NegotiationStatus.MAX_ROUNDS,
)


def test_client_accepts_the_creditors_offer() -> None:
    outcome = assess(Move("client", "accept"), round=4, standing_offer=60)
    assert (outcome.status, outcome.agreed_days, outcome.closed_by, outcome.round) == (AGREED, 60, "client", 4)
    assert outcome.sentence == "Agreed on 60 days in round 4; the client accepted the creditor's offer."
    assert outcome.status.finished


def test_creditor_accepts_the_clients_offer() -> None:
    outcome = assess(Move("creditor", "accept"), round=6, standing_offer=75)
    assert (outcome.status, outcome.agreed_days, outcome.closed_by) == (AGREED, 75, "creditor")
    assert outcome.sentence == "Agreed on 75 days in round 6; the creditor accepted the client's offer."


def test_accepting_with_the_same_days_is_an_acceptance() -> None:
    outcome = assess(Move("client", "accept", 60), round=2, standing_offer=60)
    assert (outcome.status, outcome.agreed_days) == (AGREED, 60)


def test_accepting_nothing_settles_nothing() -> None:
    outcome = assess(Move("client", "accept"), round=1, standing_offer=None)
    assert (outcome.status, outcome.agreed_days, outcome.closed_by) == (ONGOING, None, None)


def test_acceptance_naming_far_away_days_is_a_proposal() -> None:
    outcome = assess(Move("client", "accept", 90), round=3, standing_offer=60)
    assert outcome.status is ONGOING
    assert outcome.sentence == "Round 3 continues; the client proposed 90 days against the creditor's 60."


def test_acceptance_naming_nearby_days_agrees_on_the_named_days() -> None:
    outcome = assess(Move("client", "accept", 62), round=3, standing_offer=60)
    assert (outcome.status, outcome.agreed_days) == (AGREED, 62)


@pytest.mark.parametrize(
    ("speaker", "days", "standing", "status", "agreed"),
    [
        ("client", 65, 60, AGREED, 65),  # exactly the tolerance
        ("client", 66, 60, ONGOING, None),  # one day past it
        ("client", 55, 60, AGREED, 55),  # fewer days than offered
        ("creditor", 70, 72, AGREED, 70),
        ("creditor", 60, 90, ONGOING, None),
        ("client", 80, None, ONGOING, None),  # no standing offer to be close to
    ],
)
def test_offers_within_tolerance_agree_on_the_proposed_days(
    speaker: str, days: int, standing: int | None, status: NegotiationStatus, agreed: int | None
) -> None:
    outcome = assess(Move(speaker, "propose", days), round=5, standing_offer=standing)  # type: ignore[arg-type]
    assert (outcome.status, outcome.agreed_days) == (status, agreed)
    if status is AGREED:
        assert outcome.closed_by == speaker


def test_tolerance_sentence() -> None:
    outcome = assess(Move("client", "propose", 63), round=5, standing_offer=60)
    assert (
        outcome.sentence == "Agreed on 63 days in round 5; the client's offer was within 5 days of the creditor's 60."
    )


def test_tolerance_is_configurable() -> None:
    exact = AgreementConfig(tolerance_days=0)
    assert assess(Move("client", "propose", 61), round=2, standing_offer=60, config=exact).status is ONGOING
    assert assess(Move("client", "propose", 60), round=2, standing_offer=60, config=exact).status is AGREED


def test_walk_away_is_a_breakdown() -> None:
    outcome = assess(Move("client", "walk_away"), round=6, standing_offer=45)
    assert (outcome.status, outcome.closed_by, outcome.agreed_days) == (BREAKDOWN, "client", None)
    assert outcome.sentence == "The negotiation broke down in round 6; the client walked away."


def test_three_client_rejections_in_a_row_are_a_breakdown() -> None:
    count = 0
    statuses = []
    for round_ in (1, 2, 3):
        outcome = assess(Move("client", "reject"), round=round_, standing_offer=30, consecutive_rejections=count)
        statuses.append(outcome.status)
        count = outcome.consecutive_rejections
    assert statuses == [ONGOING, ONGOING, BREAKDOWN]
    assert count == 3
    assert outcome.sentence == "The negotiation broke down in round 3; the client rejected 3 offers in a row."


def test_other_client_moves_reset_the_rejection_count_and_creditor_moves_do_not() -> None:
    after_reject = assess(Move("client", "reject"), round=1, standing_offer=30, consecutive_rejections=1)
    assert after_reject.consecutive_rejections == 2
    creditor = assess(Move("creditor", "propose", 35), round=1, standing_offer=120, consecutive_rejections=2)
    assert creditor.consecutive_rejections == 2
    proposal = assess(Move("client", "propose", 110), round=2, standing_offer=35, consecutive_rejections=2)
    assert proposal.consecutive_rejections == 0
    assert proposal.status is ONGOING


def test_rejection_limit_is_configurable() -> None:
    patient = AgreementConfig(max_consecutive_rejections=5)
    outcome = assess(Move("client", "reject"), round=4, standing_offer=30, consecutive_rejections=3, config=patient)
    assert (outcome.status, outcome.consecutive_rejections) == (ONGOING, 4)


def test_round_limit_ends_after_the_creditors_last_reply() -> None:
    client_last = assess(Move("client", "propose", 120), round=15, standing_offer=80)
    assert client_last.status is ONGOING  # the creditor still answers the final message
    creditor_last = assess(Move("creditor", "propose", 85), round=15, standing_offer=120)
    assert (creditor_last.status, creditor_last.closed_by) == (MAX_ROUNDS, None)
    assert creditor_last.sentence == "No agreement within the maximum of 15 rounds."
    accepted_last = assess(Move("creditor", "accept"), round=15, standing_offer=88)
    assert (accepted_last.status, accepted_last.agreed_days) == (AGREED, 88)


def test_rounds_outside_the_limit_are_errors() -> None:
    with pytest.raises(ValueError, match="round"):
        assess(Move("client", "propose", 60), round=16, standing_offer=60)
    with pytest.raises(ValueError, match="round"):
        assess(Move("client", "propose", 60), round=0, standing_offer=60)
    longer = assess(Move("client", "reject"), round=20, standing_offer=60, config=AgreementConfig(max_rounds=20))
    assert (longer.round, longer.status) == (20, ONGOING)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"standing_offer": 0}, "standing_offer"),
        ({"standing_offer": 60, "consecutive_rejections": -1}, "consecutive_rejections"),
    ],
)
def test_assess_input_errors(kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assess(Move("client", "reject"), round=1, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("debtor", "accept"), "speaker"),
        (("client", "haggle"), "act"),
        (("client", "propose", 0), "days"),
    ],
)
def test_move_validation(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Move(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"tolerance_days": -1}, "tolerance_days"),
        ({"max_rounds": 0}, "max_rounds"),
        ({"max_consecutive_rejections": 0}, "max_consecutive_rejections"),
    ],
)
def test_config_validation(config: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AgreementConfig(**config)


def test_outcome_is_json_safe() -> None:
    outcome = assess(Move("client", "propose", 64), round=4, standing_offer=60)
    data = outcome.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "status": "agreed",
        "round": 4,
        "agreed_days": 64,
        "closed_by": "client",
        "consecutive_rejections": 0,
        "sentence": outcome.sentence,
    }
    assert isinstance(outcome, Outcome)


@pytest.mark.parametrize(
    ("previous", "current", "creditor", "act", "expected"),
    [
        (120, 100, 60, None, True),  # moved toward the creditor
        (100, 120, 60, None, False),  # moved away
        (100, 100, 60, None, None),  # held still: neither
        (None, 100, 60, None, None),  # a first ask above the offer: nothing to compare
        (None, 55, 60, None, True),  # a first ask at or below the creditor's offer
        (120, 60, 60, None, True),
        (None, None, 60, None, None),  # no numbers
        (None, None, 60, "accept", True),
        (100, None, 60, "reject", False),
        (100, 90, 60, "walk_away", False),  # walking away outweighs the smaller ask
        (100, 90, None, "other", True),
    ],
)
def test_client_progress(
    previous: int | None, current: int | None, creditor: int | None, act: str | None, expected: bool | None
) -> None:
    assert client_progress(previous, current, creditor, act) is expected  # type: ignore[arg-type]


def test_status_sets_have_one_home_and_hold_the_json_values_state_keeps() -> None:
    assert {"agreed", "breakdown", "max_rounds"} == TERMINAL_STATUSES
    assert TERMINAL_STATUSES - {"agreed"} == FAILED_STATUSES
    # Handed to a person is not an ended negotiation: the graph waits for the operator instead of closing.
    assert NegotiationStatus("escalated") is NegotiationStatus.ESCALATED
    assert NegotiationStatus.ESCALATED.value not in TERMINAL_STATUSES
    assert {status.value for status in NegotiationStatus} >= TERMINAL_STATUSES
