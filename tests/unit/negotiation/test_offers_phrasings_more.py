"""A second round of the ways debtors state terms (issue 14): verdicts on the client's own terms that accept nothing,
numbers that are no competing timelines, dates without a preposition, paychecks, common typos, and refusals.

Every sentence here was written for these tests; each phenomenon has cases that must be read and cases that guard
against reading too much. Dates are resolved against an explicit reference date, never the wall clock."""

from __future__ import annotations

import datetime as dt

import pytest

from eq_negotiator.negotiation.dates import find_dates
from eq_negotiator.negotiation.offers import Offer, parse_offer, states_offer

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


# --- 2. numbers that are no competing timelines --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I'm a dad of two and I can do 5 months", 150),  # a family's size
        ("Quick one: would 8 weeks work?", 56),  # "one" is a pronoun
        ("that one would help a lot: 3 months?", 90),
        ("my daughter is 4, so 6 months please", 180),  # an age
        ("paying you is my number one, 10 weeks", 70),  # a rank
    ],
)
def test_counts_ages_and_ranks_in_prose_are_no_second_timeline(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, "propose", None)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Thanks for the 30 days they gave me, but I need 90", 90),  # the other side named after the number
        ("Forget the 21 days you want, 60 days is what I can do", 60),
        ("About the offer of 30 days: I really need 75 days", 75),  # an offer already made
        ("I proposed 6 weeks last time. Could we change it to 8 weeks?", 56),  # the speaker revises
        ("I offered 50 days earlier, now I need 70 days", 70),  # the speaker's own earlier offer
        ("Let's say 2 months... no wait, 3 months", 90),
        ("5 weeks, no, 6 weeks", 42),
        ("60 days. wait, 75 days", 75),
    ],
)
def test_their_numbers_and_the_speakers_revised_ones_are_no_second_timeline(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, "propose", None)


def test_the_offer_the_speaker_makes_is_their_own() -> None:
    assert states_offer("We haven't reached an agreement today. The offer of 90 days for the balance stands.", 90)
    assert parse_offer("I'd like to make an offer of 60 days").days == 60


@pytest.mark.parametrize(
    "text",
    [
        "I can do 30 days, maybe 60 days",  # no revision marker: two offers
        "I need no more than 60 days, or 90 days",  # "no more" is no correction
        "I can wait 30 days, or pay in 60 days",  # "wait" as a verb is no correction
    ],
)
def test_two_own_timelines_without_a_correction_stay_in_doubt(text: str) -> None:
    assert read(text).doubt == "several_numbers"


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("After we talked on Tuesday, I can pay the whole balance on the 20th", 8, "2025-03-20"),
        ("As discussed on Monday, I'll pay $4,850 by Friday", 2, "2025-03-14"),
        ("I will pay it all, on Friday", 2, "2025-03-14"),  # a date in a clause of its own still dates the payment
    ],
)
def test_a_date_in_a_clause_that_only_tells_the_story_is_no_term(text: str, days: int, pay_date: str) -> None:
    offer = read(text)
    assert (offer.days, offer.basis, offer.pay_date, offer.doubt) == (days, "in_full", pay_date, None)


@pytest.mark.parametrize(
    ("text", "lump", "days"),
    [
        ("I'll send $800 within 10 days and the rest within 90 days", 800.0, 90),
        ("A first payment of $1,000 in two weeks, then the remainder in 4 months", 1000.0, 120),
        ("I can make an initial payment of $600 in 5 days, the remaining balance within 2 months", 600.0, 60),
    ],
)
def test_a_first_payments_own_deadline_is_no_competing_timeline(text: str, lump: float, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.basis, offer.amount, offer.doubt) == (days, "lump_sum", lump, None)


def test_a_timeline_before_the_rest_without_its_own_timeline_is_the_plan() -> None:
    offer = read("I need 90 days, then I can pay the remaining balance")
    assert (offer.days, offer.doubt) == (90, None)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I can have it all paid within 60 days of today", 60),  # today anchors the timeline
        ("I'll pay the balance in full 3 weeks from now", 21),
        ("two weeks from Friday I can pay everything", 16),  # Friday is 2 days on, then two weeks
    ],
)
def test_a_date_a_timeline_is_counted_from_is_no_second_term(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.doubt) == (days, "propose", None)


@pytest.mark.parametrize(
    ("text", "debtor", "creditor"),
    [
        ("a month or two", 30, 60),  # the unit of the first number, never two days
        ("six months, maybe seven", 180, 210),
        ("a year, perhaps two", 365, 730),
        ("a week or 2", 7, 14),
    ],
)
def test_an_elided_unit_is_the_first_numbers_and_makes_alternatives(text: str, debtor: int, creditor: int) -> None:
    assert (read(text).days, read(text).doubt) == (debtor, None)
    assert parse_offer(text, speaker="creditor").days == creditor


def test_a_number_after_an_alternative_word_that_is_paid_now_keeps_its_unit_out() -> None:
    assert read("6 months or 500 now").days == 180


# --- 3. dates without a preposition, fragments and the sentence next door ------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("Entire balance by 5/20", 69, "2025-05-20"),  # a full-payment cue without "the"
        ("Could 4/18 work for paying everything off?", 37, "2025-04-18"),  # a numeric date with no preposition
        ("I'm clearing it all 7/1.", 111, "2025-07-01"),
        ("My tax refund comes in on April 2nd; I'll pay the full balance that day.", 21, "2025-04-02"),
        ("saturday. all of it.", 3, "2025-03-15"),  # two fragments
        ("end of the month, whole amount.", 19, "2025-03-31"),
        ("Full payment on the 20th, that's payday for me", 8, "2025-03-20"),
        ("My brother is lending me the cash. Whole balance, Friday.", 2, "2025-03-14"),
    ],
)
def test_a_full_payment_cue_and_a_date_in_telegraphic_style_are_a_full_payment_on_that_date(
    text: str, days: int, pay_date: str
) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.pay_date, offer.doubt) == (
        days,
        "propose",
        "in_full",
        BALANCE,
        pay_date,
        None,
    )


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [("12/1", "2025-12-01"), ("4/15", "2025-04-15"), ("would 8/22 work", "2025-08-22"), ("3/1", "2026-03-01")],
)
def test_a_numeric_date_without_a_preposition_is_read_month_first(phrase: str, expected: str) -> None:
    (mention,) = find_dates(phrase, WEDNESDAY)
    assert mention.date.isoformat() == expected


@pytest.mark.parametrize("phrase", ["3/4", "1/2 now", "2/3 of it", "24/7", "50/50", "15/2", "$1/2", "1.5/2"])
def test_fractions_ratios_and_day_first_readings_without_a_preposition_are_no_dates(phrase: str) -> None:
    assert not [m for m in find_dates(phrase, WEDNESDAY) if "/" in phrase[m.start : m.end]]


def test_a_verdict_on_a_date_offers_to_pay_then_unless_it_is_a_call() -> None:
    offer = read("Friday works for me")
    assert (offer.days, offer.act, offer.pay_date, offer.doubt) == (2, "propose", "2025-03-14", "unclear_amount")
    call = read("Friday works for me for a call")
    assert (call.days, call.act) == (None, "other")  # agrees to a call, not to the standing offer


@pytest.mark.parametrize(
    "text",
    [
        "Can we talk tomorrow? I want to pay it all.",  # a call, not the payment's date
        "I got your letter on Monday. I will pay it all.",
        "i work 24/7 so I can pay it all",
    ],
)
def test_a_date_beside_a_full_payment_that_is_about_something_else_dates_nothing(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.basis, offer.doubt) == (None, "in_full", "unclear_date")


def test_a_fragment_date_beside_a_sentence_that_pays_nothing_is_no_term() -> None:
    offer = read("Friday. The whole thing is a mess.")
    assert (offer.days, offer.basis) == (None, None)


def test_a_refused_full_payment_beside_a_part_payment_is_no_full_payment() -> None:
    offer = read("I can't pay it all, but I can pay $200 on Friday")
    assert offer.basis != "in_full" and offer.days is None and offer.act != "accept"


# --- 4. paychecks still to come, and a timeline for the whole balance ----------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("Three more paychecks and I can pay everything", 42, "2025-04-23"),  # the next three, 14 days each
        ("After two additional paydays I'll settle it all", 28, "2025-04-09"),
        ("I can pay it off in two paychecks", 28, "2025-04-09"),
        ("I can pay it all in 3 months", 90, "2025-06-10"),  # a plain timeline for the whole balance
    ],
)
def test_a_timeline_for_the_whole_balance_is_a_full_payment_due_that_day(text: str, days: int, pay_date: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount, offer.pay_date, offer.doubt) == (
        days,
        "propose",
        "in_full",
        BALANCE,
        pay_date,
        None,
    )


def test_paychecks_still_to_come_say_how_they_were_counted() -> None:
    note = read("Three more paychecks and I can pay everything").note or ""
    assert "three more paychecks at 14 days a paycheck" in note.lower() and "2025-04-23" in note


@pytest.mark.parametrize(
    "text",
    [
        "I need 3 months",  # no full payment named
        "I can't pay it all in 30 days, I need 60 days",  # the full payment is refused
        "90 days is fair given everything",  # "everything" here pays nothing
        "I lost everything, I need 90 days",
    ],
)
def test_a_timeline_without_a_full_payment_stated_has_no_basis(text: str) -> None:
    assert read(text).basis is None


def test_without_a_reference_date_a_timeline_for_the_whole_balance_has_no_due_date() -> None:
    offer = parse_offer("I can pay it all in 3 months", balance=BALANCE)
    assert (offer.days, offer.basis, offer.pay_date) == (90, None, None)


# --- 5. a few common misspellings in dates and payment cues --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days", "pay_date"),
    [
        ("I'll pay teh whole balence on thrusday", 1, "2025-03-13"),
        ("Full ammount tommorow", 1, "2025-03-13"),
        ("i can clear the ballance by firday", 2, "2025-03-14"),
    ],
)
def test_misspelt_full_payment_cues_and_dates_are_a_full_payment_on_that_date(
    text: str, days: int, pay_date: str
) -> None:
    offer = read(text)
    assert (offer.days, offer.basis, offer.pay_date, offer.doubt) == (days, "in_full", pay_date, None)


def test_a_misspelt_rest_is_the_rest() -> None:
    offer = read("$500 now and teh rest in 2 months")
    assert (offer.days, offer.basis, offer.amount, offer.doubt) == (60, "lump_sum", 500.0, None)


def test_a_misspelt_balance_describes_the_debt_not_an_offer() -> None:
    offer = read("my ballance is 4850 dollars")
    assert (offer.days, offer.act, offer.amount) == (None, "other", None)


@pytest.mark.parametrize(("phrase", "expected"), [("wensday", "2025-03-12"), ("next thrusday", "2025-03-20")])
def test_misspelt_weekdays_resolve(phrase: str, expected: str) -> None:
    (mention,) = find_dates(phrase, WEDNESDAY)
    assert mention.date.isoformat() == expected


# --- 6. refusals, complaints and history ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "My client respectfully declines the proposed terms.",
        "We are declining the settlement offer",
        "I have to turn down your offer",
        "We must turn it down",
        "your offer is ridiculous",  # scorn aimed at the terms
        "what an absurd proposal",
        "wow, that is absolutely ridiculous!",  # scorn said alone answers the offer
    ],
)
def test_declining_and_scorning_the_terms_rejects_them(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act) == (None, "reject")


@pytest.mark.parametrize(
    "text",
    [
        "This is ridiculous, you people keep calling my sister at 7am.",  # a complaint about the calls
        "It is outrageous that you call me at work",
        "the interest is ridiculous",
        "my card was declined",  # the bank's refusal, not the client's
    ],
)
def test_a_complaint_is_no_refusal_of_the_terms(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act) == (None, "other")


@pytest.mark.parametrize(
    "text",
    [
        "I've been sending $100 a month for a year and the balance hasn't changed.",
        "I have been paying 75 a week on this since 2023 and the debt keeps growing",
    ],
)
def test_a_rate_told_in_the_present_perfect_is_history_and_no_full_payment(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.doubt) == (None, "other", None, None)


# --- a bare number before a pronoun's contraction is the client's own term --------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("yeah ok, if you can do 120 I'm in", 120),  # read as "120 <noun>", the "ok" accepted the 45 on the table
        ("ok 90 we're good?", 90),
        ("sure, 75 let's do it", 75),
    ],
)
def test_a_number_before_a_contraction_is_an_own_term_not_an_acceptance(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act) == (days, "propose")


def test_a_count_of_things_is_still_no_timeline() -> None:
    assert read("ok, 3 kids here so money is tight").days != 3


# --- an opening "ok" followed by a remark acknowledges; followed by a step of the deal it accepts ---------------


@pytest.mark.parametrize(
    "text",
    [
        "ok, see you Friday",
        "ok, I understand",
        "okay, I hear you",
        "ok, thanks for explaining",
        "ok, talk tomorrow",
        "sure, call me tomorrow",
        "yes, this is John",
        "okay, got it",
        "ok, noted",
        "alright, I'll keep that in mind",
        "yeah, whatever",
    ],
)
def test_an_opening_ok_before_an_unrelated_remark_accepts_nothing(text: str) -> None:
    offer = read(text)
    assert offer.act != "accept"
    assert offer.days is None


@pytest.mark.parametrize(
    "text",
    [
        "ok.",
        "ok, thanks",
        "yes please",
        "ok, send me the paperwork",
        "ok, I'll sign",
        "yes, I'll pay then",
        "ok, put me down for that",
        "sure, set it up",
        "ok, sounds good",
        "Deal, see you Friday",
    ],
)
def test_an_opening_ok_alone_or_before_a_step_of_the_deal_accepts_the_standing_offer(text: str) -> None:
    offer = read(text)
    assert (offer.days, offer.act) == (45, "accept")


# --- a payday dates the full payment that points back at it ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("I get paid Friday, I'll pay it all then", 2),  # Wednesday 12 March → Friday 14 March
        ("I get paid on the 15th and I'll pay the whole thing then", 3),
    ],
)
def test_a_payday_followed_by_a_full_payment_then_dates_it(text: str, days: int) -> None:
    offer = read(text)
    assert (offer.days, offer.act, offer.basis, offer.amount) == (days, "propose", "in_full", BALANCE)


@pytest.mark.parametrize(
    "text",
    [
        "I get paid Friday",  # the situation, no offer
        "I get paid Friday, then I'll call you",  # "then" points at a call, no payment
        "I get paid Friday but I can't pay it all then",  # the full payment is refused
    ],
)
def test_a_payday_alone_dates_nothing(text: str) -> None:
    offer = read(text)
    assert offer.days is None
