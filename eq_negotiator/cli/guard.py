"""``eqn guard``: check creditor replies against the debt-collection rules.

``eqn guard check`` reads one reply per line on stdin and prints one JSON object per reply on stdout, nothing else.
Problems go to stderr: a line that is not UTF-8 is reported by number and skipped (exit 1 once all lines are read);
a bad ``--scenario`` file stops the command at once (exit 2).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:  # pydantic and the rule tables load when the command runs, not for ``eqn --help``
    from eq_negotiator.scenario import Scenario

guard_app = typer.Typer(
    help="Check creditor replies against the debt-collection rules (FDCPA, Regulation F).", no_args_is_help=True
)


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code=code)


def load_scenario(path: Path | None) -> Scenario:
    """The scenario to check against: the default one, with any fields the JSON file at ``path`` sets.

    Args:
        path: A JSON object of :class:`~eq_negotiator.scenario.Scenario` fields, or ``None`` for the default
            (USD 15,700, no lawsuit, no attorney, a private lender).

    Returns:
        The scenario.

    Raises:
        ValueError: The file cannot be read, is not a JSON object, or its fields are not a valid scenario.
    """
    from pydantic import ValidationError

    from eq_negotiator.negotiation.guard import DEFAULT_SCENARIO
    from eq_negotiator.scenario import Scenario

    if path is None:
        return DEFAULT_SCENARIO
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read scenario file {path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"scenario file {path} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"scenario file {path} must hold a JSON object of scenario fields, not {type(data).__name__}")
    try:
        # Fields the file leaves out keep the default scenario's values.
        return Scenario.model_validate({**DEFAULT_SCENARIO.model_dump(), **data})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'scenario'}: {e['msg']}" for e in exc.errors())
        raise ValueError(f"scenario file {path} is not a valid scenario: {problems}") from exc


@guard_app.command("check")
def check(
    scenario_file: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="JSON file of scenario fields (balance, currency, legal_action_in_progress, attorney_involved...); "
            "fields left out keep the defaults: USD 15,700, no lawsuit, no attorney, private lender.",
        ),
    ] = None,
) -> None:
    """Check creditor replies, one per line on stdin; print one JSON object per reply.

    Each object holds ``line``, ``text``, ``compliant`` and ``violations`` (each with ``type``, ``span``, ``start``,
    ``end`` and ``detail``). Blank lines are skipped.
    """
    from eq_negotiator.negotiation.guard import ComplianceGuard

    try:
        scenario = load_scenario(scenario_file)
    except ValueError as exc:
        _fail(str(exc), code=2)
    guard = ComplianceGuard(scenario)
    undecodable = 0
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            sys.stderr.write(f"error: line {number} is not valid UTF-8 ({exc.reason} at byte {exc.start}); skipped\n")
            undecodable += 1
            continue
        text = text.rstrip("\r\n")
        if number == 1:
            text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the reply
        if not text.strip():
            continue
        result = guard.check(text)
        record: dict[str, Any] = {"line": number, "text": text, **result.to_dict()}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if undecodable:
        raise typer.Exit(code=1)
