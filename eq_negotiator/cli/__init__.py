"""The ``eqn`` command line.

Heavy libraries (torch, transformers) are imported inside commands so that ``eqn --help`` stays instant.
Commands given ``--json`` print exactly one JSON object on stdout; everything else goes to stderr.
"""

from __future__ import annotations

import typer

from eq_negotiator.cli.emotion import emotion_app
from eq_negotiator.cli.guard import guard_app
from eq_negotiator.cli.negotiate import chat, demo, operator_resume
from eq_negotiator.cli.offer import offer_app
from eq_negotiator.cli.rights import rights_app
from eq_negotiator.cli.simulate import compare, simulate

app = typer.Typer(
    name="eqn",
    help="EQ-Negotiator: emotion-reasoning negotiation agent for credit dialogues.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(emotion_app, name="emotion")
app.add_typer(offer_app, name="offer")
app.add_typer(guard_app, name="guard")
app.add_typer(rights_app, name="rights")
app.command("demo")(demo)
app.command("chat")(chat)
app.command("simulate")(simulate)
app.command("compare")(compare)

operator_app = typer.Typer(help="Act on dialogues handed to a person.", no_args_is_help=True)
operator_app.command("resume")(operator_resume)
app.add_typer(operator_app, name="operator")


def main() -> None:
    """Entry point of the ``eqn`` console script."""
    app()
