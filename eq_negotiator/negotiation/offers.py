"""Offers: what a negotiation message puts on the table, parsed deterministically.

The negotiated term is the repayment timeline in days (the creditor wants fewer, the debtor more); a settlement
amount and a number of instalments ride along when a message names them. :func:`parse_offer` reads one message
into an :class:`Offer` with hand-written, documented rules and no model, so the numbers the agent acts on never
come from an LLM. :class:`LLMOfferExtractor` offers the same interface over a chat model for hard cases; nothing
uses it by default.

Parsing rules, in the order they apply:

1. **Not timelines.** Money (``$200``, ``50 bucks``, ``£100 a week``, shorthand thousands ``1.2k``, ``$2.5k``,
   ``2 grand``), percentages, dates (``the 15th``, ``10/15``, ``March 3rd``), clock times (``at 5``, ``6pm``, ``5:30``),
   phone, account and reference numbers are never days. A bare number paid first (``1,000 down``, ``300 upfront``) is
   money; one paid now (``250 now``, ``300 today``) is money in a message about paying (a payment verb, the rest of the
   balance, or another amount: ``i could do 250 now and 150 a month after that``), and otherwise what it always was
   (``maybe 40 now?`` is 40 days). A timeline is a number with a unit (``day``, ``week`` = 7, ``fortnight`` = 14,
   ``month`` = 30, ``quarter`` = 90, ``year`` = 365; digits or words: ``forty-five days``,
   ``a hundred and twenty days``, ``a month and a half`` = 45, ``two months and ten days`` = 70, ``a full quarter`` =
   90, ``two whole weeks`` = 14; ``a quarter of the balance`` is a share, not 90 days), or a bare number (``maybe 40?``)
   that is not followed by some other noun (``2 kids``, ``3 payments``, ``250 people``) and is no count in prose: the
   word ``one`` alone (``quick one``, ``that one``), a rank (``number one``), a family's size or an age
   (``a mom of three``, ``my son is 5``). A number right after a timeline with only ``or``, ``maybe``, ``perhaps`` and
   commas between takes its unit: ``a month or two`` is 30 or 60 days, ``a year, maybe two`` one year or two
   (alternatives, rule 4), never two days.
2. **Not offers.** Rates (``every two weeks``, ``$500 a month``), history (``3 months ago``,
   ``I've been out of work for six weeks``, ``I was told I had 30 days``, ``I paid $600 a month``,
   ``I've been paying $50 a week on this for 2 years and the balance barely moves``: no rate offered and no full
   payment) and account status (``90 days past due``) are skipped. A supposition is no history:
   ``What if I paid you $600 a month?``, ``if I had 90 days``.
3. **Whose number.** A number the message attributes to the other side (``you said 30 days``, ``your 30 days``,
   ``instead of 30``, ``thanks for the offer of 30 days``, an offer the speaker received, where
   ``the offer of 90 days stands`` is their own; or after the number: ``the 45 days you offered``,
   ``the 30 days they gave me``) is *theirs*; a number refused (``I can't do 30``, ``30 days is too short``, ``not 30``)
   is *negated*, and so is one called hard to meet (``30 is really tight for me``, ``30 days is hard``, ``not enough``),
   unless a ``but`` takes it back (``tight but doable``). A negation across a comparative is not a refusal:
   ``I can't pay in less than 90 days`` proposes 90, ``we can't go beyond 45 days`` proposes 45. The others are the
   speaker's *own* numbers.
4. **Which own number.** Later numbers revise earlier ones, so the last own number wins (``I can't do 30, maybe 40?`` →
   40; ``145 days is too long; I can do 60`` → 60). A number taken back by a revision marker (``actually``,
   ``make that``, ``on second thought``, ``scratch that``, ``I mean``, ``or rather``, ``change that to``, ``no wait``, a
   bare ``no,`` or ``wait,``; not ``no more than``) is no second offer, and neither is the speaker's own earlier offer
   told as such (``I offered 2 months yesterday``) before a later own number:
   ``I can do 60 days. Actually, make that 90`` is 90 with no doubt, and ``$200 a month, actually make that $250`` (or a
   bare ``250``) keeps the rate. Numbers joined as a range or alternatives (``60 to 90 days``, ``60-90 days``,
   ``between 45 and 60 days``, ``45 or 60 days``, ``from 120 to 90 days``, ``a year, maybe two``) mean the speaker can
   live with any of them, so the offer is the bound the listener would pick: the *lower* bound from the debtor (the
   creditor wants fewer days), the *upper* bound from the creditor (the debtor wants more).
5. **The act.** An own timeline is a ``propose``, or an ``accept`` when an acceptance cue (``deal``, ``I agree``,
   ``works for me``, ``let's do it``, a leading ``ok``) stands outside a question and no ``but`` counter follows it,
   provided the number matches the standing offer (or none is known): accepting a number that is not on the table is a
   counter-proposal. ``let's do 90 days`` and ``let's go with $450/month`` name their own terms, so ``let's do`` is no
   acceptance cue before a number. Naming exactly the standing offer is an acceptance, cue or not, except in a question:
   ``Thirty days!?`` echoes their number, and a question never concludes an agreement. A question proposing terms
   (``can we do 60?``, ``What if I paid you $600 a month?``) is a ``propose``. A cue that judges the client's own new
   terms (``90 days is fair``, ``25 days is doable``, ``Friday works for me``, ``$300 a month works for us``,
   ``I can live with 100 days``) proposes them and accepts nothing; said of nothing (``works for me, 90 days``) it still
   agrees to what is on the table. Without an own timeline, an acceptance cue accepts the quoted number or the standing
   offer, unless the message states a full payment of its own (``fine. I'll pay the whole thing``: a proposal in full,
   rule 6, never an acceptance); a refusal (``no way``, ``I'll never pay``, a negated number,
   ``My client respectfully declines the proposed terms``, ``I have to turn down your offer``, scorn aimed at the terms,
   ``your offer is ridiculous``, or said alone, ``That's ridiculous!``) is a ``reject`` with ``days=None``, and a
   complaint about something else (``This is ridiculous, you people keep calling my mother``) is none; a money amount or
   instalment count alone is a ``propose`` with ``days=None``; anything else is ``other``. Without a reference date,
   relative dates (``today``, ``next Friday``, ``the 15th``) carry no timeline, so ``I can pay on the 15th`` is
   ``other``.
6. **Terms as people say them** (when the caller passes the balance and a reference date, as the graph does; see
   :class:`Terms`). A payment date in a sentence about paying (a payment, full-payment or rest cue, or an amount of at
   least the balance: ``I can do 5k by the end of the month``) is a timeline: the days from the reference date to it
   (``eq_negotiator.negotiation.dates`` resolves ``today``, ``tomorrow``, ``this Friday``, ``next Friday``,
   ``the 15th``, ``the 5th of next month``, ``by 2/27``, ``8/22`` with no preposition, ``June 5th``,
   ``end of the month``, ``before the month is over``...); a date with a verdict said of it (``Friday works for me``) is
   a payment date too, unless the sentence is about a call or a meeting; paying today is one day, the shortest term. A
   few common misspellings of the cue words count as the words (``teh``, ``balnce``, ``ballance``, ``ammount``; in dates
   ``tommorow``, ``wensday``, ``thrusday``): a small fixed list, never a fuzzy match, and never of a number. With a
   full-payment cue (``it all``, ``in full``, ``the entire outstanding amount``, ``the full thing``,
   ``pay it off in one go``, ``in a single lump-sum payment``, ``have it paid off``, ``clear it completely``, and
   telegraphic ``full amount``, ``whole balance``, ``full payment``, an amount of at least the balance; not one refused:
   ``I can't pay it all``) the offer's ``basis`` is ``in_full`` and its ``amount`` the balance;
   ``$50 toward the balance`` is a part payment, not a full one. A date with a part payment (``$50 on Friday``) sets no
   timeline; a lump sum with the rest later (``$500 now and the rest in 3 months``,
   ``put 1k down today and pay off the remainder within 60 days``,
   ``$300 on Friday and the balance by the end of the month``) is ``lump_sum`` with the lump as its ``amount``: the rest
   (``the rest``, ``the remainder``, ``what's left``, ``the balance`` after a first payment) sets the timeline, and a
   date before it in the sentence is the first payment's, no competing timeline, as is the first payment's own timeline
   when the rest has one (``an initial payment of $1,500 within 7 days, with the remaining balance within 120 days`` is
   120 days). A date a timeline is counted from is part of it: ``within 45 days of today's date`` is 45 days,
   ``two weeks from Friday`` two weeks after Friday. A date in a clause that names no payment, beside a clause that pays
   on a date of its own, only tells the story: ``Following our call on Monday, I will pay it all on the 25th`` is the
   25th. A date in a sentence of its own dates the full payment in the sentence next to it when that one has no timeline
   and pays (``I'll pay it all``) or is a fragment (``the whole thing.``), and the date's sentence is a fragment too
   (``thursday. the whole thing.``) or the payment points back at it
   (``My payout arrives January 8th; I'll pay the full balance that day.``); a date told with a call, a letter or a
   meeting dates nothing. A payday is the client's situation (``I get paid Friday`` offers nothing) unless a full
   payment after it points back at it (``I get paid Friday, I'll pay it all then``). A timeline in a sentence
   stating a full payment (a payment and a full-payment cue: ``I can pay it all in 3 months``; not ``90 days is fair
   given everything``) is ``in_full`` as well, due that many days after the reference date. A date without the
   amount (``I can pay on the 15th``) is read but in doubt.
   ``in two paychecks`` counts 14 days a paycheck (``dates.PAYCHECK_DAYS``), and ``after four more paychecks`` the next
   four (56 days); ``two more weeks`` is relative to the standing offer and no timeline. An instalment rate with no
   timeline (``200 a month``, ``$50 every other week``, ``monthly payments of $400``, ``$450/month``,
   ``$400 out of each paycheck``) is ``instalments``: the payments needed to clear the balance times the period, e.g.
   4,850 at 200 a month is 25 payments, 750 days. With a lump sum first (``$1,000 down today, then $250 a month``) it is
   ``lump_sum``: ceil((balance − lump) / rate) payments times the period, the lump as the ``amount``.
7. **Doubt.** The parse result's ``doubt`` says why the terms must be confirmed before anyone acts on them
   (:data:`Doubt`): numbers in scientific or garbled notation (``10^9``, ``1e3``, ``10⁹``: masked whole, so no digit is
   ever taken out of them; with a unit, ``I need 10^9 days`` proposes terms to confirm, a ``propose`` with
   ``days=None``, never an acceptance), implausible timelines (zero, negative: ``-5 days``, not the spaced dash of
   ``Deal - 120 days``; a past date, beyond ten years: still capped at :data:`MAX_DAYS`), two different own timelines
   outside one range, an explicit acceptance (``I agree``, ``deal``, an opening ``Deal —``, ``works for me`` said of
   nothing; not a leading ``ok``, nor a verdict on the client's own terms) that names other days than the standing
   offer, a payment date without the amount, a full payment without a date. ``note`` says how the days were worked out,
   or what is in doubt.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

from pydantic import BaseModel, Field, ValidationError

from eq_negotiator.negotiation.dates import PAYCHECK_DAYS, find_dates

if TYPE_CHECKING:  # langchain_core is only needed by the optional LLM extractor
    from langchain_core.language_models import BaseChatModel
    from langchain_core.runnables import Runnable

Act = Literal["propose", "accept", "reject", "other"]
"""What a message does to the terms: puts new ones on the table, accepts, refuses, or none of these."""

Speaker = Literal["creditor", "debtor"]
"""Who wrote the message."""

Basis = Literal["in_full", "date", "instalments", "lump_sum"]
"""How the days were read when the message names no plain timeline (``None`` on the offer: a timeline in days,
weeks, months...): the whole balance paid on or by a date, a payment date whose amount is unclear, the days an
instalment rate needs to clear the balance, or a lump sum first with the rest by a date, over a timeline or at an
instalment rate (the offer's ``amount`` is then the lump sum)."""

Doubt = Literal[
    "unreadable_number", "implausible", "several_numbers", "conflicting_accept", "unclear_amount", "unclear_date"
]
"""Why a message's terms must be confirmed before anyone acts on them: a scientific or garbled number (``10^9``,
``1e3``), a timeline that cannot be meant (zero, negative, past dates, beyond ten years), two different timelines,
an acceptance that names other terms than the standing offer, a payment date without the amount, or a full payment
without the date."""

ACTS: Final[tuple[Act, ...]] = get_args(Act)
SPEAKERS: Final[tuple[Speaker, ...]] = get_args(Speaker)
DOUBTS: Final[tuple[Doubt, ...]] = get_args(Doubt)

MAX_DAYS: Final[int] = 3650
"""Longest timeline an offer may carry (ten years, as in :class:`~eq_negotiator.scenario.Scenario`)."""

MAX_BARE_DAYS: Final[int] = 730
"""Longest timeline a number without a unit is read as; larger bare numbers are years, amounts or ids."""


@dataclass(frozen=True)
class Offer:
    """The terms one message puts on the table.

    Attributes:
        days: Repayment timeline in days, or ``None`` when the message names none (always ``None`` for a reject).
        act: What the message does: ``propose``, ``accept``, ``reject`` or ``other``.
        amount: Money the speaker offers (a payment, instalment or settlement), if named.
        instalments: Number of instalments the speaker offers, if named.
        span: The words the timeline was read from, if any.
        basis: How the days were read when not from a plain timeline (see :data:`Basis`), else ``None``.
        pay_date: The day the payment (or the last of it) is due, ISO format, when the message names a date.
        doubt: Why the terms must be confirmed before they are acted on (see :data:`Doubt`); ``None`` when the
            message is unambiguous. An offer in doubt must never conclude an agreement.
        note: How the days were worked out, or why they are in doubt, as a person would say it.
    """

    days: int | None
    act: Act
    amount: float | None = None
    instalments: int | None = None
    span: str | None = None
    basis: Basis | None = None
    pay_date: str | None = None
    doubt: Doubt | None = None
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the offer as JSON-native data."""
        return {
            "days": self.days,
            "act": self.act,
            "amount": self.amount,
            "instalments": self.instalments,
            "span": self.span,
            "basis": self.basis,
            "pay_date": self.pay_date,
            "doubt": self.doubt,
            "note": self.note,
        }


@dataclass(frozen=True)
class Terms:
    """What the parser needs to know about the debt to read terms stated as dates, rates or "in full".

    Attributes:
        balance: The outstanding balance; rates and "the rest" are worked out against it. ``None``: unknown, so
            rates carry no days and no amount is recognised as the full balance.
        reference_date: The day dates are counted from. ``None``: dates carry no timeline (the parser never reads
            the wall clock; callers pass the scenario's :meth:`~eq_negotiator.scenario.Scenario.reference_day`).
    """

    balance: float | None = None
    reference_date: dt.date | None = None


class OfferParser(ABC):
    """Reads the offer in one negotiation message.

    :meth:`parse` checks the input contract and answers empty messages itself; implementations supply
    :meth:`_parse` for non-blank text.
    """

    def parse(
        self,
        text: str,
        *,
        speaker: Speaker = "debtor",
        standing_offer_days: int | None = None,
        balance: float | None = None,
        reference_date: dt.date | None = None,
    ) -> Offer:
        """Parse one message.

        Args:
            text: The message.
            speaker: Who wrote it; decides which bound of a range is the offer (see the module docstring).
            standing_offer_days: The other side's offer currently on the table, if any. An acceptance without a
                number accepts it, and naming exactly it is an acceptance.
            balance: The outstanding balance, to read instalment rates and full payments (rule 6).
            reference_date: The day dates are counted from (rule 6); without it dates carry no timeline.

        Returns:
            The offer; ``Offer(None, "other")`` for an empty or blank message, and with an ``implausible`` doubt
            for one that names 0 days.

        Raises:
            TypeError: ``text`` is not a string, or ``standing_offer_days`` is not an int or ``None``.
            ValueError: ``speaker`` is unknown, or ``standing_offer_days`` is negative.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, not {type(text).__name__}")
        if speaker not in SPEAKERS:
            raise ValueError(f"speaker must be one of {SPEAKERS}, not {speaker!r}")
        # bool is an int subclass, but True days is a bug, not an offer.
        if standing_offer_days is not None and (
            isinstance(standing_offer_days, bool) or not isinstance(standing_offer_days, int)
        ):
            raise TypeError(f"standing_offer_days must be an int or None, not {type(standing_offer_days).__name__}")
        if standing_offer_days is not None and standing_offer_days < 0:
            raise ValueError(f"standing_offer_days must be >= 0, not {standing_offer_days}")
        if balance is not None and (isinstance(balance, bool) or not isinstance(balance, (int, float))):
            raise TypeError(f"balance must be a number or None, not {type(balance).__name__}")
        if balance is not None and not (math.isfinite(balance) and balance > 0):
            raise ValueError(f"balance must be a positive finite number, not {balance}")
        if reference_date is not None and not isinstance(reference_date, dt.date):
            raise TypeError(f"reference_date must be a date or None, not {type(reference_date).__name__}")
        if not text.strip():
            return Offer(None, "other")
        offer = self._parse_with_terms(text, speaker, standing_offer_days, Terms(balance, reference_date))
        if offer.days is not None and offer.days < 1:
            # "0 days" (or a date already past) names no repayment timeline at all; whatever the wording ("0 days is
            # fine"), nothing is proposed or accepted, and the terms must be confirmed.
            note = f"{offer.span or 'the timeline'} names no repayment timeline (zero days or a past date)"
            return Offer(None, "other", offer.amount, offer.instalments, doubt="implausible", note=note)
        return offer

    @abstractmethod
    def _parse(self, text: str, speaker: Speaker, standing_offer_days: int | None) -> Offer:
        """Parse a non-blank message whose arguments :meth:`parse` has checked."""

    def _parse_with_terms(self, text: str, speaker: Speaker, standing_offer_days: int | None, terms: Terms) -> Offer:
        """Parse a non-blank message knowing the balance and the reference date; by default they are not used."""
        return self._parse(text, speaker, standing_offer_days)


# --------------------------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------------------------

_SMALL_NUMBERS: Final[dict[str, int]] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_TENS: Final[dict[str, int]] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,  # a common misspelling
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "ninty": 90,  # a common misspelling
}
_SCALES: Final[dict[str, int]] = {"hundred": 100, "thousand": 1000}

_PAYCHECK_UNITS: Final[tuple[str, ...]] = ("paycheck", "paychecks", "paycheque", "paycheques", "payday", "paydays")
_UNIT_DAYS: Final[dict[str, int]] = {
    **dict.fromkeys(("day", "days", "dys", "dayz"), 1),
    **dict.fromkeys(("week", "weeks", "wk", "wks"), 7),
    **dict.fromkeys(("fortnight", "fortnights"), 14),
    **dict.fromkeys(("month", "months", "mo", "mos", "mth", "mths", "mnth", "mnths", "monts"), 30),
    **dict.fromkeys(("quarter", "quarters"), 90),
    **dict.fromkeys(("year", "years", "yr", "yrs"), 365),
    **dict.fromkeys(_PAYCHECK_UNITS, PAYCHECK_DAYS),
}

_CURRENCY_WORDS: Final[frozenset[str]] = frozenset(
    {"dollar", "dollars", "buck", "bucks", "usd", "quid", "pound", "pounds", "euro", "euros", "eur", "gbp"}
)
_INSTALMENT_WORDS: Final[frozenset[str]] = frozenset(
    {"instalment", "instalments", "installment", "installments", "payment", "payments"}
)
_PAYMENT_FREQUENCY: Final[frozenset[str]] = frozenset(
    {"monthly", "weekly", "biweekly", "fortnightly", "equal", "separate", "smaller"}
)
# A bare number is a timeline only when what follows it is not a noun of its own ("2 kids", "3 times").
_BARE_FOLLOWERS: Final[frozenset[str]] = frozenset(
    {
        "or", "and", "to", "nor", "is", "isn't", "would", "will", "could", "should", "works", "work", "then",
        "instead", "tops", "max", "maximum", "at", "if", "please", "pls", "plz", "sounds", "sound", "seems", "but",
        "it", "ok", "okay", "fine", "so", "maybe", "though", "because", "from", "that's", "thats", "not", "no", "i",
        "we", "you", "now", "final", "might", "may", "can", "probably", "perhaps", "possibly",
        # A pronoun's contraction starts a new clause ("if we can do 120 I'm in"); read as a noun, the 120 was lost
        # and the leading "ok" accepted the standing offer instead.
        "i'm", "im", "i'll", "i'd", "we're", "we'll", "we'd", "you're", "you'll", "let's", "lets", "yes", "yeah",
        "right", "thanks",
    }
)  # fmt: skip
_UP_FRONT_WORDS: Final[frozenset[str]] = frozenset({"down", "upfront"})
"""Words after an amount paid first (``1,000 down``, ``300 upfront``): a number put down is money, never days."""
_NOW_WORDS: Final[frozenset[str]] = frozenset({"now", "today", "tonight"})
"""Words after a number paid now (``250 now``): money in a message about paying (see :func:`_settle_paid_now`)."""
_FULL_UNIT_WORDS: Final[frozenset[str]] = frozenset({"full", "whole", "entire", "solid", "complete"})
"""Words between a count and its unit that change nothing (``a full quarter``, ``two whole weeks``)."""
_MORE_WORDS: Final[frozenset[str]] = frozenset({"more", "additional", "extra", "further"})
"""Words before paychecks that change nothing: ``four more paychecks`` are the next four, counted from today.
``two more weeks`` is relative to the standing offer, so it is no timeline (the parser does not resolve it)."""
_RANGE_CONNECTORS: Final[frozenset[str]] = frozenset({"to", "-", "or", "through", "thru"})
"""Words joining a range or alternatives whose unit comes last (``60 to 90 days``); ``and`` only after ``between``."""
_PAY_VERBS: Final[frozenset[str]] = frozenset({"pay", "paying", "send", "sending", "afford", "deposit"})
_PAYMENT_NOUNS: Final[frozenset[str]] = frozenset(
    {"payment", "payments", "instalment", "instalments", "installment", "installments", "sum", "deposit"}
)
_RATE_WORDS: Final[frozenset[str]] = frozenset({"every", "each", "per", "once", "twice", "/"})
_AGE_WORDS: Final[frozenset[str]] = frozenset({"i'm", "im", "aged", "age"})
_CLOCK_WORDS: Final[frozenset[str]] = frozenset({"at", "after", "before", "until", "till", "til"})

_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?"
)
_AMOUNT = r"\d+(?:,\d{3})*(?:\.\d+)?"

# Spans that hold digits but never a timeline. Money comes first so "$1,200" is an amount, not a phone fragment.
_MONEY_RES: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(rf"[$£€]\s?(?P<n>{_AMOUNT})(?P<k>\s?k\b)?"),
    re.compile(rf"(?P<n>{_AMOUNT})(?P<k>\s?k)?\s?(?:[$£€]|(?:dollars?|bucks|usd|quid|pounds?|euros?|eur|gbp)\b)"),
    re.compile(rf"\b(?P<n>{_AMOUNT})(?P<k>k|\s?grand)\b"),  # "1.2k", "2 grand": thousands are money
)
_MASK_RES: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(r"\d+(?:\.\d+)?\s?(?:%|per\s?cent\b)"),
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}/\d{1,2}(?:/\d{2,4})?\b|\b\d{1,2}[.-]\d{1,2}[.-]\d{2,4}\b"),
    re.compile(r"\b\d{1,2}(?::\d{2})?\s?(?:a\.?m\b\.?|p\.?m\b\.?)|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s?o'?clock\b"),
    re.compile(r"\b\d+(?:st|nd|rd|th)\b"),
    re.compile(rf"\b(?:{_MONTHS})\.?\s+\d{{1,2}}\b|\b\d{{1,2}}\s+(?:of\s+)?(?:{_MONTHS})\b"),
    re.compile(
        r"#\s?\d[\d-]*|\b(?:account|acct|a/c|ref|reference|invoice|ticket)\s*(?:number|no\.?|num|#)?\s*[:#]?\s*\d[\d-]*"
        r"|\b(?:case|order|file|member|customer|policy)\s*(?:number|no\.?|num|id|#)\s*[:#]?\s*\d[\d-]*"
    ),
    re.compile(r"\+?(?:\(\d{2,4}\)\s?)?\d{2,5}(?:[ .-]\d{2,6}){1,3}"),  # phone-like; kept only with 7+ digits
    re.compile(r"\b\d{5,}\b"),
    # A minus sign right before a number ("-5 days") makes it no timeline; a range dash sits between two numbers.
    re.compile(r"(?<![\w.])-\d+(?:\.\d+)?"),
)
# Numbers no one can act on: exponents ("10^9", "10**9", "1e3", "10⁹"), "x 10", digits and letters mixed ("1o0").
# They are masked whole, so no digit is ever taken out of them, and the message's terms are in doubt.
_GARBLED_RE: Final = re.compile(
    r"\d[\d.,]*\s*(?:\^|\*\*)\s*[-+]?\s*\d+|\b\d+(?:\.\d+)?e[-+]?\d+\b|\d*[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+\d*"
    r"|\b\d+(?:\.\d+)?\s?[x×*]\s?10\b|\b\d+[a-z]+\d[a-z\d]*\b"
)
# A garbled number with a unit after it ("10^9 days") is a timeline the client proposes but no one can read.
_UNIT_AFTER_RE: Final = re.compile(r"\s*(?:-\s*)?(?:days?|weeks?|months?|years?|yrs?|fortnights?|quarters?)\b")
# A minus sign sits right on its number ("-5 days"); a spaced dash ("Deal - 120 days") is punctuation.
_NEGATIVE_RE: Final = re.compile(
    r"(?<![\w.])-\d+(?:\.\d+)?\s*(?:-\s*)?(?:days?|weeks?|months?|years?|yrs?)\b"
    r"|\b(?:minus|negative)\s+(?:\w+\s+){0,2}(?:days?|weeks?|months?|years?)\b"
)
_TOKEN_RE: Final = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|[a-z]+(?:'[a-z]+)*|\S")

# Cues, matched on lower-cased text with the masked spans blanked out.
_SENTENCE_END_RE: Final = re.compile(r"(?:[!?;…]|\.(?!\d))+")
# A comma inside an amount ("$4,850") breaks no clause.
_CLAUSE_BREAK_RE: Final = re.compile(
    r"(?:[!?;…:()—]|,(?!\d{3}\b)|\.(?!\d))+|\b(?:but|however|though|although|so|because|cause)\b"
)
_CONTRAST_RE: Final = re.compile(r"\b(?:but|however|though|only if|as long as|provided)\b")
_NEGATION_RE: Final = re.compile(
    r"\b(?:can'?t|cannot|can not|couldn'?t|won'?t|will not|wouldn'?t|not|never|no way|unable to|impossible|"
    r"don'?t|do not|isn'?t|refuse|nor|no)\b"
)
# "I can't pay in less than 90 days" needs 90 at least: the negation bears on the comparison, not the number.
_COMPARATIVE_RE: Final = re.compile(
    r"\b(?:less|fewer|more|longer|shorter|sooner|earlier|later|under|over|beyond|above|below|past|exceed|"
    r"faster|quicker)\b"
)
_POST_NEGATION_RE: Final = re.compile(
    r"^[\s?!.]*(?:(?:is|are|'s|s|seems|sounds|would be|will be|is going to be|just|simply|really|way|far|much|"
    r"honestly|definitely|totally|very|pretty|quite|super|kinda|kind of|a bit|a little|a little bit)\s+)*"
    r"(?:too\b|impossible|not\b(?!\s*(?:\d|a day))|isn'?t|aren'?t|won'?t|wont\b|wouldn'?t|doesn'?t|does not|"
    r"don'?t|no\b(?!\s*(?:\d|problem|worries))|never|unacceptable|ridiculous|a joke|out of the question|"
    r"unrealistic|crazy|insane|unreasonable|absurd|laughable)"
)
# "30 is really tight for me", "30 days is hard": a number hard to meet is refused; "hard but doable" is not. Matched
# on the text after the number up to 200 characters, so the "but" that withdraws it is seen.
_POST_DIFFICULTY_RE: Final = re.compile(
    r"^[\s?!.]*(?:(?:is|are|'s|s|seems|sounds|would be|will be|is going to be|just|really|honestly|definitely|"
    r"very|pretty|quite|super|kinda|kind of|a bit|a little|a little bit|way|far|much|too)\s+)*"
    r"(?:tight|hard|difficult|tough|a stretch|a struggle|pushing it|not enough)\b"
    r"(?!(?:\s+for\s+(?:me|us))?\W*(?:but|though|yet|doable|manageable)\b)"
)
_THEIRS_RE: Final = re.compile(
    r"\b(?:you|u|ya|y'all|they|you guys|you people)\s+(?:\w+\s+)?(?:said|say|says|saying|offered|offer|offers|"
    r"offering|want|wanted|wants|asked|asking|ask|proposed|propose|suggested|suggest|mentioned|gave|giving|told|"
    r"demand|demanded|demanding|requested|quoted|insist|insisted|keep saying)\b"
    r"|\b(?:you'?re|you are|u r|they'?re)\s+(?:\w+\s+)?(?:offering|asking|demanding|saying|giving|proposing)\b"
    r"|\b(?:your|ur|their)\b|\b(?:the letter|letter says|letter said|was told|were told|instead of|rather than)\b"
    # "thanks for the offer of 30 days" is one already made to the speaker; "the offer of 90 days stands" (a
    # creditor's draft) and "an offer of 60 days" are the speaker's own.
    r"|\b(?:for|about|regarding|re|considered|received|got|reviewed|read|saw|appreciate) the (?:offer|proposal"
    r"|suggestion|extension)s? (?:of|for)\b"
)
# The other side named after the number: "the 45 days you offered", "the 30 days they gave me", "the 60 days offered".
_POST_THEIRS_RE: Final = re.compile(
    r"^\s*(?:that |which )?(?:(?:you|u|ya|y'all|they|you guys|you people|your \w+)\s+(?:\w+\s+)?"
    r"(?:said|offered|offer|proposed|suggested|mentioned|gave|give|quoted|asked for|want|wanted|requested|demanded|"
    r"put on the table|are offering|were offering)|(?:offered|proposed|suggested|quoted) (?:by|to|in))\b"
)
_HISTORY_RE: Final = re.compile(
    r"\b(?:ago|been|(?:was|were)(?! (?:thinking|hoping|wondering|planning|going to))|last|previous|previously|"
    r"since|already|used to|get paid|got paid|paycheck|payday|received|the past|these past|"
    # "What if I paid you $600 a month?" supposes; "I paid $600" and "I had 30 days" tell the past.
    r"(?<!if i )(?<!if we )(?:had|made)|(?<!if )(?:i|we) paid)\b"
)
_POST_HISTORY_RE: Final = re.compile(
    r"^[\s,]*(?:(?:is|are|now|already)\s+)*(?:ago|past due|overdue|late|behind|in arrears|delinquent|old)\b"
)
# Money that describes the situation rather than an offer: "I owe $1,200", "rent is $900", "I make $1,400".
# Common misspellings of the words the payment cues are made of: a small fixed list, never a fuzzy match (and numbers
# are never guessed at). "teh full balnce on tuesday" is the full balance on Tuesday.
_THE: Final = r"(?:the|teh|hte)"
_BALANCE: Final = r"(?:balance|balnce|balence|ballance|balanse|blance)"
_AMOUNT_WORD: Final = r"(?:amount|ammount|amout)"
_AMOUNT_CONTEXT_RE: Final = re.compile(
    rf"\b(?:owe|owed|owing|{_BALANCE}|debt|total|bill|bills|rent|earn|earns|income|salary|fee|fees|"
    # "I make $1,400" is income; "make that $250" revises; "make weekly payments", "make an initial payment" pay.
    r"(?:make|makes)(?! (?:that|it)\b)(?! (?:\w+ ){0,2}(?:payments?|instalments?|installments?)\b)|"
    r"interest|charge|charged|charging|cost|costs|spent|repair|mortgage)\b"
)

_REJECT_RE: Final = re.compile(
    r"\bno way\b|\bno deal\b|\bnot acceptable\b|\bunacceptable\b"
    r"|\bnot (?:possible|happening|going to happen|a chance)\b"
    # "My client respectfully declines the proposed terms"; "my card was declined" refuses nothing.
    r"|\bimpossible\b|\b(?:refuse|refuses|reject|rejected|decline|declines|declining)\b"
    r"|(?<!was )(?<!were )(?<!been )(?<!got )(?<!get )\bdeclined\b"
    r"|\b(?:turn|turns|turning) (?:down (?:the|your|this|that|these|those)\b|(?:it|that|this|them) down\b)"
    r"|\b(?:not|never) (?:doing|agreeing to|signing) (?:that|this|it)\b|\b(?:no chance|not gonna happen)\b"
    r"|\bnever (?:going to |gonna )?(?:pay|paying|see a)\b"
    r"|\b(?:won'?t|will not|not|ain'?t|am not) (?:be )?(?:going to |gonna )?(?:pay|paying)\b"
    r"|\b(?:can'?t|cannot|can not|unable to) (?:pay|afford|approve)\b|\bforget (?:it|that|this)\b"
    r"|\b(?:doesn'?t|does not|won'?t|will not|wouldn'?t|would not) work\b"
    r"|\b(?:can'?t|cannot|can not) do (?:that|it|this)\b|\babsolutely not\b"
    r"|\bare you (?:kidding|serious|joking|insane|crazy|mad)\b|\bkidding me\b|\bout of the question\b"
    r"|\b(?:must|got to|gotta|have to) be (?:joking|kidding)\b|\byou'?re (?:joking|kidding)\b"
    r"|\b(?:don'?t|do not) (?:have|got) (?:the|any) money\b|\bno money\b"
    r"|(?:\bnot|n't|\bnever)\s+(?:\w+\s+)?(?:agree|agreeing|accept|accepting|fair|ok|okay|fine)\b"
    # "not something I can accept", "nothing we could agree to": the negation sits a few words before the cue.
    r"|\b(?:not|nothing)(?:\s+\w+){0,3}\s+(?:i|we)\s+(?:can|could|will|would)\s+(?:accept|agree)\b"
    r"|\btoo (?:long|short|soon|fast|much|high|little|low)\b"
)
_ACCEPT_RE: Final = re.compile(
    r"\b(?:i|we)(?:'ll| will| can| do| hereby| happily| gladly| fully)? (?:accept|agree)\b|\baccepted\b|\bagreed\b"
    r"|\b(?:it'?s|that'?s|you'?ve got|you have|we have|we'?ve got|you got) a deal\b|\bdeal\W*$"
    r"|\bsounds (?:good|great|fair|fine|ok|okay|reasonable|like a plan)\b"
    r"|\b(?:that|this|it|which|days?|weeks?|months?|\d+) works\b|\bworks for (?:me|us)\b"
    r"|\b(?:is|that'?s|it'?s) (?:fine|ok|okay|good|fair|acceptable|doable)\b|\b(?:fine|ok|okay) (?:by|with) (?:me|us)\b"
    # "let's do it" accepts; "let's do 90 days" proposes its own terms, so only a pronoun or the deal counts here.
    r"|\bfair enough\b|\blet'?s (?:do|go with|settle on|settle for) (?:it|that|this|those|yours|your offer"
    r"|the (?:deal|offer|plan|same))\b|\blet'?s (?:go ahead|shake on it|settle (?:it|this|up))\b|\blet'?s settle\W*$"
    r"|\b(?:i|we)'?ll take (?:it|that)\b"
    r"|\b(?:can|could) live with\b|\bit is\W*$|\bcount me in\b|\bgo ahead\b|\bhappy with (?:that|this)\b"
    r"|\b(?:we'?re|we are|i'?m|i am) in agreement\b"
)
# Cues that judge a subject rather than agree to the table: said of the client's own new terms ("90 days is fair",
# "Friday works for me", "$450 a month works", "I can live with 90 days") they propose those terms (rule 5).
_VERDICT_RE: Final = re.compile(
    r"\b(?:(?:is|that'?s|it'?s) (?:fine|ok|okay|good|fair|acceptable|doable|reasonable)|works(?: for (?:me|us))?"
    r"|sounds (?:good|great|fair|fine|ok|okay|reasonable|like a plan)|(?:fine|ok|okay) (?:by|with) (?:me|us)"
    r"|(?:can|could) live with|happy with)\b"
)
# What may stand between a term and the verdict said of it: a few words, commas or a dash, no sentence end.
_VERDICT_GAP_RE: Final = re.compile(r"[\s,—-]*(?:[\w'$]+[\s,—-]+){0,3}")
# An opening "Deal" or "Agreed" agrees explicitly, unlike a leading "ok" ("Deal — 90 days then" conflicts with 45).
_EXPLICIT_LEADING_RE: Final = re.compile(r"^\W*(?:(?:it'?s a |you'?ve got a )?deal|agreed)\b")
_LEADING_ACCEPT_RE: Final = re.compile(
    r"^(?:(?:ok|okay|k|kk|alright|all right|fine|sure|yes|yeah|yep|yup|yea|ya|great|perfect|cool|deal|"
    r"no problem|no worries|👍|👌|🤝)\s*)+(?:then|i guess|thanks|thank you|please)?$"
)
# Steps that carry an agreement out: after an opening "ok" they make it an acceptance (see
# :func:`_live_accept_positions`); any other remark after it leaves the "ok" an acknowledgement.
_CARRY_OUT_RE: Final = re.compile(
    r"\b(?:i|we)(?:'ll| will| can| am going to|'m going to)\s+(?:pay|sign|start|set (?:it|that|this) up|make "
    r"(?:the|that|it|my|our) (?:first )?payment)\b"
    r"|\bsend (?:me |us |over |it |that )*(?:the |a |your )?(?:paperwork|agreement|contract|papers|forms?|link|"
    r"details|plan|terms|confirmation)\b|\b(?:put|sign|set) (?:me|us) (?:down|up)\b|\bset (?:it|that|this) up\b"
    r"|\bwhere do (?:i|we) sign\b|\bhow do (?:i|we) pay\b"
)
# Hesitation that turns "sounds great" into "not yet": the client has not accepted anything.
_HESITATION_RE: Final = re.compile(
    r"\b(?:let me|i'?ll|i need to|i have to|i'?d have to|need to|have to|gotta|got to) (?:think|check|talk|ask|"
    r"see|look|sleep on|discuss|run it by|get back)\b|\bnot (?:sure|yet)\b|\bget back to you\b|\bmaybe later\b"
)
_LEADING_REJECT_RE: Final = re.compile(r"^(?:no+|nope|nah|hell no|absolutely not|no thanks|no thank you|never)$")


# --------------------------------------------------------------------------------------------------------------
# Tokens and mentions
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    """A word, number, punctuation mark or pre-classified span (``money`` or ``mask``) of the normalised text."""

    kind: Literal["word", "num", "punct", "money", "mask"]
    text: str
    start: int
    end: int
    value: float | None = None


_Role = Literal["own", "theirs", "negated", "excluded", "revised"]
_Kind = Literal["days", "amount", "instalments"]


@dataclass
class _Mention:
    """A number the message uses as a term, with the side it belongs to (decided after the scan)."""

    kind: _Kind
    value: float
    start: int
    end: int
    rate: bool = False
    role: _Role = "own"
    period: float | None = None  # an amount paid every ``period`` days
    date: dt.date | None = None  # a timeline read from a date
    first: bool = False  # an amount paid down or now ("$1,000 down", "250 now"): a lump sum before the rest
    # A bare number paid now ("250 now") is money only in a message about paying, else this (_settle_paid_now).
    unless_paying: Literal["days", "nothing"] | None = None
    # An alternative to the timeline before it, its unit elided ("a year, maybe two"): one group with it (rule 4).
    alternative: bool = False
    full: bool = False  # a date of the full payment named in the next sentence ("thursday. the whole thing.")


def _normalise(text: str) -> str:
    """Lower-case ``text`` and unify apostrophes and dashes, keeping every character at its offset."""
    swaps = {"’": "'", "‘": "'", "`": "'", "–": "-", "‑": "-", "\u00a0": " "}
    chars = []
    for char in text:
        char = swaps.get(char, char)
        lowered = char.lower()
        # A few characters lower-case to two (e.g. "İ"); keeping them as they are preserves offsets.
        chars.append(lowered if len(lowered) == 1 else char)
    return "".join(chars)


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _special_spans(norm: str) -> list[_Token]:
    """Money, percentages, dates, times, ordinals and identifiers, as non-overlapping tokens."""
    taken: list[_Token] = []

    def free(start: int, end: int) -> bool:
        return all(end <= t.start or start >= t.end for t in taken)

    for match in _GARBLED_RE.finditer(norm):
        taken.append(_Token("mask", match.group(), match.start(), match.end()))
    for pattern in _MONEY_RES:
        for match in pattern.finditer(norm):
            if free(match.start(), match.end()):
                value = _number(match["n"]) * (1000 if match["k"] else 1)
                taken.append(_Token("money", match.group(), match.start(), match.end(), value))
    for pattern in _MASK_RES:
        for match in pattern.finditer(norm):
            phone_like = pattern.pattern.startswith(r"\+?")
            if phone_like and sum(c.isdigit() for c in match.group()) < 7:
                continue
            if free(match.start(), match.end()):
                taken.append(_Token("mask", match.group(), match.start(), match.end()))
    return taken


def _tokenise(norm: str) -> list[_Token]:
    specials = _special_spans(norm)
    tokens = list(specials)
    for match in _TOKEN_RE.finditer(norm):
        if any(match.start() < s.end and match.end() > s.start for s in specials):
            continue
        text = match.group()
        if text[0].isdigit():
            tokens.append(_Token("num", text, match.start(), match.end(), _number(text)))
        elif text[0].isalpha():
            tokens.append(_Token("word", text, match.start(), match.end()))
        else:
            tokens.append(_Token("punct", text, match.start(), match.end()))
    tokens.sort(key=lambda t: t.start)
    return _merge_number_words(tokens)


def _merge_number_words(tokens: list[_Token]) -> list[_Token]:
    """Replace runs like ``a hundred and twenty`` or ``forty - five`` by one ``num`` token."""
    merged: list[_Token] = []
    i = 0
    while i < len(tokens):
        run = _number_word_run(tokens, i)
        if run is None:
            merged.append(tokens[i])
            i += 1
            continue
        value, end = run
        merged.append(_Token("num", "", tokens[i].start, tokens[end - 1].end, float(value)))
        i = end
    return merged


def _number_word_run(tokens: list[_Token], i: int) -> tuple[int, int] | None:
    """The value of the number words starting at ``i`` and the index after them, or ``None``."""

    def word(k: int) -> str:
        return tokens[k].text if k < len(tokens) and tokens[k].kind in ("word", "punct") else ""

    first = word(i)
    # "a"/"an" only count as one before a scale word ("a hundred"); before a unit they are handled as durations.
    if not (first in _SMALL_NUMBERS or first in _TENS or (first in ("a", "an") and word(i + 1) in _SCALES)):
        return None
    total, current, j, last = 0, 0, i, ""
    while j < len(tokens):
        w = word(j)
        if w in ("a", "an") and j == i:
            current, last = 1, "small"
        elif w in _SMALL_NUMBERS and last in ("", "tens", "scale"):
            current += _SMALL_NUMBERS[w]
            last = "small"
        elif w in _TENS and last in ("", "scale"):
            current += _TENS[w]
            last = "tens"
        elif w == "-" and last == "tens" and word(j + 1) in _SMALL_NUMBERS:
            j += 1
            continue
        elif w in _SCALES and last in ("small", "tens"):
            current *= _SCALES[w]
            if w == "thousand":
                total, current = total + current, 0
            last = "scale"
        elif w == "and" and last == "scale" and (word(j + 1) in _SMALL_NUMBERS or word(j + 1) in _TENS):
            j += 1
            continue
        else:
            break
        j += 1
    return total + current, j


def _duration_at(tokens: list[_Token], i: int) -> tuple[float, int, int] | None:
    """A timeline starting at token ``i``: (days, index after it, unit length in days), or ``None``."""

    def text(k: int) -> str:
        return tokens[k].text if k < len(tokens) else ""

    token = tokens[i]
    halves = 0  # counted apart from the whole units: half a year is six months (180 days), not 182.5
    if token.kind == "num" and token.value is not None:
        value, j = token.value, i + 1
    elif token.text in ("a", "an") and text(i + 1) == "couple":
        value, j = 2.0, i + 2 + (text(i + 2) == "of")
    elif token.text == "couple":
        value, j = 2.0, i + 1 + (text(i + 1) == "of")
    elif token.text in ("a", "an"):
        value, j = 1.0, i + 1
    elif token.text == "half" and text(i + 1) in ("a", "an"):
        value, j, halves = 0.0, i + 2, 1
    else:
        return None
    if [text(j), text(j + 1), text(j + 2)] == ["and", "a", "half"]:  # "two and a half months"
        j, halves = j + 3, halves + 1
    if text(j) == "-" and token.kind == "num":  # "90-day"
        j += 1
    if text(j) in _FULL_UNIT_WORDS and text(j + 1) in _UNIT_DAYS:  # "a full quarter"
        j += 1
    if text(j) in _MORE_WORDS and text(j + 1) in _PAYCHECK_UNITS:  # "four more paychecks"
        j += 1
    if text(j) in ("quarter", "quarters") and text(j + 1) == "of":
        return None  # "a quarter of the balance" is a share, not 90 days
    unit = _UNIT_DAYS.get(text(j))
    if unit is None or (text(j) in _PAYCHECK_UNITS and token.kind != "num"):
        return None  # "I get a paycheck on Friday" names no timeline; "in two paychecks" does
    j += 1
    if [text(j), text(j + 1), text(j + 2)] == ["and", "a", "half"]:  # "a month and a half"
        j, halves = j + 3, halves + 1
    days = value * unit + halves * _half_of(unit)
    if text(j) == "and" and j + 1 < len(tokens) and tokens[j + 1].kind == "num":  # "two months and ten days"
        rest = _duration_at(tokens, j + 1)
        if rest is not None and rest[2] < unit:
            days, j = days + rest[0], rest[1]
    return days, j, unit


def _half_of(unit: int) -> float:
    """Half a unit as people mean it: half a year is six months, half a month fifteen days."""
    return 180.0 if unit == _UNIT_DAYS["year"] else unit / 2


_FREQUENCY_DAYS: Final[dict[str, int]] = {"monthly": 30, "weekly": 7, "biweekly": 14, "fortnightly": 14}


def _rate_at(tokens: list[_Token], j: int) -> tuple[int, float] | None:
    """If a rate starts at ``j``, its end and its period in days.

    Rates: ``a month``, ``per week``, ``every two weeks``, ``every other week``, ``/mo``, ``monthly``,
    ``twice a month``.
    """
    if j >= len(tokens):
        return None
    word = tokens[j].text

    def follows(k: int) -> str:
        return tokens[k].text if k < len(tokens) else ""

    if word in _FREQUENCY_DAYS:
        return j + 1, float(_FREQUENCY_DAYS[word])
    if word in ("out", "from", "off", "with"):  # "$400 out of each paycheck", "from every paycheck"
        k = j + 1 + (word == "out" and follows(j + 1) == "of")
        return _rate_at(tokens, k) if follows(k) in ("each", "every") else None
    if word == "twice" and follows(j + 1) in ("a", "an", "per", "every", "each") and follows(j + 2) in _UNIT_DAYS:
        return j + 3, _UNIT_DAYS[follows(j + 2)] / 2
    if word in ("a", "an", "per", "/") and follows(j + 1) in _UNIT_DAYS:
        return j + 2, float(_UNIT_DAYS[follows(j + 1)])
    if word in ("every", "each", "per") and j + 1 < len(tokens):
        if follows(j + 1) in ("other", "second") and follows(j + 2) in _UNIT_DAYS:
            return j + 3, 2.0 * _UNIT_DAYS[follows(j + 2)]
        duration = _duration_at(tokens, j + 1)
        if duration is not None:
            return duration[1], duration[0]
        if follows(j + 1) in _UNIT_DAYS:
            return j + 2, float(_UNIT_DAYS[follows(j + 1)])
    return None


def _rate_around(tokens: list[_Token], i: int, j: int) -> tuple[int, float] | None:
    """The rate of the amount in tokens ``i`` to ``j`` (exclusive), or ``None`` for an amount paid once.

    The rate follows the amount (``$400 a month``, see :func:`_rate_at`) or comes before it as a frequency
    (``monthly payments of $400``). Returns the index after the rate's words and the period in days.
    """
    rate = _rate_at(tokens, j)
    if rate is not None:
        return rate
    before = [tokens[k].text if k >= 0 else "" for k in (i - 3, i - 2, i - 1)]
    if before[2] == "of" and before[1] in _INSTALMENT_WORDS and before[0] in _FREQUENCY_DAYS:
        return j, float(_FREQUENCY_DAYS[before[0]])
    return None


def _paid_first_at(tokens: list[_Token], j: int) -> Literal["down", "now"] | None:
    """Whether the words at ``j`` say the amount before them is paid first (``down``, ``upfront``) or now."""
    word = tokens[j].text if j < len(tokens) else ""
    following = tokens[j + 1].text if j + 1 < len(tokens) else ""
    if word in _UP_FRONT_WORDS or (word, following) == ("up", "front"):
        return "down"
    if word in _NOW_WORDS or (word, following) == ("right", "now"):
        return "now"
    return None


def _rate_end(tokens: list[_Token], j: int) -> int | None:
    """If a rate starts at ``j`` (see :func:`_rate_at`), its end."""
    rate = _rate_at(tokens, j)
    return rate[0] if rate is not None else None


def _rate_mention(
    value: float, start: int, end: int, rate: tuple[int, float] | None, *, first: bool = False
) -> _Mention:
    """An amount, paid once or (with ``rate``) every ``rate[1]`` days; ``first``: paid down or now."""
    period = rate[1] if rate else None
    return _Mention("amount", value, start, end, rate=rate is not None, period=period, first=first and not rate)


def _scan(tokens: list[_Token]) -> Iterator[_Mention]:
    """Every timeline, amount and instalment count in ``tokens``, in order."""

    def text(k: int) -> str:
        return tokens[k].text if 0 <= k < len(tokens) else ""

    i = 0
    last_duration: tuple[int, int] | None = None  # the index after the latest timeline, and its unit
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "money" and token.value is not None:
            rate = _rate_around(tokens, i, i + 1)
            first = _paid_first_at(tokens, i + 1) is not None
            yield _rate_mention(token.value, token.start, token.end, rate, first=first)
            i = rate[0] if rate else i + 1
            continue
        duration = _duration_at(tokens, i)
        if duration is not None:
            days, end, unit = duration
            yield _Mention("days", days, token.start, tokens[end - 1].end, rate=text(i - 1) in _RATE_WORDS)
            i, last_duration = end, (end, unit)
            continue
        if token.kind == "num" and token.value is not None:
            elided = _elided_unit(tokens, last_duration, i)
            paid_now = _paid_first_at(tokens, i + 1) is not None  # "6 months or 500 now" offers money
            if elided is not None and not paid_now and _is_bare_timeline(tokens, i, token.value):
                yield _Mention("days", token.value * elided, token.start, token.end, alternative=True)
                i += 1
                continue
            i = yield from _scan_number(tokens, i)
            continue
        i += 1


# Words offering an alternative whose unit is left out: "a year, maybe two", "a month or two", "6 months or maybe 7".
_ALTERNATIVE_WORDS: Final[frozenset[str]] = frozenset({"or", "maybe", "perhaps", "possibly", "probably", "even"})


def _elided_unit(tokens: list[_Token], last_duration: tuple[int, int] | None, i: int) -> int | None:
    """The unit a bare number at ``i`` takes from the timeline just before it ("a month or two"), or ``None``.

    Only words offering an alternative (``or``, ``maybe``...) and commas may stand between the two.
    """
    if last_duration is None:
        return None
    end, unit = last_duration
    between = [t.text for t in tokens[end:i]]
    words = [w for w in between if w != ","]
    if not words or not set(words) <= _ALTERNATIVE_WORDS:
        return None
    return unit


def _scan_number(tokens: list[_Token], i: int) -> Generator[_Mention, None, int]:
    """Classify the unit-less number at ``i``; yields what it is and returns the index after it."""

    def text(k: int) -> str:
        return tokens[k].text if 0 <= k < len(tokens) else ""

    token = tokens[i]
    value = token.value if token.value is not None else 0.0
    nxt = text(i + 1)
    if nxt in _CURRENCY_WORDS:  # "a hundred dollars" (digit forms are caught as money spans)
        rate = _rate_around(tokens, i, i + 2)
        first = _paid_first_at(tokens, i + 2) is not None
        yield _rate_mention(value, token.start, tokens[i + 1].end, rate, first=first)
        return rate[0] if rate else i + 2
    if nxt in ("percent", "%"):
        return i + 2
    k = i + 1 + (nxt in _PAYMENT_FREQUENCY)
    if text(k) in _INSTALMENT_WORDS and value == int(value) and 1 <= value <= 120:
        yield _Mention("instalments", value, token.start, tokens[k].end)
        return k + 1
    # "60-90 days", "2 to 3 months", "45 or 60 days", "between 45 and 60 days": the unit comes at the end.
    connector_ok = nxt in _RANGE_CONNECTORS or (nxt == "and" and text(i - 1) == "between")
    if connector_ok and i + 2 < len(tokens) and tokens[i + 2].kind == "num":
        later = _duration_at(tokens, i + 2)
        if later is not None:
            yield _Mention("days", value * later[2], token.start, token.end)
            return i + 1
    rate = _rate_around(tokens, i, i + 1)
    after_payment_word = (
        text(i - 1) in _PAY_VERBS
        or (text(i - 1) in ("you", "u", "them") and text(i - 2) in _PAY_VERBS)  # "I can pay you 500 by Friday"
        or (text(i - 1) == "of" and text(i - 2) in _PAYMENT_NOUNS)
    )
    looks_like_money = "," in token.text or "." in token.text or after_payment_word
    paid_first = _paid_first_at(tokens, i + 1) if _is_plain_number(tokens, i, value) else None
    if rate is not None or looks_like_money or paid_first == "down":  # "pay 200 a month", "1,000 down"
        yield _rate_mention(value, token.start, token.end, rate, first=paid_first is not None)
        return rate[0] if rate else i + 1
    if paid_first == "now":  # "250 now": money in a message about paying, else what it always was
        unless_paying: Literal["days", "nothing"] = "days" if _is_bare_timeline(tokens, i, value) else "nothing"
        yield _Mention("amount", value, token.start, token.end, first=True, unless_paying=unless_paying)
        return i + 1
    if _is_bare_timeline(tokens, i, value):
        yield _Mention("days", value, token.start, token.end)
    return i + 1


def _is_plain_number(tokens: list[_Token], i: int, value: float) -> bool:
    """Whether the unit-less number at ``i`` is positive and no age (``I'm 30``) or clock time (``at 5``)."""
    previous = tokens[i - 1].text if i > 0 else ""
    if value <= 0 or previous in _AGE_WORDS or (previous == "am" and i > 1 and tokens[i - 2].text == "i"):
        return False
    return not (previous in _CLOCK_WORDS and value <= 12)  # "call me at 5"


# People a count or an age belongs to: "a single mom of three", "my son is 5" are no timelines.
_PEOPLE_WORDS: Final[frozenset[str]] = frozenset(
    {
        "mom", "mum", "mother", "dad", "father", "parent", "parents", "family", "household", "grandma", "grandmother",
        "grandpa", "grandfather", "son", "daughter", "kid", "kids", "child", "children", "baby", "boy", "girl", "he",
        "she", "they", "sister", "brother", "wife", "husband",
    }
)  # fmt: skip


def _is_bare_timeline(tokens: list[_Token], i: int, value: float) -> bool:
    """Whether the unit-less number at ``i`` reads as a timeline (``maybe 40?``) rather than a count or a time.

    Counts in prose are no timelines: the word ``one`` alone (``quick one``, ``this one``, ``one of them``), a rank
    (``number one``), the size of a family (``mom of three``) and an age (``my son is 5``).
    """
    if value != int(value) or not 1 <= value <= MAX_BARE_DAYS or not _is_plain_number(tokens, i, value):
        return False
    before = [tokens[k].text if k >= 0 else "" for k in (i - 2, i - 1)]
    if (tokens[i].text == "" and value == 1) or before[1] == "number":
        return False  # a merged number word has no text of its own: "one" is a pronoun here, not one day
    if before[1] in ("he's", "she's", "they're") or (
        before[0] in _PEOPLE_WORDS and before[1] in ("of", "is", "are", "turned", "turns")
    ):
        return False
    if i + 1 >= len(tokens):
        return True
    following = tokens[i + 1]
    return following.kind in ("punct", "mask") or following.text in _BARE_FOLLOWERS


# --------------------------------------------------------------------------------------------------------------
# Roles and the decision
# --------------------------------------------------------------------------------------------------------------


def _blank_specials(norm: str, tokens: list[_Token]) -> str:
    """``norm`` with masked spans (dates, ids...) blanked, so cue patterns never match inside them."""
    chars = list(norm)
    for token in tokens:
        if token.kind == "mask":
            chars[token.start : token.end] = " " * (token.end - token.start)
    return "".join(chars)


def _boundaries(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The (start, end) spans of the pieces of ``text`` between matches of ``pattern``; each keeps its ending."""
    spans, start = [], 0
    for match in pattern.finditer(text):
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _piece_at(spans: list[tuple[int, int]], position: int) -> tuple[int, int]:
    return next((span for span in spans if span[0] <= position < span[1]), spans[-1])


# A payday before a date: "I get paid Friday", "payday is the 15th".
_PAYDAY_RE: Final = re.compile(r"\b(?:get paid|getting paid|payday|pay day|paycheck|paycheque)\b")


def _payday_dates_payment(mention: _Mention, text: str) -> bool:
    """Whether a payday's date dates the full payment said after it: "I get paid Friday, I'll pay it all then".

    A payday on its own tells the client's situation ("I get paid Friday" offers nothing); followed by a full
    payment that points back at it (``then``, ``that day``) it is the payment's date.
    """
    if mention.date is None or not _PAYDAY_RE.search(text[max(0, mention.start - 40) : mention.start]):
        return False
    rest = text[mention.end :]
    return bool(_ANAPHOR_RE.search(rest)) and _full_cue(rest)


def _assign_roles(mentions: list[_Mention], text: str) -> None:
    """Mark each mention own, theirs, negated or excluded from its context (rules 2 and 3 of the module doc)."""
    clauses = _boundaries(text, _CLAUSE_BREAK_RE)
    previous: _Mention | None = None
    for mention in mentions:
        clause_start, _ = _piece_at(clauses, mention.start)
        pre_start = max(clause_start, previous.end if previous else 0)
        before = text[pre_start : mention.start]
        recent = " ".join(before.split()[-8:])
        # What follows, to the end of the clause; an echo question ("30 days? no way") reads on past its "?".
        after = text[mention.end : mention.end + 200]  # a clause is shorter; the cap keeps long messages linear
        echo = after[: len(after) - len(after.lstrip(" ?!"))]
        after = echo + re.split(r"[,;:.]|\bbut\b", after[len(echo) :])[0]
        joined = before.strip() in _RANGE_CONNECTORS or before.strip() in ("and", "nor") or mention.alternative
        if previous is not None and previous.role != "own" and joined:
            mention.role = previous.role  # "I can't do 30 or 45 days": the list shares its fate
        elif (
            (mention.rate and mention.kind == "days")  # "every two weeks" is a rate; "$500 a month" still an offer
            or (_HISTORY_RE.search(text[clause_start : mention.start]) and not _payday_dates_payment(mention, text))
            or _POST_HISTORY_RE.match(after)
        ):
            mention.role = "excluded"
        elif (
            _refused(recent)
            or _POST_NEGATION_RE.match(after)
            or _POST_DIFFICULTY_RE.match(text[mention.end : mention.end + 200])
        ):
            mention.role = "negated"
        elif _THEIRS_RE.search(recent) or _POST_THEIRS_RE.match(after):
            mention.role = "theirs"
        elif mention.kind == "amount" and _AMOUNT_CONTEXT_RE.search(before):
            mention.role = "excluded"
        previous = mention


# Words that take back what came before: "I can do 60 days. Actually, make that 90".
_REVISION_RE: Final = re.compile(
    r"\b(?:actually|make (?:that|it)|on second thoughts?|scratch that|i mean|i meant|or rather|correction"
    r"|change (?:that|it|this) to|no,? wait)\b"
    # A bare "no" or "wait" set off by punctuation corrects the speaker: "3 months, no, 4 months", "wait, 90"; "no
    # more than 60" and "I can wait 30 days" do not.
    r"|(?<![\w'])(?:no|wait)\s*[,.!…—-]"
)
# The speaker's own earlier offer, told as such: "I offered 2 months yesterday" is replaced by a later own number.
_OWN_EARLIER_RE: Final = re.compile(
    r"\b(?:i|we)(?:'ve| have| had)? (?:already |originally |previously |first |initially )?"
    r"(?:offered|proposed|suggested|asked for|said)\s+$"
)


def _mark_revisions(mentions: list[_Mention], text: str) -> None:
    """Mark an own number taken back by a later one of its kind ("60 days. Actually, make that 90") as revised.

    A revision is no second offer: the earlier number is dropped, so it raises no ``several_numbers`` doubt.
    """
    own = [m for m in mentions if m.role == "own"]
    for index, earlier in enumerate(own):
        following = own[index + 1] if index + 1 < len(own) else None
        bare = following is not None and following.kind == "days" and text[following.start : following.end].isdigit()
        if following is not None and earlier.kind == "amount" and bare and following.date is None:
            # "200 a month. On second thought, 250": a bare number revising an amount is the new amount.
            if _REVISION_RE.search(text[earlier.end : following.start]):
                following.kind, following.rate, following.period = "amount", earlier.rate, earlier.period
                earlier.role = "revised"
            continue
        later = next((m for m in own if m.start > earlier.start and m.kind == earlier.kind), None)
        if later is not None and _OWN_EARLIER_RE.search(text[max(0, earlier.start - 60) : earlier.start]):
            earlier.role = "revised"  # "I offered 2 months yesterday; can we do 10 weeks?"
            continue
        if later is None or not _REVISION_RE.search(text[earlier.end : later.start]):
            continue
        if earlier.rate and not later.rate and not later.first:
            # "$200 a month, actually make that $250": the new number keeps the old one's rate.
            later.rate, later.period = True, earlier.period
        if later.rate == earlier.rate:
            earlier.role = "revised"


def _refused(before: str) -> bool:
    """Whether the words just before a number refuse it (``can't do``), and no comparative intervenes."""
    negations = list(_NEGATION_RE.finditer(before))
    if not negations:
        return False
    tail = before[negations[-1].end() :]
    return not _COMPARATIVE_RE.search(tail) and len(tail.split()) <= 6


def _pick(own: list[_Mention], text: str, speaker: Speaker) -> _Mention:
    """The offer among the own timelines: the last, or the listener's bound of the range it closes (rule 4)."""
    return _pick_group(own, text, speaker)[0]


def _pick_group(own: list[_Mention], text: str, speaker: Speaker) -> tuple[_Mention, list[_Mention]]:
    """The offer (see :func:`_pick`) and the range or alternatives it belongs to (just itself when alone)."""
    group = [own[-1]]
    for mention in reversed(own[:-1]):
        between = text[mention.end : group[0].start].strip()
        if between not in _RANGE_CONNECTORS and between != "and" and not group[0].alternative:
            break
        group.insert(0, mention)
    if speaker == "debtor":
        return min(group, key=lambda m: m.value), group
    return max(group, key=lambda m: m.value), group


def _judges_own_terms(text: str, start: int, end: int, own_terms: list[_Mention]) -> bool:
    """Whether the acceptance cue at ``text[start:end]`` is a verdict on one of the client's own terms.

    ``90 days is fair``, ``Friday works for me``, ``25 days is doable``, ``I can live with 90 days``: the cue is said
    of the client's own number, so it proposes that number; it accepts nothing on the table. ``I agree``, ``deal``
    and a verdict said of nothing (``works for me, 90 days``) are not verdicts on own terms.
    """
    verdict = _VERDICT_RE.search(text, start, end)
    if verdict is None:
        return False
    for term in own_terms:
        if term.end <= verdict.start() and _VERDICT_GAP_RE.fullmatch(text, term.end, verdict.start()):
            return True  # the term is the subject: "90 days is fair"
        object_gap = text[verdict.end() : term.start] if term.start >= verdict.end() else "-"
        if verdict.group().endswith("with") and not object_gap.strip():
            return True  # the term is the object: "I can live with 90 days"
    return False


def _live_accept_positions(text: str, own_terms: list[_Mention] | None = None) -> list[int]:
    """Where acceptance cues start, outside questions and outside refusals such as ``not acceptable``.

    A verdict on one of ``own_terms`` (see :func:`_judges_own_terms`) is no acceptance cue.
    """
    cleaned = _REJECT_RE.sub(lambda m: " " * len(m.group()), text)
    sentences = _boundaries(cleaned, _SENTENCE_END_RE)
    positions: list[int] = []
    for start, end in sentences:
        sentence = cleaned[start:end]
        if "?" in sentence:  # "would 60 days work?" asks; it does not accept
            continue
        positions.extend(
            start + m.start()
            for m in _ACCEPT_RE.finditer(sentence)
            if not _judges_own_terms(cleaned, start + m.start(), start + m.end(), own_terms or [])
        )
    # A bare "ok", "yes", "deal" or 👍 opening the message accepts, alone or followed by thanks or by a step that
    # carries the deal out ("ok, send me the paperwork", "yes, I'll pay then"). Followed by anything else it only
    # acknowledges: "ok, I understand", "ok, see you Friday", "yes, this is John" and "Great, this is really helpful."
    # agree to nothing.
    clauses = re.split(r"[,.;!?:—]|\bbut\b", cleaned.strip(), maxsplit=1)
    first_clause, rest = clauses[0].strip(), (clauses[1] if len(clauses) > 1 else "")
    remark = bool(re.sub(r"\b(?:thanks|thank you|then|please)\b|\W", "", rest.lower()))
    if _LEADING_ACCEPT_RE.match(first_clause) and (
        not remark or _EXPLICIT_LEADING_RE.match(first_clause) or _CARRY_OUT_RE.search(rest)
    ):
        positions.append(len(cleaned) - len(cleaned.lstrip()))
    return sorted(positions)


def _hedged(text: str, accepts: list[int]) -> bool:
    """Whether an acceptance with no terms of its own is held back ("sounds great, but let me check my budget")."""
    if _HESITATION_RE.search(text):
        return True
    return any(m.start() > accepts[0] for m in _CONTRAST_RE.finditer(text))


# Scorn refuses the terms only when aimed at them ("your offer is ridiculous", "what an absurd deal") or said alone
# ("That's ridiculous."); "This is ridiculous, you people keep calling my mother" is a complaint, not a refusal.
_SCORN_ALONE_RE: Final = re.compile(
    r"^\W*(?:(?:wow|come on|seriously|omg)\W+)?(?:(?:that|this|it)\s*(?:'s|s|is|sounds|seems)\s+)?"
    r"(?:\w+ly\s+|so\s+|just\s+)?(?:ridiculous|absurd|outrageous|insulting|laughable)\W*$"
)
_SCORNED_TERMS_RE: Final = re.compile(
    r"\b(?:offers?|deals?|proposals?|terms|plans?|amounts?|numbers?|deadlines?|timelines?|demands?|requests?)\b"
    r"(?:\s+(?:is|are|sounds|seems|looks))?(?:\s+\w+)?\s+(?:ridiculous|absurd|outrageous|insulting|laughable)\b"
    r"|\b(?:ridiculous|absurd|outrageous|insulting|laughable)\s+(?:\w+\s+)?(?:offers?|deals?|proposals?|terms|plans?"
    r"|amounts?|demands?|requests?)\b"
)


def _scorns_terms(text: str) -> bool:
    """Whether scorn refuses the terms: aimed at them, or the whole message (``That's ridiculous!``)."""
    return bool(_SCORNED_TERMS_RE.search(text) or _SCORN_ALONE_RE.match(text))


def _rejects(text: str) -> bool:
    first_clause = re.split(r"[,.;!?:—]", text.strip(), maxsplit=1)[0].strip()
    return bool(_REJECT_RE.search(text) or _LEADING_REJECT_RE.match(first_clause) or _scorns_terms(text))


def _full_payment_stated(text: str) -> bool:
    """Whether the client says they will pay the whole balance: a full-payment and a payment cue in one sentence.

    The payment must be the client's offer: not refused (``I can't pay it all``) and not history (``I've been paying
    $50 a week and the balance barely moves``), judged on the words of its clause before the payment cue.
    """
    clauses = _boundaries(text, _CLAUSE_BREAK_RE)
    for start, end in _boundaries(text, _SENTENCE_END_RE):
        if not _full_cue(text[start:end]):
            continue
        for pay in _PAY_CUE_RE.finditer(text, start, end):
            before = text[_piece_at(clauses, pay.start())[0] : pay.start()]
            past = _PAST_PAYMENT_RE.search(before) or (pay.group() == "paid" and _PAST_PAID_RE.search(before))
            if not _NEGATION_RE.search(before) and not past:
                return True
    return False


# A payment told as the past ("I've been paying", "I was paying", "I already paid"): no offer to pay it all.
_PAST_PAYMENT_RE: Final = re.compile(r"\b(?:ago|been|was|were|used to|previously|already)\b")
_PAST_PAID_RE: Final = re.compile(r"\b(?:i|we|i'?ve|we'?ve|i have|we have|had)\s+$")


def _round_days(days: float) -> int:
    return min(math.floor(days + 0.5), MAX_DAYS)  # half up: "two and a half weeks" is 18 days, not 17


@dataclass(frozen=True)
class _Reading:
    """Everything the rules found in one message, before the act is decided."""

    text: str
    mentions: list[_Mention]
    dates: tuple[tuple[int, int], ...] = ()  # every date phrase, a payment date or not ("Friday works for a call")

    def of(self, kind: _Kind, role: _Role) -> list[_Mention]:
        return [m for m in self.mentions if m.kind == kind and m.role == role]


def _read(text: str, terms: Terms | None = None) -> _Reading:
    norm = _normalise(text)
    tokens = _tokenise(norm)
    cues = _blank_specials(norm, tokens)
    mentions = _settle_paid_now(list(_scan(tokens)), cues)
    if terms is not None and terms.reference_date is not None:
        mentions = _with_dates(mentions, norm, cues, terms)
    _assign_roles(mentions, cues)
    _mark_revisions(mentions, cues)
    _drop_first_payment_deadlines(mentions, cues)
    dates: tuple[tuple[int, int], ...] = ()
    if terms is not None and terms.reference_date is not None:
        _drop_partial_payment_dates(mentions, cues, terms.balance)
        dates = tuple((d.start, d.end) for d in find_dates(norm, terms.reference_date))
    return _Reading(cues, mentions, dates)


# A payment date only counts in a sentence about paying; "now" only beside a full payment (rule 6).
_PAY_CUE_RE: Final = re.compile(
    r"\b(?:pay|paying|paid|send|sending|transfer|wire|settle|clear|cover|deposit|discharge|have (?:it|the money"
    r"|the (?:full|whole)|everything|all)|get (?:it|you) (?:the money|paid)|make (?:the|a|my|one) (?:full )?payment"
    r"|in full|lump[- ]?sum|(?:single|one) payment)\b"
)
_FULL_RE: Final = re.compile(
    r"\b(?:in full|it all|all of it|all that|everything|every cent|every penny"
    # "$50 toward the balance" is a part payment, not the whole of it; "the whole time" is no amount.
    rf"|(?<!toward )(?<!towards )(?<!against )(?<!into )(?<!down ){_THE} (?:(?:whole|full|entire|total)"
    rf"(?! (?:time|day|days|week|weeks|month|months|year|years|while|way|process|situation)\b)(?: \w+)?|{_BALANCE}"
    rf"|debt|lot)|(?:pay|paying|paid|clear|clearing|cleared|settle|settling) (?:(?:it|this|that|{_THE} \w+) )?off"
    # Telegraphic: "Full amount by 6/30", "Whole balance, tomorrow", "full payment on the 28th".
    rf"|(?:full|whole|entire|total) (?:{_AMOUNT_WORD}|{_BALANCE}|sum|payment|thing|debt|bill|lot)"
    r"|(?:pay|paying|clear|clearing|settle|settling|cover)(?: \w+){0,2}? (?:completely|entirely|fully)|in its entirety"
    rf"|all i owe|what i owe|{_THE} {_AMOUNT_WORD} owed|{_THE} lump sum|in one go|in a single go|one payment"
    r"|one lump[- ]?sum|(?:a|one) single (?:lump[- ]?sum )?payment|single lump[- ]?sum|in one (?:shot|hit)|all at once"
    r")\b"
)


def _full_cue(piece: str) -> bool:
    """Whether ``piece`` names a full payment the speaker does not refuse: "I can't pay it all" names none."""
    clauses = _boundaries(piece, _CLAUSE_BREAK_RE)
    for cue in _FULL_RE.finditer(piece):
        before = piece[_piece_at(clauses, cue.start())[0] : cue.start()]
        if not _refused(" ".join(before.split()[-8:])):
            return True
    return False


# "The balance" after a first payment is the rest of it: "$300 on Friday and the balance by the end of the month".
_REST_RE: Final = re.compile(
    rf"\b(?:{_THE} rest|{_THE} remainder|remaining|what'?s left|whatever is left|what remains|{_THE} leftover"
    rf"|everything else|{_THE} other|(?:and|then|plus) (?:\w+ ){{0,3}}?{_THE} (?:outstanding )?{_BALANCE})\b"
)


def _settle_paid_now(mentions: list[_Mention], cues: str) -> list[_Mention]:
    """Decide what bare numbers said as paid now (``250 now``) are: money in a message about paying, else as before.

    A message is about paying when it has a payment cue (``pay``, ``send``...), names the rest of the balance, or
    names another amount (``250 now and 150 a month after that``). Elsewhere ``maybe 40 now?`` is still 40 days.
    """
    about_paying = (
        _PAY_CUE_RE.search(cues) is not None
        or _REST_RE.search(cues) is not None
        or any(m.kind == "amount" and m.unless_paying is None for m in mentions)
    )
    settled = []
    for mention in mentions:
        if mention.unless_paying is not None and not about_paying:
            if mention.unless_paying == "nothing":
                continue
            mention = dataclasses.replace(mention, kind="days", first=False)
        settled.append(mention)
    return settled


def _with_dates(mentions: list[_Mention], norm: str, cues: str, terms: Terms) -> list[_Mention]:
    """``mentions`` with the payment dates of the message added as timelines from the reference date (rule 6).

    A date counts in a sentence about paying: one with a payment, full-payment or rest cue, or one naming an
    amount of at least the balance that is not the debt itself (``I can do 5k by the end of the month``).
    """
    assert terms.reference_date is not None  # for mypy: the caller checks
    reference = terms.reference_date
    sentences = _boundaries(cues, _SENTENCE_END_RE)
    clauses = _boundaries(cues, _CLAUSE_BREAK_RE)
    # "the 2 months": a timeline already read there.
    dates = [d for d in find_dates(norm, reference) if not any(m.start < d.end and d.start < m.end for m in mentions)]
    timelines = [d.start for d in dates] + [m.start for m in mentions if m.kind == "days"]
    found = []
    for date in dates:
        anchored = _anchored_timeline(mentions, cues, date.start)
        if anchored is not None:
            # "within 45 days of today's date", "two weeks from Friday": the date is where the timeline starts.
            anchored.value += max((date.date - reference).days, 0)
            anchored.end = date.end
            continue
        start, end = _piece_at(sentences, date.start)
        sentence = cues[start:end]
        if _narrative_date(date.start, [d.start for d in dates], mentions, cues, (start, end), clauses):
            continue
        amounts = [m for m in mentions if m.kind == "amount" and start <= m.start < end]
        balance = terms.balance
        whole = (
            balance is not None
            and not _AMOUNT_CONTEXT_RE.search(sentence)
            and any(m.value >= balance - 0.005 for m in amounts)
        )
        about_paying = whole or _pays(sentence) or _judged(cues, date.end, end)
        full = not about_paying and _dated_by_neighbour(
            cues, sentences, (start, end), (date.start, date.end), timelines
        )
        if not about_paying and not full:
            continue  # "can we talk tomorrow?" names no payment date
        named_amount = bool(amounts)
        if date.now and not (full or _full_cue(sentence)) and not named_amount:
            continue  # "now I can do 60 days": "now" is "at this point" unless a payment is named with it
        delta = (date.date - reference).days
        # Paying today is the shortest term a timeline carries: one day. A date already past stays negative.
        value = float(max(delta, 1) if delta >= 0 else delta)
        found.append(_Mention("days", value, date.start, date.end, date=date.date, full=full))
    return sorted(mentions + found, key=lambda m: m.start)


# A date told with something other than a payment: "can we talk on Friday?", "I got your letter on Monday".
_EVENT_RE: Final = re.compile(
    r"\b(?:call|calls|called|calling|phone|talk|talked|talking|speak|spoke|chat|meet|meeting|met|email|emailed|"
    r"letter|text|texted|message|appointment|discuss|discussed|contact|reach|available|free)\b"
)
# Words in a payment sentence that point at the date of the sentence before: "I'll pay the full balance that day".
_ANAPHOR_RE: Final = re.compile(r"\b(?:that day|that date|by then|then|that'?s when)\b")


def _judged(cues: str, date_end: int, sentence_end: int) -> bool:
    """Whether a verdict is said of the date ending at ``date_end``: "Friday works for me" offers to pay then.

    Such a date is a term of the client's own (rule 5), unless the sentence is about a call or a meeting.
    """
    verdict = _VERDICT_RE.search(cues, date_end, sentence_end)
    if verdict is None or not _VERDICT_GAP_RE.fullmatch(cues, date_end, verdict.start()):
        return False
    return not _EVENT_RE.search(cues[:sentence_end])


def _dated_by_neighbour(
    cues: str, sentences: list[tuple[int, int]], sentence: tuple[int, int], date: tuple[int, int], timelines: list[int]
) -> bool:
    """Whether a date in a sentence naming no payment dates the full payment in the sentence next to it.

    "thursday. the whole thing.": a date on its own beside a full payment with no date of its own; "My payout
    arrives January 8th; I'll pay the full balance that day.": the next sentence points back at it. The payment
    sentence must pay (``I'll pay it all``) or be a fragment itself (``the whole thing.``); a date told with a call
    or a meeting dates nothing.
    """
    own = cues[sentence[0] : date[0]] + cues[date[1] : sentence[1]]
    if _EVENT_RE.search(own):
        return False
    fragment = len(re.findall(r"[a-z']+|\d+", own)) <= 2  # "thursday.", "how about friday?"
    index = sentences.index(sentence)
    for neighbour_index in (index - 1, index + 1):
        if not 0 <= neighbour_index < len(sentences):
            continue
        start, end = sentences[neighbour_index]
        neighbour = cues[start:end]
        if any(start <= t < end for t in timelines) or not _full_cue(neighbour):
            continue  # a payment with a timeline of its own, or no full payment
        if not _PAY_CUE_RE.search(neighbour) and len(neighbour.split()) > 4:
            continue  # "The whole thing is a mess" pays nothing
        if fragment or (neighbour_index == index + 1 and _ANAPHOR_RE.search(neighbour)):
            return True
    return False


def _pays(piece: str) -> bool:
    """Whether a piece of text names a payment: a payment, full-payment or rest cue."""
    return bool(_PAY_CUE_RE.search(piece) or _REST_RE.search(piece)) or _full_cue(piece)


_ANCHOR_RE: Final = re.compile(r"\s*(?:from|of|after|starting|counting from|starting from)\s+")


def _anchored_timeline(mentions: list[_Mention], cues: str, date_start: int) -> _Mention | None:
    """The timeline a date is the start of ("45 days of today's date", "30 days from now"), or ``None``."""
    for mention in mentions:
        timeline = mention.kind == "days" and mention.date is None and mention.end <= date_start
        if timeline and _ANCHOR_RE.fullmatch(cues, mention.end, date_start):
            return mention
    return None


def _narrative_date(
    position: int,
    dates: list[int],
    mentions: list[_Mention],
    cues: str,
    sentence: tuple[int, int],
    clauses: list[tuple[int, int]],
) -> bool:
    """Whether the date at ``position`` only tells the story, while another clause of its sentence pays on a date.

    "Following our phone call on Monday, I will pay the full balance on the 25th": Monday's clause names no payment,
    the 25th's does, so Monday is no term. A date in a clause of its own beside a payment with no date ("I'll pay
    it all, on Friday") still dates that payment.
    """
    clause = _piece_at(clauses, position)
    if _pays(cues[slice(*clause)]):
        return False
    timelines = dates + [m.start for m in mentions if m.kind == "days"]
    for other in timelines:
        other_clause = _piece_at(clauses, other)
        if sentence[0] <= other < sentence[1] and other_clause != clause and _pays(cues[slice(*other_clause)]):
            return True
    return False


_JOINED_RE: Final = re.compile(r"\b(?:and|then|plus)\b|,")


def _drop_first_payment_deadlines(mentions: list[_Mention], cues: str) -> None:
    """Exclude the deadline of a first payment when the rest has a timeline of its own (rule 6).

    "An initial payment of $1,500 within 7 days, with the remaining balance paid in full within 120 days": the 7
    days are the first payment's, the 120 the plan's, so there is no competing timeline.
    """
    sentences = _boundaries(cues, _SENTENCE_END_RE)
    for mention in mentions:
        if mention.kind != "days" or mention.date is not None or mention.role != "own":
            continue
        start, end = _piece_at(sentences, mention.start)
        rest = _REST_RE.search(cues, mention.end, end)
        if rest is None:
            continue
        own = [m for m in mentions if m.role == "own" and start <= m.start < end]
        first_payment = any(m.kind == "amount" and not m.rate and m.start < rest.start() for m in own)
        rest_timeline = any(m.kind == "days" and m.start >= rest.start() for m in own)
        if first_payment and rest_timeline:
            mention.role = "excluded"


def _drop_partial_payment_dates(mentions: list[_Mention], cues: str, balance: float | None) -> None:
    """Exclude the date of a part payment ("$50 on Friday"), which sets no timeline; "the rest on the 15th" does.

    With a first payment and the rest in one sentence ("put 1k down today and pay off the remainder within 60 days"),
    a date before the rest is the first payment's, whatever full-payment words ("pay off") the sentence holds.
    """
    sentences = _boundaries(cues, _SENTENCE_END_RE)
    for mention in mentions:
        if mention.date is None or mention.role != "own":
            continue
        span = _piece_at(sentences, mention.start)
        sentence = cues[slice(*span)]
        amounts = [m for m in mentions if m.kind == "amount" and m.role == "own" and span[0] <= m.start < span[1]]
        rest = _REST_RE.search(sentence)
        if rest is not None:
            rest_at = span[0] + rest.start()
            # "On Friday I'll pay the rest" dates the rest; "half today and the rest..." dates a first payment.
            first_payment = any(not m.rate and m.start < rest_at for m in amounts) or _JOINED_RE.search(
                cues[mention.end : rest_at]
            )
            if mention.start < rest_at and first_payment:
                mention.role = "excluded"
            continue
        if mention.full or _full_cue(sentence):
            continue
        if any(balance is None or m.value < balance - 0.005 or m.rate for m in amounts):
            mention.role = "excluded"


def _mark_echoes(reading: _Reading, standing_offer_days: int | None) -> None:
    """Treat the standing offer repeated in a question ("Thirty days!?") as theirs: an echo, not an acceptance.

    With nothing on the table yet, a timeline asked about and then refused ("Thirty days? That's impossible.") is the
    creditor's (from a letter or an earlier call) echoed back, not the client's own proposal.
    """
    questions = [span for span in _boundaries(reading.text, _SENTENCE_END_RE) if "?" in reading.text[slice(*span)]]
    if standing_offer_days is None:
        outside = list(reading.text)
        for start, end in questions:
            outside[start:end] = " " * (end - start)
        if not _rejects("".join(outside)):
            return
        for mention in reading.of("days", "own"):
            if any(start <= mention.start < end for start, end in questions):
                mention.role = "theirs"
        return
    for mention in reading.of("days", "own"):
        in_question = any(start <= mention.start < end for start, end in questions)
        if in_question and _round_days(mention.value) == standing_offer_days:
            mention.role = "theirs"


class RuleOfferParser(OfferParser):
    """The deterministic parser: hand-written rules over words, numbers and cue phrases (see the module docstring).

    It needs no model, no data and no network, and it gives the same answer for the same input every time.
    """

    def _parse(self, text: str, speaker: Speaker, standing_offer_days: int | None) -> Offer:
        return self._parse_with_terms(text, speaker, standing_offer_days, Terms())

    def _parse_with_terms(self, text: str, speaker: Speaker, standing_offer_days: int | None, terms: Terms) -> Offer:
        norm = _normalise(text)
        reading = _read(text, terms)
        _mark_echoes(reading, standing_offer_days)
        offer = _decide(text, reading, speaker, standing_offer_days, terms)
        # Doubts about the numbers themselves outrank doubts about what was meant by them.
        garbled = list(_GARBLED_RE.finditer(norm))
        if garbled:
            names = ", ".join(repr(g.group().strip()) for g in garbled)
            note = f"{names} is not a number of days or a date anyone can act on"
            offer = dataclasses.replace(offer, doubt="unreadable_number", note=note)
            if offer.act in ("accept", "other") and any(_proposes_garbled_timeline(norm, g) for g in garbled):
                # "I need 10^9 days" puts terms on the table that must be confirmed: a proposal, never an acceptance,
                # and with no days unless the message names a readable timeline of its own.
                days = offer.days if offer.span is not None else None
                offer = dataclasses.replace(offer, days=days, act="propose")
            return offer
        negative = _NEGATIVE_RE.search(norm)
        if negative:
            note = f"{negative.group()!r} is a negative timeline"
            return Offer(None, "other", offer.amount, offer.instalments, doubt="implausible", note=note)
        return offer


def _proposes_garbled_timeline(norm: str, garbled: re.Match[str]) -> bool:
    """Whether a garbled number is a timeline (a unit follows it) that the speaker does not refuse."""
    if not _UNIT_AFTER_RE.match(norm, garbled.end()):
        return False
    clause_start, _ = _piece_at(_boundaries(norm, _CLAUSE_BREAK_RE), garbled.start())
    before = norm[clause_start : garbled.start()]
    return not _refused(" ".join(before.split()[-8:]))


def _decide(text: str, reading: _Reading, speaker: Speaker, standing_offer_days: int | None, terms: Terms) -> Offer:
    """The offer in a read message: rules 4 to 6 of the module docstring, with the doubts they raise."""
    own_amounts = reading.of("amount", "own")
    own_instalments = reading.of("instalments", "own")
    amount = own_amounts[-1].value if own_amounts else None
    instalments = int(own_instalments[-1].value) if own_instalments else None
    accepts = _live_accept_positions(reading.text, _own_terms(reading))
    contrasts = [m.start() for m in _CONTRAST_RE.finditer(reading.text)]
    own = reading.of("days", "own")
    if own:
        chosen, group = _pick_group(own, reading.text, speaker)
        days = _round_days(chosen.value)
        # "ok, but I need 90 days": the acceptance is withdrawn by the counter that follows it.
        accepting = any(not any(a < c < chosen.start for c in contrasts) for a in accepts)
        on_the_table = standing_offer_days is None or days == standing_offer_days
        act: Act = "accept" if (accepting and on_the_table) or days == standing_offer_days else "propose"
        offer = Offer(days, act, amount, instalments, text[chosen.start : chosen.end])
        offer = _terms_of(offer, chosen, reading, terms)
        others = sorted({_round_days(m.value) for m in own} - {_round_days(m.value) for m in group})
        if chosen.value > MAX_DAYS:
            note = f"{offer.span!r} is beyond ten years ({MAX_DAYS} days), the longest plan there is"
            return dataclasses.replace(offer, doubt="implausible", note=note)
        if others:
            stated = ", ".join(str(d) for d in [*others, days])
            note = f"the message names different timelines ({stated} days); which one is meant?"
            return dataclasses.replace(offer, doubt="several_numbers", note=note)
        if standing_offer_days is not None and days != standing_offer_days and _accepts_explicitly(reading, chosen):
            note = f"the client agrees but names {days} days, not the {standing_offer_days} days on the table"
            return dataclasses.replace(offer, doubt="conflicting_accept", note=note)
        return offer
    rated = _rate_offer(reading, terms, standing_offer_days)
    if rated is not None:
        return rated
    if accepts and _hedged(reading.text, accepts):
        return Offer(None, "other", amount, instalments)
    full_payment = _full_payment_stated(reading.text)
    if accepts and not full_payment:
        quoted = reading.of("days", "theirs")
        if quoted:
            days = _round_days(quoted[-1].value)
            span = text[quoted[-1].start : quoted[-1].end]
            if standing_offer_days is not None and days != standing_offer_days:
                note = f"the client agrees to {days} days, but {standing_offer_days} days are on the table"
                return Offer(days, "accept", amount, instalments, span, doubt="conflicting_accept", note=note)
            return Offer(days, "accept", amount, instalments, span)
        return Offer(standing_offer_days, "accept", amount, instalments)
    if not accepts and (_rejects(reading.text) or reading.of("days", "negated")):
        return Offer(None, "reject", amount, instalments)
    if full_payment:
        # "fine. ill pay the whole 2300": a grudging "fine" before the client's own terms accepts nothing.
        full = terms.balance if terms.balance is not None else amount
        return Offer(
            None, "propose", full, instalments, basis="in_full", doubt="unclear_date",
            note="the client offers to pay in full but names no date",
        )  # fmt: skip
    if amount is not None or instalments is not None:
        return Offer(None, "propose", amount, instalments)
    return Offer(None, "other")


def _money(value: float) -> str:
    return f"{value:,.2f}"


def _days(days: int | None) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _terms_of(offer: Offer, chosen: _Mention, reading: _Reading, terms: Terms) -> Offer:
    """Say how a timeline was stated: a date, the whole balance on a date, or a lump sum now and the rest later."""
    lumps = [m for m in reading.of("amount", "own") if not m.rate]
    lump = lumps[0].value if lumps else None
    balance = terms.balance
    rest = bool(_REST_RE.search(reading.text))
    when = f" by {chosen.date.isoformat()}" if chosen.date is not None else f" within {offer.days} days"
    pay_date = chosen.date.isoformat() if chosen.date is not None else None
    if lump is not None and rest and (balance is None or lump < balance):
        remaining = f" (the remaining {_money(balance - lump)})" if balance is not None else ""
        note = f"{_money(lump)} first and the rest{remaining}{when}"
        return dataclasses.replace(offer, amount=lump, basis="lump_sum", pay_date=pay_date, note=note)
    sentence = reading.text[slice(*_piece_at(_boundaries(reading.text, _SENTENCE_END_RE), chosen.start))]
    if chosen.date is None:
        return _timeline_terms(offer, sentence, terms)
    full = chosen.full or _full_cue(sentence) or (balance is not None and lump is not None and lump >= balance - 0.005)
    if full:
        whole = balance if balance is not None else lump
        note = f"the full balance{'' if whole is None else ' of ' + _money(whole)}{when} ({_days(offer.days)})"
        return dataclasses.replace(offer, amount=whole, basis="in_full", pay_date=pay_date, note=note)
    note = f"a payment{when} ({_days(offer.days)}), but not how much: the full balance, or a first payment?"
    return dataclasses.replace(offer, basis="date", pay_date=pay_date, doubt="unclear_amount", note=note)


def _timeline_terms(offer: Offer, sentence: str, terms: Terms) -> Offer:
    """Say how a plain timeline was stated: in paychecks, and for the whole balance when the sentence says so."""
    how = None
    if any(unit in (offer.span or "").lower() for unit in _PAYCHECK_UNITS):
        how = f"{offer.span} at {PAYCHECK_DAYS} days a paycheck (a biweekly pay cycle): {_days(offer.days)}"
    stated = _full_payment_stated(sentence)  # "90 days is fair given everything" pays nothing in full
    if stated and terms.reference_date is not None and offer.days is not None and offer.days > 0:
        # "After four more paychecks I'll be able to clear it completely": the whole balance by that day.
        due = (terms.reference_date + dt.timedelta(days=offer.days)).isoformat()
        whole = f" of {_money(terms.balance)}" if terms.balance is not None else ""
        note = f"the full balance{whole} by {due}" + (f": {how}" if how else f" ({_days(offer.days)})")
        return dataclasses.replace(offer, amount=terms.balance, basis="in_full", pay_date=due, note=note)
    return dataclasses.replace(offer, note=how) if how else offer


def _rate_offer(reading: _Reading, terms: Terms, standing_offer_days: int | None) -> Offer | None:
    """The days an own instalment rate needs to clear the balance ("200 a month"), or ``None`` (rule 6)."""
    rates = [m for m in reading.of("amount", "own") if m.rate and m.period]
    if not rates or terms.balance is None:
        return None
    rate = rates[-1]
    assert rate.period is not None  # for mypy: filtered above
    # The lump sum: an amount paid down or now anywhere ("$200 a month after $500 down"), else one paid once before
    # the rate ("$500 on Friday and then $200 a month").
    lumps = [m for m in reading.of("amount", "own") if not m.rate and (m.first or m.start < rate.start)]
    down = lumps[-1].value if lumps and lumps[-1].value < terms.balance else 0.0
    payments = math.ceil((terms.balance - down) / rate.value - 1e-9) if rate.value > 0 else 0
    if payments < 1:
        return None
    raw = payments * rate.period
    days = _round_days(raw)
    act: Act = "accept" if days == standing_offer_days else "propose"
    if down:
        note = (
            f"{_money(down)} first, then {_money(rate.value)} every {rate.period:g} days clears the remaining "
            f"{_money(terms.balance - down)} in {payments} payments: {days} days"
        )
        offer = Offer(days, act, down, payments, basis="lump_sum", note=note)
    else:
        note = (
            f"{_money(rate.value)} every {rate.period:g} days clears the balance of {_money(terms.balance)} in "
            f"{payments} payments: {days} days"
        )
        offer = Offer(days, act, rate.value, payments, basis="instalments", note=note)
    if len({m.value for m in rates}) > 1:
        amounts = ", ".join(_money(v) for v in sorted({m.value for m in rates}))
        return dataclasses.replace(
            offer, doubt="several_numbers", note=f"the message names different rates ({amounts})"
        )
    if raw > MAX_DAYS:
        return dataclasses.replace(offer, doubt="implausible", note=f"{note}, beyond ten years")
    if standing_offer_days is not None and days != standing_offer_days and _accepts_explicitly(reading, rate):
        note = f"the client agrees but offers a rate that needs {days} days, not the {standing_offer_days} on the table"
        return dataclasses.replace(offer, doubt="conflicting_accept", note=note)
    return offer


def _accepts_explicitly(reading: _Reading, chosen: _Mention) -> bool:
    """Whether an explicit acceptance cue stands in the chosen timeline's sentence.

    Cues are ``I agree``, ``deal``, ``works for me`` and the like, not a leading ``ok``; one in a question, or withdrawn
    by a ``but`` before the number, does not count.
    """
    cleaned = _REJECT_RE.sub(lambda m: " " * len(m.group()), reading.text)
    start, end = _piece_at(_boundaries(cleaned, _SENTENCE_END_RE), chosen.start)
    sentence = cleaned[start:end]
    if "?" in sentence:
        return False
    if start == 0 and _EXPLICIT_LEADING_RE.match(sentence):
        return True  # "Deal — 90 days then."
    own_terms = _own_terms(reading)
    for cue in _ACCEPT_RE.finditer(sentence):
        position = start + cue.start()
        if _judges_own_terms(cleaned, position, start + cue.end(), own_terms):
            continue  # "90 days is fair" proposes 90 days; it agrees to nothing
        if not any(position < c.start() + start < chosen.start for c in _CONTRAST_RE.finditer(sentence)):
            return True
    return False


def _own_terms(reading: _Reading) -> list[_Mention]:
    """What a verdict such as ``is fair`` may be said of without accepting the table (see :func:`_judges_own_terms`).

    The client's own timelines, dates and amounts, and any other date: "Friday works for me for a call" agrees to a
    call, not to the standing offer.
    """
    own = [m for m in reading.mentions if m.role == "own" and m.kind in ("days", "amount")]
    return own + [_Mention("days", 0.0, start, end) for start, end in reading.dates]


_DEFAULT_PARSER: Final = RuleOfferParser()


def parse_offer(
    text: str,
    *,
    speaker: Speaker = "debtor",
    standing_offer_days: int | None = None,
    balance: float | None = None,
    reference_date: dt.date | None = None,
) -> Offer:
    """Parse the offer in one message with :class:`RuleOfferParser` (rules in the module docstring).

    Args:
        text: The message.
        speaker: ``debtor`` (the client) or ``creditor`` (the agent's side).
        standing_offer_days: The other side's offer currently on the table, if any.
        balance: The outstanding balance, to read rates and full payments (rule 6).
        reference_date: The day dates are counted from (rule 6); without it dates carry no timeline.

    Returns:
        The offer; ``Offer(None, "other")`` for an empty message.

    Raises:
        TypeError: ``text`` is not a string.
        ValueError: ``speaker`` is unknown, or ``standing_offer_days`` is negative.

    Examples:
        >>> parse_offer("I can't do 30, maybe 40?").days
        40
        >>> parse_offer("ok, 60 days works", standing_offer_days=60).act
        'accept'
        >>> parse_offer("I can pay $200 now").to_dict()  # doctest: +NORMALIZE_WHITESPACE
        {'days': None, 'act': 'propose', 'amount': 200.0, 'instalments': None, 'span': None, 'basis': None,
         'pay_date': None, 'doubt': None, 'note': None}
        >>> parse_offer("I'll pay it all tomorrow", balance=4850, reference_date=dt.date(2025, 3, 12)).note
        'the full balance of 4,850.00 by 2025-03-13 (1 day)'
    """
    return _DEFAULT_PARSER.parse(
        text,
        speaker=speaker,
        standing_offer_days=standing_offer_days,
        balance=balance,
        reference_date=reference_date,
    )


def states_offer(text: str, days: int) -> bool:
    """Whether a message states ``days`` as its own timeline and no other one.

    Used to check a drafted reply: quoting the other side (``your 120 days``), refusing a number (``we can't do
    90 days``), rates and account status (``90 days past due``) do not count as the speaker's timelines.

    Args:
        text: The message.
        days: The timeline it must state.

    Returns:
        ``True`` when the speaker's own timelines are exactly ``days`` (named at least once).

    Raises:
        TypeError: ``text`` is not a string.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    # Every own number counts, range bounds included: "45 to 60 days" states two timelines, not one.
    own = {_round_days(m.value) for m in _read(text).of("days", "own")}
    return own == {days}


# --------------------------------------------------------------------------------------------------------------
# Optional LLM extractor
# --------------------------------------------------------------------------------------------------------------


class OfferExtractionError(ValueError):
    """The model's answer was missing, malformed or outside the offer schema."""


class OfferExtraction(BaseModel):
    """The structured answer asked of a chat model: the offer in one negotiation message."""

    days: int | None = Field(
        default=None,
        ge=0,
        le=MAX_DAYS,
        description="Repayment timeline in days the speaker proposes or accepts (week=7, month=30, quarter=90, "
        "year=365); null when none, and always null for reject.",
    )
    act: Act = Field(
        description="propose: new terms; accept: agrees to the terms on the table; reject: refuses without a "
        "counter; other: no terms."
    )
    amount: float | None = Field(default=None, ge=0, description="Money the speaker offers to pay, if any.")
    instalments: int | None = Field(default=None, ge=1, description="Number of instalments offered, if any.")


_EXTRACTION_PROMPT: Final = """You read one message from a debt-collection negotiation and extract the offer in it.
The negotiated term is the repayment timeline in days: week = 7, month = 30, quarter = 90, year = 365.
Money amounts, dates, clock times, percentages, phone and account numbers are never timelines.
A number the speaker attributes to the other side ("you said 30 days") or refuses ("I can't do 30") is not theirs.
For a range the speaker offers, give the lower bound when the debtor speaks and the upper bound when the creditor does.
act: "propose" when the speaker puts new terms on the table, "accept" when they agree to the terms on the table,
"reject" when they refuse without a counter-offer (days null), "other" when the message holds no terms."""


class LLMOfferExtractor(OfferParser):
    """Offer extraction by a chat model with structured output, for messages the rules get wrong.

    Optional and never the default: the model must support ``with_structured_output`` (tool calling). The
    answer is validated against :class:`OfferExtraction`; an acceptance without a number accepts the standing
    offer, and a reject or other never carries days. Errors from the model call itself (network, quota) are not
    caught.

    Args:
        model: A LangChain chat model.

    Raises:
        OfferExtractionError: The model does not support structured output.
    """

    def __init__(self, model: BaseChatModel) -> None:
        try:
            self._structured: Runnable[Any, Any] = model.with_structured_output(OfferExtraction)
        except NotImplementedError as error:
            raise OfferExtractionError(
                f"{type(model).__name__} does not support structured output (tool calling)"
            ) from error

    def _parse(self, text: str, speaker: Speaker, standing_offer_days: int | None) -> Offer:
        from langchain_core.exceptions import OutputParserException
        from langchain_core.messages import HumanMessage, SystemMessage

        standing = "none" if standing_offer_days is None else f"{standing_offer_days} days"
        prompt = f"Speaker: {speaker}\nOffer currently on the table from the other side: {standing}\nMessage: {text}"
        try:
            answer = self._structured.invoke([SystemMessage(_EXTRACTION_PROMPT), HumanMessage(prompt)])
            if answer is None:  # the model replied in prose instead of calling the schema tool
                raise OfferExtractionError("the model returned no offer extraction (no structured answer)")
            extraction = answer if isinstance(answer, OfferExtraction) else OfferExtraction.model_validate(answer)
        except (OutputParserException, ValidationError) as error:
            raise OfferExtractionError(f"the model's offer extraction is malformed: {error}") from error
        days = extraction.days
        if extraction.act == "accept" and days is None:
            days = standing_offer_days
        if extraction.act in ("reject", "other"):
            days = None
        return Offer(days, extraction.act, extraction.amount, extraction.instalments)
