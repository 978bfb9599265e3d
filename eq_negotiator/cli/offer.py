"""``eqn offer``: read the offers in negotiation messages with the deterministic parser."""

from __future__ import annotations

import json
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
) -> None:
    """Parse one message per line of stdin; print one JSON object per line: text, days, act, amount.

    Every input line gets an output line; a blank line reads as act "other".
    A line that is not UTF-8 is named on stderr and skipped; the exit status is then 1, after the other lines.
    """
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
        offer = parse_offer(text, speaker=speaker.value, standing_offer_days=standing_offer)
        # ensure_ascii (the default) keeps stdout valid whatever the terminal's encoding; JSON readers decode it.
        record = {"text": text, "days": offer.days, "act": offer.act, "amount": offer.amount}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if failed:
        raise typer.Exit(code=1)
