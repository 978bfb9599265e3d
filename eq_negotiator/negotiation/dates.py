"""Payment dates as clients say them, resolved against a reference date (never the wall clock).

:func:`find_dates` finds the date phrases in a lower-cased message and resolves each to a calendar day counted from
the reference date the caller passes (the scenario's, see :meth:`~eq_negotiator.scenario.Scenario.reference_day`).
The offer parser turns a resolved date into a timeline: the days from the reference date to it.

Decisions, each the latest day the client's words allow (a term is the latest day the money may arrive):

- ``today``, ``tonight``, ``now``, ``right now``, ``right away``, ``immediately``, ``straight away``, ``asap``: the
  reference date; ``tomorrow``: the next day; ``the day after tomorrow``: two days on.
- ``Friday``, ``on Friday``, ``this Friday``, ``by Friday``: the next Friday on or after the reference date (on a
  Friday, that is the same day). ``next Friday``: the Friday of next week (the week that starts on the coming
  Monday), as most people mean it; the reply states the resolved date, so a client who meant the nearer one can say.
- ``the 15th``, ``on the 15th``: the next 15th on or after the reference date; a day a month lacks (``the 31st`` in
  April) is that month's last day. ``March 3rd``, ``3 March``, ``the 20th of May``, ``2025-04-01``: that date, in the
  coming year when the day has passed this year. ``the 5th of next month``: one date, the 5th of the month after the
  reference month; ``the 5th of this month``: the reference month's 5th, even when it has passed (a past date).
- Numeric dates: ``by 2/27``, ``on 3/15``, ``2/15/2026``, ``2/15/26``. They are read month first, as in the US (the
  balances are in dollars and paychecks biweekly), unless only the day-first reading is a date (``15/2``); the reply
  states the resolved date, so a client who meant the other one can say. Without a year the date is the next one on
  or after the reference date. After a preposition (``on``, ``by``, ``before``, ``until``, ``due``) either reading
  will do; without one (``Full amount 6/30``, ``Would 8/22 work?``) only the month-first reading counts, and never a
  fraction (``1/2``, ``3/4 of it``: a first number below a second one up to 12, or ``of`` after it) nor a ratio, so
  ``24/7`` and ``50/50`` are no dates. With a year the date is exact, and may be past.
- ``end of the month``, ``end of this month``, ``month end``, ``before the month is over``, ``before the month
  ends``: the reference month's last day; ``end of next month``: the next month's last day. ``this week`` and ``next
  week``: that week's Sunday; ``next month``: its last day.
- ``my next paycheck``, ``next payday``: 14 days on, the latest a biweekly paycheck comes (:data:`PAYCHECK_DAYS`).
- A few common misspellings read as the word: ``tommorow``, ``tomorow``, ``2morrow``, ``wensday``, ``thrusday``,
  ``firday``... (a small fixed list, never a fuzzy match).

Words for *now* are returned with ``now=True``: the parser uses them only beside a full-payment cue, since ``now``
also just means "at this point" ("now I can do 60 days").
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

PAYCHECK_DAYS: Final[int] = 14
"""A pay period, as in ``in two paychecks`` (28 days) or ``my next paycheck`` (at the latest 14 days on): the
biweekly cycle, the most common one in the US; the parse result says so in its note."""

WEEKDAYS: Final[tuple[str, ...]] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Common misspellings, a small fixed list (never a fuzzy match): "wensday", "thrusday", "tommorow".
_WEEKDAY_TYPOS: Final[dict[str, str]] = {
    "wensday": "wednesday", "wendsday": "wednesday", "wednsday": "wednesday", "thrusday": "thursday",
    "thurday": "thursday", "tusday": "tuesday", "tuseday": "tuesday", "firday": "friday", "saterday": "saturday",
}  # fmt: skip
_TOMORROW_TYPOS: Final[tuple[str, ...]] = ("tommorow", "tomorow", "tommorrow", "tomorrw", "2morrow")
_WEEKDAY_RE = (
    r"(?P<weekday>mon(?:day)?|tue(?:s|sday)?|wed(?:nesday)?|thu(?:rs|rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|"
    + "|".join(_WEEKDAY_TYPOS)
    + ")"
)
_MONTH_SPELLINGS: Final[tuple[tuple[str, ...], ...]] = (
    ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
    ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
    ("dec", "december"),
)  # fmt: skip
_MONTH_NAMES: Final[dict[str, int]] = {
    name: number for number, names in enumerate(_MONTH_SPELLINGS, start=1) for name in names
}
_MONTH_RE = "|".join(sorted(_MONTH_NAMES, key=len, reverse=True))

_DATE_RE: Final = re.compile(
    r"\b(?P<iso>\d{4}-\d{2}-\d{2})\b"
    r"|\b(?P<after>(?:the )?day after tomorrow)\b"
    r"|\b(?P<now>right now|right away|immediately|straight away|asap|now)\b"
    rf"|\b(?P<today>today|tonight|tomorrow|tmrw|tmr|{'|'.join(_TOMORROW_TYPOS)})\b"
    r"|\b(?P<end>(?:the )?end of (?:the |this )?month|month'?s? end|(?:the )?end of next month"
    r"|(?:the|this) month (?:is (?:over|out|up|done)|ends))\b"
    # "the 5th of next month" is one date; it must win over "the 5th" and "next month" read apart.
    rf"|\b(?:(?:on|by|before|until) )?(?:the )?(?P<oday>\d{{1,2}})(?:st|nd|rd|th)? of "
    rf"(?P<omonth>next month|the next month|the following month|this month|the month|{_MONTH_RE})\b"
    r"|\b(?P<numeric>(?:(?:on|by|before|until|till|til|due|no later than) )(?P<num_a>\d{1,2})/(?P<num_b>\d{1,2})"
    r"(?!/\d)|(?P<ya>\d{1,2})/(?P<yb>\d{1,2})/(?P<year>\d{4}|\d{2}))\b"
    # A numeric date with no preposition ("Full amount 6/30", "Would 8/22 work?"): month first only, and never a
    # fraction ("1/2", "3/4 of it") or a ratio ("24/7", "50/50").
    r"|(?<![\w$£€./])(?P<bare_a>\d{1,2})/(?P<bare_b>\d{1,2})(?![\w/%]|\.\d| of\b)"
    r"|\b(?P<period>(?:this|next) (?:week|month))\b"
    rf"|\b(?P<rel>(?:this|next|on|by|before|until|this coming|coming) )?{_WEEKDAY_RE}\b"
    rf"|\b(?P<mname>{_MONTH_RE})\.? (?P<mday>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|\b(?P<dmday>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?(?P<dmname>{_MONTH_RE})\b"
    r"|\b(?P<payday>(?:my |the |our )?next (?:paycheck|paycheque|payday|pay day))\b"
    r"|\b(?:the|on|by|before|until) (?:the )?(?P<ordinal>\d{1,2})(?:st|nd|rd|th)\b"
)


@dataclass(frozen=True)
class DateMention:
    """A date phrase in a message, resolved.

    Attributes:
        start: Offset of the phrase in the message.
        end: Offset just after it.
        date: The day it names.
        now: Whether the phrase is a word for *now* (used only beside a full-payment cue).
    """

    start: int
    end: int
    date: dt.date
    now: bool = False


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _day_in_month(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_monthday(reference: dt.date, day: int) -> dt.date:
    candidate = _day_in_month(reference.year, reference.month, day)
    if candidate < reference:
        candidate = _day_in_month(*_next_month(reference.year, reference.month), day)
    return candidate


def _named_date(reference: dt.date, month: int, day: int) -> dt.date | None:
    if not 1 <= day <= 31:
        return None
    candidate = _day_in_month(reference.year, month, day)
    return candidate if candidate >= reference else _day_in_month(reference.year + 1, month, day)


def _ordinal_of(reference: dt.date, day: int, month: str) -> dt.date | None:
    """``the 5th of next month``, ``of this month`` or ``of May``."""
    if not 1 <= day <= 31:
        return None
    if "month" not in month:
        return _named_date(reference, _MONTH_NAMES[month], day)
    if month in ("this month", "the month"):
        return _day_in_month(reference.year, reference.month, day)
    return _day_in_month(*_next_month(reference.year, reference.month), day)


def _numeric_date(first: int, second: int, year: int, *, month_first_only: bool = False) -> dt.date | None:
    """``first/second`` in ``year``: month first, or day first when only that reading is a date; else ``None``."""
    readings = ((first, second),) if month_first_only else ((first, second), (second, first))
    for month, day in readings:
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return None


def _weekday(reference: dt.date, name: str, relation: str) -> dt.date:
    name = _WEEKDAY_TYPOS.get(name, name)
    target = next(i for i, full in enumerate(WEEKDAYS) if full.startswith(name[:3]))
    ahead = (target - reference.weekday()) % 7
    if relation.strip() == "next":
        start_of_next_week = reference + dt.timedelta(days=7 - reference.weekday())
        return start_of_next_week + dt.timedelta(days=target)
    return reference + dt.timedelta(days=ahead)


def _resolve(match: re.Match[str], reference: dt.date) -> dt.date | None:
    group = match.lastgroup
    text = match.group()
    if match["iso"]:
        try:
            return dt.date.fromisoformat(match["iso"])
        except ValueError:
            return None
    if match["after"]:
        return reference + dt.timedelta(days=2)
    if match["now"]:
        return reference
    if match["today"]:
        return reference if text in ("today", "tonight") else reference + dt.timedelta(days=1)
    if match["end"]:
        if "next" in text:
            return _last_day(*_next_month(reference.year, reference.month))
        return _last_day(reference.year, reference.month)
    if match["period"]:
        if text.endswith("week"):
            sunday = reference + dt.timedelta(days=6 - reference.weekday())
            return sunday + dt.timedelta(days=7) if text.startswith("next") else sunday
        if text.startswith("next"):
            return _last_day(*_next_month(reference.year, reference.month))
        return _last_day(reference.year, reference.month)
    if match["weekday"]:
        return _weekday(reference, match["weekday"], match["rel"] or "")
    if match["oday"]:
        return _ordinal_of(reference, int(match["oday"]), match["omonth"])
    if match["numeric"]:
        if match["year"]:
            year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
            return _numeric_date(int(match["ya"]), int(match["yb"]), year)
        first, second = int(match["num_a"]), int(match["num_b"])
        this_year = _numeric_date(first, second, reference.year)
        if this_year is None or this_year >= reference:
            return this_year
        return _numeric_date(first, second, reference.year + 1)
    if match["bare_a"]:
        month, day = int(match["bare_a"]), int(match["bare_b"])
        if month < day <= 12:
            return None  # a fraction: "1/2", "2/3", "3/4"
        this_year = _numeric_date(month, day, reference.year, month_first_only=True)
        if this_year is None or this_year >= reference:
            return this_year
        return _numeric_date(month, day, reference.year + 1, month_first_only=True)
    if match["mname"]:
        return _named_date(reference, _MONTH_NAMES[match["mname"]], int(match["mday"]))
    if match["dmname"]:
        return _named_date(reference, _MONTH_NAMES[match["dmname"]], int(match["dmday"]))
    if match["payday"]:
        return reference + dt.timedelta(days=PAYCHECK_DAYS)
    if match["ordinal"]:
        day = int(match["ordinal"])
        return _next_monthday(reference, day) if 1 <= day <= 31 else None
    raise AssertionError(f"unhandled date group {group!r}")  # pragma: no cover


def find_dates(text: str, reference: dt.date) -> list[DateMention]:
    """The date phrases in ``text`` (lower-cased), resolved against ``reference``.

    Args:
        text: The message, lower-cased (offsets are kept).
        reference: The day dates are counted from.

    Returns:
        One mention per phrase, in order; phrases that name no real day (``the 45th``) are left out.
    """
    mentions = []
    for match in _DATE_RE.finditer(text):
        day = _resolve(match, reference)
        if day is not None:
            mentions.append(DateMention(match.start(), match.end(), day, now=bool(match["now"])))
    return mentions
