"""Property tests of the offer parser (hypothesis): numbers, units, ranges, dates, exponents and negation."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from eq_negotiator.negotiation.offers import MAX_DAYS, parse_offer

UNITS = {"days": 1, "weeks": 7, "months": 30}
units = st.sampled_from(sorted(UNITS))
counts = st.integers(min_value=1, max_value=400)
references = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31))
PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(counts, counts, units, st.sampled_from(["I can do {a} to {b} {u}", "between {a} and {b} {u}", "{a}-{b} {u}"]))
def test_parsed_days_are_within_the_stated_range(a: int, b: int, unit: str, form: str) -> None:
    offer = parse_offer(form.format(a=a, b=b, u=unit), balance=1000.0, reference_date=dt.date(2025, 3, 12))
    low, high = sorted((a * UNITS[unit], b * UNITS[unit]))
    if offer.doubt == "implausible":
        assert high > MAX_DAYS
    else:
        assert offer.days is not None and low <= offer.days <= min(high, MAX_DAYS)


@PROPERTY
@given(counts, units)
def test_a_single_timeline_is_read_exactly(n: int, unit: str) -> None:
    offer = parse_offer(f"I need {n} {unit}", balance=1000.0, reference_date=dt.date(2025, 3, 12))
    expected = n * UNITS[unit]
    if expected > MAX_DAYS:
        assert offer.doubt == "implausible"
    else:
        assert (offer.days, offer.act, offer.doubt) == (expected, "propose", None)


@PROPERTY
@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=99),
    units,
    st.sampled_from(["{m}^{e}", "{m} ^ {e}", "{m}**{e}", "{m}e{e}", "{m}E{e}", "{m}e-{e}", "{m}.5e{e}"]),
    st.booleans(),
)
def test_no_digit_is_ever_taken_out_of_an_exponent(m: int, e: int, unit: str, form: str, terms: bool) -> None:
    number = form.format(m=m, e=e)
    extra = {"balance": 1000.0, "reference_date": dt.date(2025, 3, 12)} if terms else {}
    offer = parse_offer(f"I'll pay in {number} {unit}", **extra)  # type: ignore[arg-type]
    assert offer.days is None
    assert offer.doubt == "unreadable_number"
    assert offer.act != "accept"


@PROPERTY
@given(counts, units, st.sampled_from(["I can't do {n} {u}", "not {n} {u}", "{n} {u} is too long", "no way {n} {u}"]))
def test_a_refused_timeline_is_never_the_offer(n: int, unit: str, form: str) -> None:
    offer = parse_offer(form.format(n=n, u=unit), balance=1000.0, reference_date=dt.date(2025, 3, 12))
    assert offer.days is None
    assert offer.act in ("reject", "other")


@PROPERTY
@given(counts, counts, units)
def test_after_a_refusal_the_counter_is_the_offer(refused: int, counter: int, unit: str) -> None:
    offer = parse_offer(f"I can't do {refused} {unit}, maybe {counter} {unit}?")
    expected = counter * UNITS[unit]
    assert offer.days == min(expected, MAX_DAYS)


@PROPERTY
@given(references, st.integers(min_value=1, max_value=31))
def test_an_ordinal_date_is_the_next_such_day_within_a_month(reference: dt.date, day: int) -> None:
    offer = parse_offer(f"I can pay it all on the {day}{'th'}", balance=1000.0, reference_date=reference)
    assert offer.pay_date is not None and offer.days is not None
    due = dt.date.fromisoformat(offer.pay_date)
    assert reference <= due <= reference + dt.timedelta(days=31)
    assert offer.days == max((due - reference).days, 1)
    assert offer.basis == "in_full"


@PROPERTY
@given(references, st.sampled_from(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]))
def test_a_weekday_is_within_the_coming_week_and_next_one_a_week_later(reference: dt.date, weekday: str) -> None:
    this = parse_offer(f"I'll pay it all this {weekday}", balance=1000.0, reference_date=reference)
    nxt = parse_offer(f"I'll pay it all next {weekday}", balance=1000.0, reference_date=reference)
    assert this.pay_date is not None and nxt.pay_date is not None
    this_day, next_day = dt.date.fromisoformat(this.pay_date), dt.date.fromisoformat(nxt.pay_date)
    assert this_day.strftime("%A").lower() == weekday == next_day.strftime("%A").lower()
    assert 0 <= (this_day - reference).days <= 6
    assert 1 <= (next_day - reference).days <= 13 and next_day > reference


@PROPERTY
@given(
    st.integers(min_value=1, max_value=5000), st.sampled_from([("a month", 30), ("a week", 7), ("every two weeks", 14)])
)
def test_an_instalment_rate_clears_the_balance_and_no_sooner(amount: int, rate: tuple[str, int]) -> None:
    words, period = rate
    balance = 4850.0
    offer = parse_offer(f"I can pay ${amount} {words}", balance=balance, reference_date=dt.date(2025, 3, 12))
    assert offer.basis == "instalments" and offer.instalments is not None
    assert offer.instalments * amount >= balance > (offer.instalments - 1) * amount
    assert offer.days == min(offer.instalments * period, MAX_DAYS)
    assert (offer.doubt == "implausible") == (offer.instalments * period > MAX_DAYS)


@PROPERTY
@given(
    st.integers(min_value=1, max_value=4000),
    st.integers(min_value=50, max_value=2000),
    st.sampled_from(
        [
            "{lump} now and {rate} a month",
            "${lump} down today, then ${rate} a month",
            "{lump} upfront and {rate} a month",
        ]
    ),
)
def test_a_lump_sum_then_a_rate_clears_what_is_left(lump: int, rate: int, form: str) -> None:
    balance = 4850.0
    offer = parse_offer(form.format(lump=lump, rate=rate), balance=balance, reference_date=dt.date(2025, 3, 12))
    payments = math.ceil((balance - lump) / rate)
    assert (offer.basis, offer.amount, offer.instalments) == ("lump_sum", float(lump), payments)
    assert offer.days == min(payments * 30, MAX_DAYS)


@PROPERTY
@given(st.integers(min_value=1, max_value=99), st.integers(min_value=0, max_value=9))
def test_shorthand_thousands_are_the_amount_and_never_days(whole: int, tenth: int) -> None:
    offer = parse_offer(f"I can pay {whole}.{tenth}k a month")
    assert offer.amount == (whole + tenth / 10) * 1000
    assert offer.days is None


@PROPERTY
@given(references, st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_numeric_month_day_date_is_the_next_such_day(reference: dt.date, target: dt.date) -> None:
    if (target.month, target.day) == (2, 29):
        return  # a day most years lack
    offer = parse_offer(f"I can pay it all by {target.month}/{target.day}", balance=1000.0, reference_date=reference)
    assert offer.pay_date is not None
    due = dt.date.fromisoformat(offer.pay_date)
    assert (due.month, due.day) == (target.month, target.day)
    assert reference <= due < reference + dt.timedelta(days=366)
    assert offer.basis == "in_full" and offer.days == max((due - reference).days, 1)
