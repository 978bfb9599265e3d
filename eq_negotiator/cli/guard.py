"""``eqn guard``: check creditor replies against the debt-collection rules.

``eqn guard check`` reads one reply per line on stdin and prints one JSON object per reply on stdout, nothing else.
Two layers check each reply: the word rules (which know the scenario: its balance, a lawsuit in progress, an
attorney) and the embedded compliance model (paraphrase); either flags it. ``--rules-only`` turns the model off.
Problems go to stderr: a line that is not UTF-8 is reported by number and skipped (exit 1 once all lines are read);
a bad ``--scenario`` file or a broken model file stops the command at once (exit 2).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:  # pydantic and the rule tables load when the command runs, not for ``eqn --help``
    from pydantic import ValidationError

    from eq_negotiator.scenario import Scenario
    from eq_negotiator.sensing.perception import PerceptionReader

guard_app = typer.Typer(
    help="Check creditor replies against the debt-collection rules (FDCPA, Regulation F).", no_args_is_help=True
)


def _fail(message: str, code: int) -> NoReturn:
    sys.stderr.write(f"error: {message}\n")
    raise typer.Exit(code=code)


def load_scenario(path: Path | None) -> Scenario:
    """The scenario to check against: the default one, with any fields the JSON file at ``path`` sets.

    Args:
        path: A JSON object of :class:`~eq_negotiator.scenario.Scenario` fields, or ``None`` for the product's
            default scenario (the one ``eqn chat`` and ``eqn demo`` use).

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
        raise ValueError(f"scenario file {path} is not a valid scenario: {_problems(exc)}") from exc


def _problems(error: ValidationError) -> str:
    """Pydantic's errors on one line: each field, what is wrong, and the value it got (for a single value)."""
    problems = []
    for detail in error.errors():
        message = str(detail["msg"]).removeprefix("Value error, ")
        where = ".".join(map(str, detail["loc"]))
        if not where:  # a rule over several fields: its message names them
            problems.append(message)
            continue
        value = detail.get("input")
        got = f" (got {value!r})" if isinstance(value, (int, float, str)) else ""
        problems.append(f"{where}: {message}{got}")
    return "; ".join(problems)


def read_lines() -> Iterator[tuple[int, str | None]]:
    """Stdin as ``(line number, text)``; ``text`` is ``None`` for a line that is not UTF-8 (reported on stderr).

    Blank lines are skipped and a leading byte-order mark is dropped.
    """
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            sys.stderr.write(f"error: line {number} is not valid UTF-8 ({exc.reason} at byte {exc.start}); skipped\n")
            yield number, None
            continue
        text = text.rstrip("\r\n")
        if number == 1:
            text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the text
        if text.strip():
            yield number, text


def load_model_layer(rules_only: bool) -> PerceptionReader | None:
    """The embedded model layer, or ``None`` with ``--rules-only``; a broken model file exits 2 with its error."""
    if rules_only:
        return None
    from eq_negotiator.sensing import SensorLoadError
    from eq_negotiator.sensing.base_model import BaseModelError
    from eq_negotiator.sensing.perception import shared_embedded_reader

    try:
        return shared_embedded_reader()
    except (SensorLoadError, BaseModelError) as exc:
        _fail(f"{exc} (use --rules-only to check with the word rules alone)", code=2)


RULES_ONLY_HELP = "Check with the word rules alone, without the embedded model layer."


@guard_app.command("check")
def check(
    scenario_file: Annotated[
        Path | None,
        typer.Option(
            "--scenario",
            help="JSON file of scenario fields (balance, currency, legal_action_in_progress, attorney_involved...); "
            "fields left out keep the product's default scenario (the one eqn chat and eqn demo use: USD 4,850, "
            "no lawsuit, no attorney, private lender).",
        ),
    ] = None,
    rules_only: Annotated[bool, typer.Option("--rules-only", help=RULES_ONLY_HELP)] = False,
) -> None:
    """Check creditor replies, one per line on stdin; print one JSON object per reply.

    Each object holds ``line``, ``text``, ``compliant`` and ``violations`` (each with ``type``, ``span``, ``start``,
    ``end``, ``detail`` and ``layer``: ``rules`` or ``model``; model findings add their ``score``). A reply is
    flagged when either layer finds a violation. Blank lines are skipped.
    """
    from eq_negotiator.negotiation.guard import ComplianceGuard

    try:
        scenario = load_scenario(scenario_file)
    except ValueError as exc:
        _fail(str(exc), code=2)
    guard = ComplianceGuard(scenario, load_model_layer(rules_only))
    undecodable = 0
    for number, text in read_lines():
        if text is None:
            undecodable += 1
            continue
        result = guard.check(text)
        record: dict[str, Any] = {"line": number, "text": text, **result.to_dict()}
        sys.stdout.write(json.dumps(record) + "\n")
        sys.stdout.flush()
    if undecodable:
        raise typer.Exit(code=1)
