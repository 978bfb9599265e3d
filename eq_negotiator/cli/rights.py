"""``eqn rights``: check client messages for rights and vulnerability signals.

``eqn rights check`` reads one client message per line on stdin and prints one JSON object per message on stdout,
nothing else: ``line``, ``text``, ``escalates`` (whether the agent must stop and hand over to a person) and
``events``, each with ``kind``, ``escalates``, ``layer`` (``rules`` or ``model``), ``span`` (the words that fired:
matched words for the rules, the highest-scoring sentence for the model), ``score`` (model events) and ``reason``.
Blank lines are skipped; a line that is not UTF-8 is reported on stderr by number and skipped (exit 1 once all
lines are read); a broken model file stops the command (exit 2).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer

from eq_negotiator.cli.guard import RULES_ONLY_HELP, load_model_layer, read_lines

rights_app = typer.Typer(
    help="Check client messages for rights and vulnerability signals (crisis, cease contact, attorney, dispute, "
    "no contact at work, threats).",
    no_args_is_help=True,
)


@rights_app.command("check")
def check(rules_only: Annotated[bool, typer.Option("--rules-only", help=RULES_ONLY_HELP)] = False) -> None:
    """Check client messages, one per line on stdin; print one JSON object per message."""
    from eq_negotiator.negotiation.rights import detect_rights, escalates

    model = load_model_layer(rules_only)
    undecodable = 0
    for number, text in read_lines():
        if text is None:
            undecodable += 1
            continue
        events = detect_rights(text, model)
        record: dict[str, Any] = {
            "line": number,
            "text": text,
            "escalates": escalates(events),
            "events": [event.to_dict() for event in events],
        }
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if undecodable:
        raise typer.Exit(code=1)
