"""``eqn simulate`` and ``eqn compare``: agent-vs-agent negotiations over scenarios and debtor personas."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from eq_negotiator.evals.runner import SimulationConfig, SimulationResult

err = Console(stderr=True, highlight=False, emoji=False)

ScenariosOption = Annotated[
    str,
    typer.Option(
        "--scenarios", help="builtin, builtin:<n>, csv:<path> (CRAD schema), json:<path>, jsonl:<path>, hf:<dataset>."
    ),
]
RowsOption = Annotated[str | None, typer.Option("--rows", help="Inclusive scenario rows A-B (0-based), e.g. 0-79.")]
PersonasOption = Annotated[str, typer.Option("--personas", help="all, or a comma list: angry,cheating,...")]
PoliciesOption = Annotated[str, typer.Option("--policies", help="Comma list of policies: eq,paper1,paper2,vanilla,...")]
SeedsOption = Annotated[int, typer.Option("--seeds", help="Seeds per scenario × persona × policy.", min=1)]
DebtorOption = Annotated[str, typer.Option("--debtor", help="scripted, or provider:model for an LLM debtor.")]
CreditorOption = Annotated[
    str, typer.Option("--creditor-model", help="offline (offline responder), or provider:model writing the replies.")
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible server URL (with /v1) for the chat models.")
]
SensorOption = Annotated[str, typer.Option("--sensor", help="The creditor's emotion sensor: embedded, tfidf, ...")]
MaxRoundsOption = Annotated[int, typer.Option("--max-rounds", help="Client turns before a negotiation ends.", min=2)]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", help="Worker processes (default: CPU count, at most 4).", min=1)
]
BatchOption = Annotated[
    int | None,
    typer.Option(
        "--batch",
        help="Dialogues each worker advances together, their client messages read in one batch (1: one by one; "
        "the records are the same).",
        min=1,
    ),
]
OutOption = Annotated[Path, typer.Option("--out", help="Output folder; a rerun into it skips finished dialogues.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the summary JSON on stdout and nothing else.")]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    # escape: the message quotes the user's values, which may hold brackets rich would read as markup.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _warn_skipped(problem: str) -> None:
    """Tell the user a scenario row was skipped, in full: the value to fix is theirs to see, unmasked."""
    err.print(f"[yellow]warning:[/] scenario skipped: {escape(problem)}", soft_wrap=True)


def _names(value: str) -> tuple[str, ...]:
    return tuple(name.strip() for name in value.split(",") if name.strip())


def _config(
    *,
    scenarios: str,
    rows: str | None,
    personas: str,
    policies: str,
    seeds: int,
    debtor: str,
    creditor_model: str,
    base_url: str | None,
    sensor: str,
    max_rounds: int,
    workers: int | None,
    batch: int | None,
) -> SimulationConfig:
    from eq_negotiator.evals.runner import DEFAULT_BATCH, SimulationConfig, SimulationError
    from eq_negotiator.simulation import parse_personas, parse_rows

    try:
        return SimulationConfig(
            scenarios=scenarios,
            rows=parse_rows(rows) if rows else None,
            personas=tuple(persona.name for persona in parse_personas(personas)),
            policies=_names(policies),
            seeds=seeds,
            debtor=debtor,
            creditor_model=creditor_model,
            base_url=base_url,
            sensor=sensor,
            max_rounds=max_rounds,
            workers=workers or min(4, os.cpu_count() or 1),
            batch=batch or DEFAULT_BATCH,
        )
    except (SimulationError, ValueError) as error:
        _fail(str(error))


def _run(action: Any, quiet: bool) -> SimulationResult:
    """Run ``action(progress)`` with a progress bar on stderr; turn known failures into a clear message."""
    from tqdm import tqdm

    from eq_negotiator.evals.runner import SimulationError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    bar: Any = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if quiet:
            return
        if bar is None:
            bar = tqdm(total=total, initial=done, unit="dialogue", file=sys.stderr, dynamic_ncols=True)
        else:
            bar.update(done - bar.n)

    try:
        return action(progress)  # type: ignore[no-any-return]
    except SimulationError as error:
        _fail(str(error))
    finally:
        if bar is not None:
            bar.close()


def _print_outcome(result: SimulationResult, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(result.summary) + "\n")
        return
    overall = result.summary["overall"]
    err.print(
        f"{result.ran} dialogue(s) simulated, {result.skipped} already done, {result.errors} failed "
        f"({result.elapsed_s:.1f} s)."
    )
    rate, (low, high) = overall["success_rate"], overall["success_ci"]
    err.print(
        f"Agreement {rate:.1%} (95% CI {low:.1%}-{high:.1%}) over {overall['n']} dialogue(s); "
        f"compliance violations in sent replies: {overall['violations']}."
    )
    for name, path in result.files.items():
        err.print(f"  {name}: {path}")
    if "report_html" in result.files:
        err.print(f"Open the report: xdg-open {result.files['report_html']}  (or any browser)")


def simulate(
    scenarios: ScenariosOption = "builtin",
    rows: RowsOption = None,
    personas: PersonasOption = "all",
    policies: PoliciesOption = "eq",
    seeds: SeedsOption = 1,
    debtor: DebtorOption = "scripted",
    creditor_model: CreditorOption = "offline",
    base_url: BaseUrlOption = None,
    sensor: SensorOption = "embedded",
    max_rounds: MaxRoundsOption = 15,
    workers: WorkersOption = None,
    batch: BatchOption = None,
    out: OutOption = Path("runs/simulation"),
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Simulate negotiations: scenarios × personas × policies × seeds, then write the summary and report."""
    from eq_negotiator.evals.runner import simulate as run_simulation

    config = _config(
        scenarios=scenarios,
        rows=rows,
        personas=personas,
        policies=policies,
        seeds=seeds,
        debtor=debtor,
        creditor_model=creditor_model,
        base_url=base_url,
        sensor=sensor,
        max_rounds=max_rounds,
        workers=workers,
        batch=batch,
    )
    result = _run(
        lambda progress: run_simulation(config, out, progress=progress, on_skipped=_warn_skipped), quiet or as_json
    )
    _print_outcome(result, as_json)


def compare(
    policies: PoliciesOption = "eq,paper1,paper2,vanilla",
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="Policy the others are compared with (default: the first).")
    ] = None,
    scenarios: ScenariosOption = "builtin",
    rows: RowsOption = None,
    personas: PersonasOption = "all",
    seeds: SeedsOption = 1,
    debtor: DebtorOption = "scripted",
    creditor_model: CreditorOption = "offline",
    base_url: BaseUrlOption = None,
    sensor: SensorOption = "embedded",
    max_rounds: MaxRoundsOption = 15,
    workers: WorkersOption = None,
    batch: BatchOption = None,
    out: OutOption = Path("runs/comparison"),
    as_json: JsonOption = False,
    quiet: QuietOption = False,
) -> None:
    """Run the same dialogues for each policy and report paired differences against the baseline."""
    from eq_negotiator.evals.runner import compare_policies

    config = _config(
        scenarios=scenarios,
        rows=rows,
        personas=personas,
        policies=policies,
        seeds=seeds,
        debtor=debtor,
        creditor_model=creditor_model,
        base_url=base_url,
        sensor=sensor,
        max_rounds=max_rounds,
        workers=workers,
        batch=batch,
    )
    result = _run(
        lambda progress: compare_policies(config, out, baseline=baseline, progress=progress, on_skipped=_warn_skipped),
        quiet or as_json,
    )
    if as_json:
        sys.stdout.write(json.dumps({"summary": result.summary, "comparison": result.comparison}) + "\n")
        return
    _print_outcome(result, as_json=False)
