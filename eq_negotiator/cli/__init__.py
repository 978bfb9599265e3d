"""The ``eqn`` command line.

Heavy libraries (torch, transformers) are imported inside commands so that ``eqn --help`` stays instant.
Commands given ``--json`` print exactly one JSON object on stdout; everything else goes to stderr.
"""

from __future__ import annotations

import typer

from eq_negotiator.cli.emotion import emotion_app
from eq_negotiator.cli.negotiate import chat, demo
from eq_negotiator.cli.offer import offer_app

app = typer.Typer(
    name="eqn",
    help="EQ-Negotiator: emotion-reasoning negotiation agent for credit dialogues.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(emotion_app, name="emotion")
app.add_typer(offer_app, name="offer")
app.command("demo")(demo)
app.command("chat")(chat)


def main() -> None:
    """Entry point of the ``eqn`` console script."""
    app()
