"""Terms as clients say them (dates, instalment rates, full and lump-sum payments) and the doubts that make the
agent ask instead of agree. Every date is resolved against an explicit reference date, never the wall clock."""

from __future__ import annotations

import datetime as dt

import pytest

from eq_negotiator.negotiation.agreement import Move, NegotiationStatus, assess
from eq_negotiator.negotiation.dates import PAYCHECK_DAYS, find_dates
from eq_negotiator.negotiation.offers import DOUBTS, Offer, parse_offer
from eq_negotiator.scenario import Scenario

WEDNESDAY = dt.date(2025, 3, 12)  # a Wednesday, mid-month
BALANCE = 4_850.0


def read(text: str, standing: int | None = None, reference: dt.date = WEDNESDAY) -> Offer:
    return parse_offer(text, standing_offer_days=standing, balance=BALANCE, reference_date=reference)


# --- the scenario's reference date ---------------------------------------------------------------------------


def test_the_scenario_carries_an_optional_reference_date() -> None:
    scenario = Scenario(reference_date=dt.date(2025, 3, 12))
    assert scenario.reference_day() == WEDNESDAY
    assert Scenario(**scenario.to_state()).reference_date == WEDNESDAY  # JSON state round-trips it
    assert scenario.to_state()["reference_date"] == "2025-03-12"
    assert Scenario().reference_date is None  # default: the day the turn runs


def test_without_a_reference_date_the_scenario_uses_the_day_the_turn_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    class FrozenDate(dt.date):
        @classmethod
        def today(cls) -> FrozenDate:
            return cls(2030, 1, 2)

    monkeypatch.setattr(dt, "date", FrozenDate)
    assert Scenario().reference_day() == dt.date(2030, 1, 2)


# --- dates ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("today", "2025-03-12"),
        ("tomorrow", "2025-03-13"),
        ("the day after tomorrow", "2025-03-14"),
        ("this friday", "2025-03-14"),
        ("on friday", "2025-03-14"),
        ("next friday", "2025-03-21"),  # the Friday of next week
        ("this wednesday", "2025-03-12"),  # today is a Wednesday
        ("on the 15th", "2025-03-15"),
        ("by the 10th", "2025-04-10"),  # the 10th has passed this month
        ("end of the month", "2025-03-31"),
        ("end of next month", "2025-04-30"),
        ("march 3rd", "2026-03-03"),  # passed this year
        ("15 march", "2025-03-15"),
        ("2025-04-01", "2025-04-01"),
        ("my next paycheck", "2025-03-26"),
    ],
)
def test_date_phrases_resolve_against_the_reference_date(phrase: str, expected: str) -> None:
    (mention,) = find_dates(phrase, WEDNESDAY)
    assert mention.date.isoformat() == expected


def test_a_day_the_month_lacks_is_its_last_day() -> None:
    (mention,) = find_dates("on the 31st", dt.date(2025, 4, 2))
    assert mention.date == dt.date(2025, 4, 30)


# --- pay in full, now or on a date ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("I can pay 4850 today", 1, "2025-03-12"),
        ("I'll pay it all tomorrow", 1, "2025-03-13"),
        ("I can pay the full 4850 right now", 1, "2025-03-12"),
        ("I can pay it all this Friday", 2, "2025-03-14"),
        ("I can pay everything next Friday", 9, "2025-03-21"),
        ("I'll pay the balance in full at the end of the month", 19, "2025-03-31"),
        ("I'll pay $4,850 on the 15th", 3, "2025-03-15"),
    ],
)
def test_a_full_payment_on_a_date_is_its_days_with_the_whole_balance(text: str, days: int, pay_date: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.pay_date) == (
        days,
        "propose",
        "in_full",
        BALANCE,
        pay_date,
    )
    assert offer.doubt is None
    assert pay_date in (offer.note or "")


def test_a_full_payment_without_a_date_asks_when() -> None:
    offer = read("I can pay it all")
    assert (offer.days, offer.basis, offer.doubt) == (None, "in_full", "unclear_date")


def test_a_refused_payment_date_is_no_offer() -> None:
    assert read("I can't pay it all today").act == "reject"
    assert read("I can't pay it all today").days is None


def test_a_date_without_the_amount_is_read_but_asked_about() -> None:
    offer = read("I can pay on the 15th")
    assert (offer.days, offer.basis, offer.pay_date, offer.doubt) == (3, "date", "2025-03-15", "unclear_amount")


@pytest.mark.parametrize(
    "text",
    [
        "i can send 50 bucks on friday",  # the date of a part payment
        "Sounds good, I'll send $200 today as the first payment",
        "Can we talk tomorrow at 9?",  # no payment
        "I get paid on the 15th",  # history, not an offer
        "now I can do 60 days",  # "now" is "at this point"
    ],
)
def test_dates_that_are_not_repayment_terms_set_no_timeline(text: str) -> None:
    offer = read(text, standing=60)
    assert offer.basis is None and offer.pay_date is None
    assert offer.days in (None, 60)


def test_paychecks_count_fourteen_days_and_say_so() -> None:
    offer = read("I can pay it off in two paychecks")
    assert offer.days == 2 * PAYCHECK_DAYS == 28
    assert "14 days a paycheck" in (offer.note or "")


# --- instalments and lump sums -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount", "payments", "days"),
    [
        ("I can do 200 a month", 200.0, 25, 750),  # 4850 / 200 = 24.25 -> 25 payments of 30 days
        ("$50 every other week", 50.0, 97, 1358),  # 97 payments of 14 days
        ("I can pay 100 dollars every week", 100.0, 49, 343),
        ("$150 every two weeks is what I can afford", 150.0, 33, 462),
    ],
)
def test_an_instalment_rate_is_the_days_it_needs_to_clear_the_balance(
    text: str, amount: float, payments: int, days: int
) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.instalments) == (
        days,
        "propose",
        "instalments",
        amount,
        payments,
    )
    assert offer.doubt is None
    assert f"{payments} payments" in (offer.note or "") and f"{days} days" in (offer.note or "")


def test_a_rate_beyond_ten_years_is_in_doubt() -> None:
    offer = read("I can pay $5 a month")
    assert offer.doubt == "implausible"


def test_a_refused_rate_is_no_offer() -> None:
    assert read("I can't pay $400 a month").act == "reject"


def test_a_rate_is_not_read_without_the_balance() -> None:
    offer = parse_offer("I can do $500 a month", reference_date=WEDNESDAY)
    assert (offer.days, offer.act, offer.amount, offer.basis) == (None, "propose", 500.0, None)


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("$500 now and the rest in 3 months", 90, None),
        ("I can put $250 down today and the rest over 3 months", 90, None),
        ("I can pay $500 now and the rest on the 15th", 3, "2025-03-15"),
    ],
)
def test_a_lump_sum_and_the_rest_later_is_the_rests_timeline(text: str, days: int, pay_date: str | None) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.pay_date, offer.doubt) == (
        days,
        "propose",
        "lump_sum",
        pay_date,
        None,
    )
    assert "the rest" in (offer.note or "")


# --- doubt asks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["I'll pay in 10^9 days", "I can do 1e3 days", "10**9 days", "I'll pay in 10⁹ days"])
def test_scientific_and_garbled_numbers_are_never_read_as_days(text: str) -> None:
    offer = read(text)
    assert offer.days is None
    assert offer.doubt == "unreadable_number"
    assert offer.act != "accept"


def test_the_exponent_bug_without_terms_too() -> None:
    # The reported fault: "10^9 days" read as 9 days. A garbled timeline is terms to confirm: a proposal, in doubt.
    offer = parse_offer("I'll pay in 10^9 days", standing_offer_days=9)
    assert offer.days is None and offer.doubt == "unreadable_number" and offer.act == "propose"


@pytest.mark.parametrize("text", ["0 days", "-5 days", "minus 5 days", "I can pay it all on 2025-01-01"])
def test_zero_negative_and_past_terms_are_in_doubt(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (None, "other", "implausible")


def test_beyond_ten_years_is_in_doubt() -> None:
    offer = read("I need 40 years")
    assert offer.doubt == "implausible"
    assert offer.days == 3650  # still capped, as before


def test_an_acceptance_naming_other_days_is_in_doubt() -> None:
    offer = read("I agree to 60 days", standing=30)
    assert (offer.days, offer.act, offer.doubt) == (60, "propose", "conflicting_accept")
    quoted = read("ok, your 60 days works", standing=45)
    assert quoted.doubt == "conflicting_accept"


def test_a_plain_ok_before_a_counter_is_a_proposal_not_a_doubt() -> None:
    # "OK, 90 days then" against 60 is a proposal (documented in negotiation.agreement), not a conflicting acceptance.
    offer = read("Okay. If the plan is clear, I can work with you. 55 days, then.", standing=39)
    assert (offer.days, offer.act, offer.doubt) == (55, "propose", None)
    assert read("I accept the 30 days", standing=30).doubt is None


def test_two_different_timelines_are_in_doubt_but_a_range_is_not() -> None:
    assert read("I can do 60 days, maybe 90 days").doubt == "several_numbers"
    assert read("I can pay it all on Friday, or in 60 days").doubt == "several_numbers"
    assert read("I can do 60 to 90 days").doubt is None
    assert read("I can't do 30, maybe 40?").doubt is None  # a refused number is no second offer


def test_every_doubt_has_a_note() -> None:
    samples = [
        "I'll pay in 10^9 days",
        "0 days",
        "I can do 60 days, maybe 90 days",
        "I agree to 60 days",
        "I can pay on the 15th",
        "I can pay it all",
    ]
    seen = set()
    for text in samples:
        offer = read(text, standing=30)
        assert offer.doubt in DOUBTS and offer.note, text
        seen.add(offer.doubt)
    assert seen == set(DOUBTS)


# --- agreement only on an unambiguous statement --------------------------------------------------------------


@pytest.mark.parametrize("act", ["accept", "propose"])
def test_a_move_in_doubt_never_agrees(act: str) -> None:
    outcome = assess(Move("client", act, 30, doubt="conflicting_accept"), round=2, standing_offer=30)  # type: ignore[arg-type]
    assert outcome.status is NegotiationStatus.ONGOING
    assert outcome.agreed_days is None
    assert "unclear" in outcome.sentence and "conflicting accept" in outcome.sentence


def test_a_move_in_doubt_is_no_rejection_and_the_round_limit_still_holds() -> None:
    outcome = assess(
        Move("client", "reject", doubt="implausible"), round=3, standing_offer=40, consecutive_rejections=2
    )
    assert outcome.status is NegotiationStatus.ONGOING and outcome.consecutive_rejections == 0
    last = assess(Move("creditor", "other", doubt="implausible"), round=15, standing_offer=None)
    assert last.status is NegotiationStatus.MAX_ROUNDS
