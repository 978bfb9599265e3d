"""Offer parser accuracy on a gold batch of terms as clients state them (dates, rates, lump sums, doubt).

Each gold file holds debtor messages written and labelled by a helper that never saw the parser, its rules, its
tests or an earlier batch, after the parser was frozen, and was scored once on that parser (issue 14):

* ``offer_gold.jsonl`` (189 rows): scored on the parser of 0b605f6 (days 0.873, act 0.937); the parser was then
  widened for the phenomena it showed, so scores on it since are fit, not generalisation;
* ``offer_gold2.jsonl`` (195 rows, a slightly refined contract: implausible timelines read as the ten-year cap, no
  "next <weekday>"): scored on the parser of c1b8790 (days 0.944, act 0.933); widened again after it;
* ``offer_gold3.jsonl`` (194 rows, the same contract): scored on the parser of 02cbca0 (days 0.954, act 0.969,
  doubt 0.959). Its one false acceptance ("yeah ok, if we can do 120 I'm in" accepted the 60 on the table) was
  fixed after the score.

Each row carries the scenario facts the graph passes (balance, reference date, the standing offer) and the gold
``days``, ``act`` and whether the agent must ask the client to confirm (``doubt``).

Usage: python benchmarks/offers.py [--gold FILE] [--show-errors]
The last line printed is one JSON object: ``days_exact``, ``act``, ``doubt`` (accuracy of "asks to confirm"), the
row count, and per-form days accuracy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from eq_negotiator.negotiation.offers import parse_offer

GOLD = Path(__file__).resolve().parent / "data" / "offer_gold3.jsonl"


def score(rows: list[dict[str, Any]], show_errors: bool = False) -> dict[str, Any]:
    """Parse every row and compare days, act and doubt with the gold labels."""
    days_hits = act_hits = doubt_hits = 0
    per_form: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        offer = parse_offer(
            row["text"],
            standing_offer_days=row["standing_offer_days"],
            balance=row["balance"],
            reference_date=dt.date.fromisoformat(row["reference_date"]),
        )
        days_ok, act_ok, doubt_ok = (
            offer.days == row["days"],
            offer.act == row["act"],
            (offer.doubt is not None) == row["doubt"],
        )
        days_hits, act_hits, doubt_hits = days_hits + days_ok, act_hits + act_ok, doubt_hits + doubt_ok
        per_form[row["form"]][0] += days_ok
        per_form[row["form"]][1] += 1
        if show_errors and not (days_ok and act_ok and doubt_ok):
            print(
                f"{row['form']}: {row['text']!r} gold {row['days']}/{row['act']}/{row['doubt']}"
                f" got {offer.days}/{offer.act}/{offer.doubt} ({offer.note})"
            )
    n = len(rows)
    return {
        "rows": n,
        "days_exact": round(days_hits / n, 3),
        "act": round(act_hits / n, 3),
        "doubt": round(doubt_hits / n, 3),
        "days_exact_per_form": {form: round(hit / total, 2) for form, (hit, total) in sorted(per_form.items())},
    }


def main() -> None:
    """Score the gold batch and print the figures, the last line as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=GOLD, help="gold batch to score (JSON lines)")
    parser.add_argument("--show-errors", action="store_true", help="print each row the parser gets wrong")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    print(json.dumps(score(rows, args.show_errors)))


if __name__ == "__main__":
    main()
