"""More of the ways debtors state terms: money said as paid now, shorthand thousands, rate phrasings, numeric and
relative dates, full-payment cues, revisions, "let's do" proposals and garbled timelines (issue 14).

Every sentence here was written for these tests; each phenomenon has cases that must be read and cases that must
not. Dates are resolved against an explicit reference date, never the wall clock."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from eq_negotiator.negotiation.dates import PAYCHECK_DAYS, find_dates
from eq_negotiator.negotiation.offers import Offer, parse_offer, states_offer

WEDNESDAY = dt.date(2025, 3, 12)  # a Wednesday, mid-month
BALANCE = 4_850.0


def read(text: str, standing: int | None = None) -> Offer:
    return parse_offer(text, standing_offer_days=standing, balance=BALANCE, reference_date=WEDNESDAY)


def payments_days(lump: float, rate: float, period: int) -> tuple[int, int]:
    """The instalments and days a lump sum and then a rate need to clear the balance."""
    payments = math.ceil((BALANCE - lump) / rate)
    return payments, payments * period


# --- 1. a number paid now, down or upfront is money -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lump", "rate", "period"),
    [
        ("i could do 250 now and 150 a month after that", 250.0, 150.0, 30),
        ("$1,000 down today, then $250 a month until it's paid", 1000.0, 250.0, 30),
        ("I can do 300 today and 200 every two weeks", 300.0, 200.0, 14),
        ("250 up front then 100 a week", 250.0, 100.0, 7),
        ("$200 a month after $500 down", 500.0, 200.0, 30),  # the lump named after the rate
        ("$500 now and $200 a month", 500.0, 200.0, 30),
        ("Can I pay $1,000 today and then $500 a month?", 1000.0, 500.0, 30),  # a question proposes
        ("I can pay you 500 by friday and then 300 a month", 500.0, 300.0, 30),
    ],
)
def test_a_lump_sum_and_then_a_rate_is_a_lump_sum_with_the_rates_days(
    text: str, lump: float, rate: float, period: int
) -> None:
    payments, days = payments_days(lump, rate, period)
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.instalments, offer.doubt) == (
        days,
        "propose",
        "lump_sum",
        lump,
        payments,
        None,
    )
    assert f"{payments} payments" in (offer.note or "") and f"{days} days" in (offer.note or "")


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("maybe 40 now?", 40),  # nothing about paying: still a bare timeline
        ("Okay, I can do 45 now", 45),
    ],
)
def test_a_number_now_in_a_message_not_about_paying_is_still_days(text: str, days: int) -> None:
    assert read(text, standing=30).days == days


@pytest.mark.parametrize(
    "text",
    [
        "I'm 30 now and can pay $200 a month",  # an age
        "I can pay it all at 5 today",  # a clock time
    ],
)
def test_ages_and_clock_times_before_now_are_no_lump_sum(text: str) -> None:
    offer = read(text)
    assert offer.basis != "lump_sum"
    assert offer.amount in (None, 200.0, BALANCE)


# --- 2. shorthand thousands and the rest of the balance -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [("i can pay 1.2k a month", 1200.0), ("$2.5k a month", 2500.0), ("2 grand a month is what I can do", 2000.0)],
)
def test_shorthand_thousands_are_money(text: str, amount: float) -> None:
    offer = read(text)
    payments = math.ceil(BALANCE / amount)
    assert (offer.basis, offer.amount, offer.instalments, offer.days) == (
        "instalments",
        amount,
        payments,
        30 * payments,
    )


def test_shorthand_thousands_are_never_days() -> None:
    assert parse_offer("I can do 2k").days is None
    assert parse_offer("I can do 2k").amount == 2000.0


@pytest.mark.parametrize(
    ("text", "lump", "days", "pay_date"),
    [
        ("put 1k down today and pay off the remainder within 60 days", 1000.0, 60, None),
        ("$300 on Friday and the balance by the end of the month", 300.0, 19, "2025-03-31"),
        ("$100 today and the rest by 3/28", 100.0, 16, "2025-03-28"),
        ("I'll send 500 tomorrow and what's left on the 5th of next month", 500.0, 24, "2025-04-05"),
        ("I can pay $500 now and the balance in 60 days", 500.0, 60, None),
    ],
)
def test_a_lump_sum_and_the_rest_later_has_one_timeline(
    text: str, lump: float, days: int, pay_date: str | None
) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.pay_date, offer.doubt) == (
        days,
        "propose",
        "lump_sum",
        lump,
        pay_date,
        None,
    )


def test_the_date_of_the_rest_alone_still_counts() -> None:
    offer = read("On Friday I'll pay the rest")  # no first payment: Friday dates the rest
    assert (offer.days, offer.pay_date) == (2, "2025-03-14")


def test_money_toward_the_balance_is_a_part_payment_not_a_full_one() -> None:
    offer = read("I can send $50 toward the balance on Friday")
    assert (offer.days, offer.basis, offer.amount) == (None, None, 50.0)


# --- 3. rate phrasings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rate", "period"),
    [
        ("monthly payments of $400", 400.0, 30),
        ("I could make weekly payments of 100", 100.0, 7),
        ("$400 monthly", 400.0, 30),
        ("$450/month", 450.0, 30),
        ("$400 out of each paycheck", 400.0, PAYCHECK_DAYS),
        ("I can put 300 from every paycheck toward it", 300.0, PAYCHECK_DAYS),
        ("100 per week", 100.0, 7),
        ("What if I paid you $600 a month?", 600.0, 30),
        ("Would you accept monthly payments of $400?", 400.0, 30),
    ],
)
def test_rate_phrasings_are_instalment_proposals(text: str, rate: float, period: int) -> None:
    payments = math.ceil(BALANCE / rate)
    offer = read(text, standing=30)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.instalments, offer.doubt) == (
        payments * period,
        "propose",
        "instalments",
        rate,
        payments,
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "I've been paying 200 a month for years",
        "I paid $600 a month last year",
        "I made payments of $200 every month before I lost my job",
    ],
)
def test_rates_told_as_history_are_no_offer(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis) == (None, "other", None)


def test_a_count_of_people_is_not_money_or_days() -> None:
    offer = read("250 people work at my company")
    assert (offer.days, offer.amount, offer.act) == (None, None, "other")


def test_a_supposition_with_a_timeline_is_a_proposal() -> None:
    assert read("If I had 90 days I could pay it all").days == 90
    assert read("I had 30 days last time").days is None  # history


# --- 4. dates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("by 2/27", "2026-02-27"),  # passed this year: the next one
        ("on 3/15", "2025-03-15"),
        ("by 15/2", "2026-02-15"),  # only the day-first reading is a date
        ("until 4/1/2025", "2025-04-01"),
        ("on 4/1/25", "2025-04-01"),
        ("on 5 june", "2025-06-05"),
        ("june 5th", "2025-06-05"),
        ("on the 20th of may", "2025-05-20"),  # not the 20th of this month
        ("by the 5th of next month", "2025-04-05"),
        ("month end", "2025-03-31"),
        ("by month end", "2025-03-31"),
        ("before the month is over", "2025-03-31"),
        ("by the end of this month", "2025-03-31"),
        ("tomorrow morning", "2025-03-13"),
        ("tmrw", "2025-03-13"),
        ("tmr", "2025-03-13"),
    ],
)
def test_more_date_phrases_resolve_to_one_date(phrase: str, expected: str) -> None:
    (mention,) = find_dates(phrase, WEDNESDAY)
    assert mention.date.isoformat() == expected


@pytest.mark.parametrize("text", ["i work 24/7", "i can pay 1/2 now", "2/3 of it"])
def test_numbers_with_a_slash_that_are_no_dates(text: str) -> None:
    assert all(m.date != dt.date(WEDNESDAY.year, 1, 2) for m in find_dates(text, WEDNESDAY))
    assert not [m for m in find_dates(text, WEDNESDAY) if "/" in text[m.start : m.end]]


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("I can pay it all by 3/27", 15, "2025-03-27"),
        ("I'll pay in full on the 5th of next month", 24, "2025-04-05"),
        ("I can pay everything before the month is over", 19, "2025-03-31"),
        ("I'll clear the whole thing tmrw", 1, "2025-03-13"),
    ],
)
def test_a_full_payment_on_these_dates_is_one_timeline(text: str, days: int, pay_date: str) -> None:
    offer = read(text)
    assert (offer.days, offer.basis, offer.pay_date, offer.doubt) == (days, "in_full", pay_date, None)


def test_a_numeric_date_with_a_past_year_is_implausible() -> None:
    offer = read("I can pay it all on 2/15/2024")
    assert (offer.days, offer.doubt) == (None, "implausible")


@pytest.mark.parametrize(("text", "days"), [("I need a full quarter", 90), ("two whole weeks", 14), ("a quarter", 90)])
def test_full_and_whole_units_are_the_unit(text: str, days: int) -> None:
    assert read(text).days == days


def test_a_quarter_of_something_is_a_share_not_a_timeline() -> None:
    offer = read("I can pay a quarter of the balance now and the rest in 3 months")
    assert (offer.days, offer.doubt) == (90, None)


# --- 5. full payment cues ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I can pay the entire outstanding amount on Friday", 2),
        ("I can pay the full thing next week", 11),
        ("I'll discharge the entire balance on the 20th", 8),
        ("I'll have it paid off by Friday", 2),
        ("I can do 5k by the end of the month", 19),  # an amount of at least the balance
    ],
)
def test_full_payment_cues_with_a_date(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.doubt) == (
        days,
        "propose",
        "in_full",
        BALANCE,
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'll settle the entire balance",
        "I would rather do it in a single lump-sum payment",
        "I can pay it off in one go",
        "I'd like to pay it all at once",
    ],
)
def test_full_payment_cues_without_a_date_ask_when(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.doubt) == (None, "propose", "in_full", "unclear_date")


# --- 6. revisions and numbers called hard to meet ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I can do 60 days. Actually, make that 90", 90),
        ("45 days, or rather 60 days", 60),
        ("I need 4 months. On second thought, 3 months", 90),
        ("Scratch that, 50 days", 50),
        ("120 days... I mean 100 days", 100),
        ("30 is really tight for me.. can we do 60?", 60),
        ("30 days is hard for me, I need 45", 45),
        ("honestly 2 weeks is not enough, 5 weeks would work", 35),
    ],
)
def test_revisions_and_refusals_leave_one_timeline(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, "propose", None)


def test_a_revised_rate_keeps_its_period() -> None:
    for text in ("I'll pay $200 a month, actually make that $250", "I can do 200 a month. On second thought, 250"):
        offer = read(text)
        assert (offer.amount, offer.basis, offer.instalments, offer.doubt) == (250.0, "instalments", 20, None), text


def test_two_timelines_without_a_revision_marker_are_still_in_doubt() -> None:
    assert read("I can do 60 days, maybe 90 days").doubt == "several_numbers"


def test_a_timeline_called_hard_but_doable_is_not_refused() -> None:
    assert read("30 days is hard but doable", standing=30).act == "accept"
    assert read("30 days is tough for me", standing=30).act == "reject"


# --- 7. "let's do" with terms proposes -----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["Let's do $450/month", "let's do 90 days", "Let's go with 75 days then"])
def test_lets_do_with_its_own_terms_is_a_proposal_not_a_conflicting_acceptance(text: str) -> None:
    offer = read(text, standing=30)
    assert offer.act == "propose" and offer.doubt is None and offer.days is not None


@pytest.mark.parametrize(
    ("text", "act", "doubt"),
    [
        ("Let's do it", "accept", None),
        ("ok let's do that", "accept", None),
        ("I agree, 90 days", "propose", "conflicting_accept"),
        ("works for me, 90 days", "propose", "conflicting_accept"),
        ("90 days, deal.", "propose", "conflicting_accept"),
    ],
)
def test_explicit_acceptances_still_accept_or_conflict(text: str, act: str, doubt: str | None) -> None:
    offer = read(text, standing=45)
    assert (offer.act, offer.doubt) == (act, doubt)


# --- 8. garbled timelines propose terms to confirm -----------------------------------------------------------


@pytest.mark.parametrize("text", ["I need 10^9 days", "1e3 days", "ok, 10**9 days works", "maybe 10⁹ weeks?"])
def test_a_garbled_timeline_is_a_proposal_in_doubt(text: str) -> None:
    offer = read(text, standing=30)
    assert (offer.days, offer.act, offer.doubt) == (None, "propose", "unreadable_number")


@pytest.mark.parametrize("text", ["my reference is 10^9", "I can't do 10^9 days"])
def test_a_garbled_number_that_proposes_no_timeline_is_no_proposal(text: str) -> None:
    offer = read(text)
    assert offer.act != "propose" and offer.doubt == "unreadable_number"


# --- the creditor's drafts -----------------------------------------------------------------------------------


def test_a_drafted_reply_that_revises_its_number_states_the_new_one() -> None:
    assert states_offer("We could do 30 days, actually make that 45 days.", 45)
    assert not states_offer("We could do 30 days, or 45 days.", 45)
