"""A second round of the ways debtors state terms (issue 14): verdicts on the client's own terms that accept nothing,
numbers that are no competing timelines, dates without a preposition, paychecks, common typos, and refusals.

Every sentence here was written for these tests; each phenomenon has cases that must be read and cases that guard
against reading too much. Dates are resolved against an explicit reference date, never the wall clock."""

from __future__ import annotations

import datetime as dt

import pytest

from eq_negotiator.negotiation.offers import Offer, parse_offer

WEDNESDAY = dt.date(2025, 3, 12)  # a Wednesday, mid-month
BALANCE = 4_850.0


def read(text: str, standing: int | None = 45) -> Offer:
    return parse_offer(text, standing_offer_days=standing, balance=BALANCE, reference_date=WEDNESDAY)


# --- 1. a verdict on the client's own terms proposes them; it accepts nothing --------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("60 days is fair given my situation", 60),
        ("30 days? no, 40. 40 days is doable", 40),  # the client's own revision, then a verdict on it
        ("two months works for me", 60),
        ("I could live with 100 days", 100),
        ("70 days, that's fair", 70),
    ],
)
def test_a_verdict_on_the_clients_own_timeline_proposes_it(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, "propose", None)


def test_a_verdict_on_an_own_rate_proposes_the_rate() -> None:
    offer = read("$300 a month works for us")
    assert (offer.act, offer.basis, offer.amount, offer.doubt) == ("propose", "instalments", 300.0, None)


def test_a_verdict_on_an_own_date_proposes_the_date() -> None:
    offer = read("Next Tuesday works for me to send the payment")
    assert (offer.days, offer.act, offer.pay_date) == (6, "propose", "2025-03-18")
    assert offer.doubt == "unclear_amount"  # a date without the amount, not an acceptance in conflict


def test_a_grudging_ok_before_a_full_payment_of_its_own_proposes_it() -> None:
    for text in ("ok fine. I will pay off the whole thing. satisfied?", "alright, I will clear the entire balance"):
        offer = read(text)
        assert (offer.days, offer.act, offer.basis, offer.doubt) == (None, "propose", "in_full", "unclear_date"), text


@pytest.mark.parametrize(
    ("text", "days", "act", "doubt"),
    [
        ("45 days is fair", 45, "accept", None),  # the verdict is said of exactly the standing offer
        ("That works for me.", 45, "accept", None),  # said of nothing: the table
        ("Sounds good, I'll send $200 today as the first payment", 45, "accept", None),  # a first payment is no plan
        ("Deal — 45 days then.", 45, "accept", None),
        ("Deal — 90 days then.", 90, "propose", "conflicting_accept"),  # an opening "Deal" agrees explicitly
        ("Deal - 120 days.", 120, "propose", "conflicting_accept"),  # a spaced dash is no minus sign
        ("I agree, 75 days is fair", 75, "propose", "conflicting_accept"),  # "I agree" is no verdict
        ("that works for me, 90 days", 90, "propose", "conflicting_accept"),  # said of the table, then other days
    ],
)
def test_explicit_acceptances_and_verdicts_on_the_table_still_accept_or_conflict(
    text: str, days: int, act: str, doubt: str | None
) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, act, doubt)


def test_a_refused_or_past_full_payment_is_no_proposal_in_full() -> None:
    assert read("I can't pay it all").act == "reject"
    assert read("I already paid the whole thing").basis is None
