"""The ``eqn`` command line.

Heavy libraries (torch, transformers) are imported inside commands so that ``eqn --help`` stays instant.
Commands given ``--json`` print exactly one JSON object on stdout; everything else goes to stderr.
Command-line text that is not UTF-8 is refused before any command runs (see :func:`undecodable_argument`); text
read from stdin is checked line by line by the commands that read it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer

from eq_negotiator.cli.console import console
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
app.command("console")(console)

operator_app = typer.Typer(help="Act on dialogues handed to a person.", no_args_is_help=True)
operator_app.command("resume")(operator_resume)
app.add_typer(operator_app, name="operator")


def undecodable_argument(argv: Sequence[str]) -> str | None:
    r"""Why the first command-line argument that is not UTF-8 text is refused, or ``None`` if all of them are text.

    On POSIX, Python decodes the command line as UTF-8 with ``surrogateescape``: a byte that is not UTF-8 becomes a
    lone surrogate (``\udc80``-``\udcff``), which no encoder can write back and which the sensor, the parser and the
    checkpoint store cannot read. Every command takes text, names or specs there, so every argument is checked.

    Args:
        argv: The arguments, without the program name.

    Returns:
        A one-line message naming the argument, the option it follows, and the first bad byte (shown as ``\xNN``).
    """
    for index, argument in enumerate(argv):
        position = next((i for i, char in enumerate(argument) if "\ud800" <= char <= "\udfff"), None)
        if position is None:
            continue
        shown = argument.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        code = ord(argument[position])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"code point U+{code:04X}"
        after = f", after {argv[index - 1]}," if index and argv[index - 1].startswith("-") else ""
        return (
            f"command-line argument {index + 1}{after} is not valid UTF-8 text: '{shown}' ({byte} at character "
            f"{position + 1}); give it in UTF-8"
        )
    return None


def main() -> None:
    """Entry point of the ``eqn`` console script."""
    problem = undecodable_argument(sys.argv[1:])
    if problem is not None:
        sys.stderr.write(f"error: {problem}\n")
        raise SystemExit(2)
    app()
