"""``eqn offer``: read the offers in negotiation messages with the deterministic parser."""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from enum import Enum
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

offer_app = typer.Typer(help="Read negotiation offers (repayment timelines) from messages.", no_args_is_help=True)

err = Console(stderr=True, highlight=False, emoji=False)


class SpeakerChoice(str, Enum):
    """Who wrote the messages (typer shows the values as the option's choices)."""

    debtor = "debtor"
    creditor = "creditor"


@offer_app.command("parse")
def parse_command(
    speaker: Annotated[
        SpeakerChoice, typer.Option("--speaker", help="Who wrote the messages; decides which bound of a range counts.")
    ] = SpeakerChoice.debtor,
    standing_offer: Annotated[
        int | None,
        typer.Option("--standing-offer", min=0, help="The other side's offer on the table, in days."),
    ] = None,
    balance: Annotated[
        float | None,
        typer.Option(
            "--balance", min=0.01, help="The outstanding balance, to read instalment rates and full payments."
        ),
    ] = None,
    reference_date: Annotated[
        str | None,
        typer.Option(
            "--reference-date",
            metavar="YYYY-MM-DD",
            help="The day the messages were written; dates ('this Friday', 'the 15th') count from it.",
        ),
    ] = None,
) -> None:
    """Parse one message per line of stdin; print one JSON object per line: text, days, act, amount, basis, doubt.

    Without --balance and --reference-date, rates ("200 a month") and dates ("next Friday") carry no days: the
    parser never guesses the balance or reads the wall clock. `doubt` names why the terms must be confirmed first.

    Every input line gets an output line; a blank line reads as act "other".
    A line that is not UTF-8 is named on stderr and skipped; the exit status is then 1, after the other lines.
    """
    if balance is not None and not math.isfinite(balance):
        raise typer.BadParameter(f"must be a finite amount, not {balance}", param_hint="--balance")
    reference_day: dt.date | None = None
    if reference_date is not None:
        try:
            reference_day = dt.date.fromisoformat(reference_date)
        except ValueError:
            raise typer.BadParameter(
                f"must be a date as YYYY-MM-DD, not {reference_date!r}", param_hint="--reference-date"
            ) from None
    # Imported here so that `eqn --help` does not pay for the parser's regular expressions.
    from eq_negotiator.negotiation.offers import parse_offer

    failed = False
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            err.print(
                f"[bold red]error:[/] line {number}: not valid UTF-8 ({escape(error.reason)} at byte {error.start})"
            )
            failed = True
            continue
        if number == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark is encoding, not text
        text = line.rstrip("\r\n")
        offer = parse_offer(
            text,
            speaker=speaker.value,
            standing_offer_days=standing_offer,
            balance=balance,
            reference_date=reference_day,
        )
        # ensure_ascii (the default) keeps stdout valid whatever the terminal's encoding; JSON readers decode it.
        record = {
            "text": text,
            "days": offer.days,
            "act": offer.act,
            "amount": offer.amount,
            "basis": offer.basis,
            "doubt": offer.doubt,
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(code=1)
