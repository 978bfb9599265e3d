"""``eqn demo`` and ``eqn chat``: run the turn graph from the terminal."""

from __future__ import annotations

import getpass
import json
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from eq_negotiator.negotiation.agreement import FAILED_STATUSES

if TYPE_CHECKING:  # the session module imports langgraph: load it only when a command runs, not for --help
    from eq_negotiator.graph.session import TurnResult

# emoji=False: client lines and replies are printed as they are, so ":warning:" is not turned into an emoji
# (markup is escaped separately, with rich's escape()).
out = Console(highlight=False, emoji=False)
err = Console(stderr=True, highlight=False, emoji=False)

DEMO_SCRIPT: tuple[str, ...] = (
    "Hi. I got your letter about the overdue balance. I lost some hours at work and I'm scared I can't pay it.",
    "Thirty days? That's impossible. You people always want everything at once! I need at least 120 days.",
    "This is ridiculous. I've been a customer for years and this is how you treat me? 100 days, not a day less.",
    "Honestly, I'm sick of these calls. It's disgusting how you chase people. Fine, 90 days.",
    "I'm sorry. I'm just really stressed about money right now. Could we do 75 days?",
    "Okay. If the plan is clear and manageable, I can work with you. 55 days, then.",
)
"""The scripted client of ``eqn demo``: worry, anger, contempt, distress, then cooperation, conceding as it goes."""

OFFLINE_NOTE = "Replies come from the offline responder (deterministic templates, no LLM, no network)."

ModelOption = Annotated[
    str | None,
    typer.Option("--model", "-m", help="Chat model as provider:model (e.g. openai:gpt-4o-mini); default: offline."),
]
BaseUrlOption = Annotated[
    str | None, typer.Option("--base-url", help="OpenAI-compatible server URL (with /v1) serving --model.")
]
PolicyOption = Annotated[str, typer.Option("--policy", "-p", help="Stance policy: eq, paper1, paper2, vanilla, ...")]
SensorOption = Annotated[str, typer.Option("--sensor", help="Emotion sensor spec: embedded, tfidf, hf:<id|path>.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed for the policy and the offline responder.")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout and nothing else.")]


def _fail(message: str, code: int = 2) -> NoReturn:
    # soft_wrap: one line whatever the terminal's width, so the error reads (and greps) whole in logs too.
    err.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code=code)


def _context(**settings: Any) -> Any:
    from eq_negotiator.graph.context import Context

    try:
        return Context(**settings)
    except ValueError as error:
        _fail(str(error))


def _load_scenario(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    from eq_negotiator.cli.guard import load_scenario

    try:
        return load_scenario(path).to_state()
    except ValueError as error:  # one line naming the file and each bad field
        _fail(str(error))


def _in_memory(db: str) -> bool:
    """Whether ``db`` (already opened, so well formed) keeps checkpoints in this process only."""
    from eq_negotiator.graph.history import split_history
    from eq_negotiator.graph.persistence import PersistenceSpec

    return PersistenceSpec.parse(split_history(db)[0]).kind == "memory"


def _open(db: str, context: Any) -> Any:
    from eq_negotiator.graph.persistence import PersistenceError
    from eq_negotiator.graph.session import open_negotiator

    try:
        return open_negotiator(db, context=context)
    except (ValueError, ImportError, PersistenceError) as error:
        _fail(str(error))


def _print_turn(result: TurnResult, *, show_reasoning: bool, db: str = "memory") -> None:
    emotion = result.emotion
    if show_reasoning:
        belief = ", ".join(f"{name} {p:.2f}" for name, p in sorted(result.belief.items(), key=lambda kv: -kv[1]))
        out.print(f"[dim]  sensed:  {emotion['label']} ({emotion['confidence']:.2f})[/]")
        if belief:
            out.print(f"[dim]  belief:  {belief}[/]")
        language = result.language or {}
        if not language.get("supported", True):
            out.print(f"[dim]  language: {language['code']} ({language['confidence']:.2f}), not read[/]")
        out.print(f"[dim]  stance:  {result.stance or 'none'} - {escape(result.reason)}[/]")
        if result.client_offer and result.client_offer.get("doubt"):
            doubt, note = result.client_offer["doubt"], result.client_offer.get("note") or ""
            out.print(f"[dim]  client:  terms unclear ({doubt}) - {escape(note)}; asking to confirm[/]")
        elif result.client_offer and result.client_offer.get("days") is not None:
            out.print(f"[dim]  client:  {result.client_offer['act']} {result.client_offer['days']} days[/]")
        if result.offer and not result.agreement:
            out.print(f"[dim]  offer:   {result.offer['days']} days - {escape(str(result.offer.get('reason', '')))}[/]")
        if result.guard and result.guard.get("violations"):
            kinds = ", ".join(v["type"] for v in result.guard["violations"])
            out.print(f"[dim]  guard:   {kinds} -> {result.guard['action']}[/]")
    tag = " [dim](offline responder)[/]" if result.offline else ""
    stance = escape(f"[{result.stance or 'no stance'}]")
    out.print(f"[bold green]Agent[/] {stance}{tag}: {escape(result.reply)}")
    if result.agreement:
        out.print(f"[bold]Agreement:[/] {escape(result.agreement['summary'])}")
    elif result.status in FAILED_STATUSES:
        out.print(f"[bold]Negotiation ended:[/] {result.status}")
    if result.escalation:
        from eq_negotiator.graph.persistence import redact_spec

        event = result.escalation.get("event") or {}
        if _in_memory(db):
            how = "This thread is in memory only: it ends with this process, so no operator can resume it."
        else:
            how = (
                f"An operator answers it in eqn console --db {redact_spec(db)}, or with: eqn operator resume --db "
                f"{redact_spec(db)} --thread {result.thread_id} --action continue|close (or --reply TEXT)"
            )
        out.print(
            f"[bold yellow]Handed to a person[/] ({event.get('kind')}): {escape(str(event.get('reason', '')))} "
            f"{escape(how)}"
        )


def demo(
    policy: PolicyOption = "eq",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    sensor: SensorOption = "embedded",
    seed: SeedOption = 0,
    as_json: JsonOption = False,
) -> None:
    """Run a short negotiation between the agent and a scripted client, showing each turn's reasoning."""
    context = _context(model=model, base_url=base_url, policy=policy, sensor=sensor, seed=seed)
    negotiator = _open("memory", context)
    thread = f"demo-{seed}"
    turns = []
    if not as_json:
        scenario = negotiator.context.scenario or {}
        from eq_negotiator.scenario import Scenario

        case = Scenario(**scenario)
        out.rule("EQ-Negotiator demo")
        out.print(
            f"{case.creditor} negotiates a {case.balance_text()} balance ({case.days_overdue} days overdue) with "
            f"{case.debtor}, a scripted client. Policy: {policy}; sensor: {sensor}."
        )
        if model is None:
            out.print(f"[yellow]{OFFLINE_NOTE}[/]")
    for line in DEMO_SCRIPT:
        try:
            result = negotiator.send(thread, line)
        except Exception as error:  # a provider failure: say what failed, keep the traceback out of the way
            _fail(f"turn failed: {type(error).__name__}: {error}", code=1)
        turns.append(result.to_json() | {"decision": result.decision})
        if not as_json:
            out.print()
            out.print(f"[bold cyan]Client[/] (turn {result.turn}): {escape(line)}")
            _print_turn(result, show_reasoning=True)
        if result.status != "ongoing":  # agreed, ended, or handed to a person: the script stops here
            break
    if as_json:
        sys.stdout.write(json.dumps({"thread_id": thread, "offline": model is None, "turns": turns}) + "\n")


def _stdin_lines() -> Iterator[tuple[int, str | None]]:
    """Client lines from a non-terminal stdin: (line number, text), with ``None`` for a line that is not UTF-8."""
    for number, raw in enumerate(sys.stdin.buffer, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield number, None
            continue
        yield number, text.rstrip("\r\n")


def _terminal_lines() -> Iterator[tuple[int, str | None]]:
    number = 0
    while True:
        try:
            text = out.input("[bold cyan]You[/]: ")
        except (EOFError, KeyboardInterrupt):
            out.print()
            return
        number += 1
        if text.strip() in {"/quit", "/exit"}:
            return
        yield number, text


def chat(
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    policy: PolicyOption = "eq",
    sensor: SensorOption = "embedded",
    thread: Annotated[str | None, typer.Option("--thread", "-t", help="Dialogue id; resumes it if it exists.")] = None,
    db: Annotated[
        str, typer.Option("--db", help="Checkpoints: memory, sqlite:///path.db, postgresql://...")
    ] = "memory",
    scenario: Annotated[Path | None, typer.Option("--scenario", help="JSON file of scenario fields.")] = None,
    prompt_dir: Annotated[Path | None, typer.Option("--prompt-dir", help="Your own prompt templates.")] = None,
    segment: Annotated[str, typer.Option("--segment", help="Client segment for policy learning.")] = "default",
    max_chars: Annotated[int, typer.Option("--max-chars", help="Longest client message accepted.")] = 4000,
    seed: SeedOption = 0,
    show_reasoning: Annotated[bool, typer.Option("--show-reasoning", help="Print emotion, belief, stance.")] = False,
    trace_privacy: Annotated[
        str,
        typer.Option(
            "--trace-privacy",
            help="What LangSmith traces may hold (when tracing is on): full, redacted (PII masked) or hidden.",
        ),
    ] = "full",
    as_json: JsonOption = False,
) -> None:
    """Talk to the agent. On a terminal it prompts; otherwise it reads one client message per stdin line."""
    context = _context(
        model=model,
        base_url=base_url,
        policy=policy,
        sensor=sensor,
        scenario=_load_scenario(scenario),
        prompt_dir=str(prompt_dir) if prompt_dir else None,
        segment=segment,
        max_message_chars=max_chars,
        seed=seed,
        trace_privacy=trace_privacy,
    )
    negotiator = _open(db, context)
    from eq_negotiator.dialogue import ClientMessageError, DialogueClosedError
    from eq_negotiator.graph.locking import ThreadBusyError
    from eq_negotiator.graph.persistence import redact_spec
    from eq_negotiator.graph.session import EscalatedError, ThreadIdError

    # A line the thread refused as it stands, writing nothing.
    refusals = (ClientMessageError, DialogueClosedError, EscalatedError, ThreadBusyError)

    thread_id = thread or f"chat-{uuid.uuid4().hex[:12]}"
    try:
        negotiator.config(thread_id)
    except ThreadIdError as error:
        _fail(str(error))
    shown_db = redact_spec(db)  # a PostgreSQL URL may hold a password
    try:
        # Only a hint for the note below: another process may be running a turn on the thread right now, and
        # finish_pending() decides under the thread's lock whether a turn is really left unfinished.
        pending = negotiator.pending(thread_id)
    except Exception as error:  # the first read of the database: a damaged or locked one fails here
        _fail(f"cannot read thread {thread_id} from {shown_db}: {type(error).__name__}: {error}")
    if _in_memory(db):  # nothing to resume later: say so rather than suggest a --thread that starts afresh
        err.print(
            f"[dim]thread {thread_id} (memory): it will not survive this process and cannot be resumed; "
            "use --db sqlite:///dialogues.db to keep it[/]"
        )
    else:
        err.print(
            f"[dim]thread {thread_id} ({escape(shown_db)}); resume with --db {escape(shown_db)} --thread {thread_id}[/]"
        )
    if model is None and not as_json:
        err.print(f"[yellow]{OFFLINE_NOTE}[/]")

    def emit(result: TurnResult) -> None:
        if as_json:
            sys.stdout.write(json.dumps(result.to_json()) + "\n")
            sys.stdout.flush()
        else:
            _print_turn(result, show_reasoning=show_reasoning, db=db)

    failures = 0
    if pending:
        try:
            finished = negotiator.finish_pending(thread_id)
        except Exception as error:
            _fail(f"could not finish the pending turn: {error}", code=1)
        if finished is not None:  # else it was another process's turn in flight, and that process finished it
            err.print("[dim]finished the unanswered turn left on this thread[/]")
            emit(finished)
    lines = _terminal_lines() if sys.stdin.isatty() else _stdin_lines()
    for number, text in lines:
        if text is None:
            err.print(f"[bold red]error:[/] line {number} is not valid UTF-8 text; skipped")
            failures += 1
            continue
        try:
            emit(negotiator.send(thread_id, text))
        except Exception as error:
            err.print(f"[bold red]error:[/] line {number}: {escape(str(error))}")
            failures += 1
            # A refusal wrote nothing, and the next line may go through. Any other failure may leave an unanswered
            # message on the thread (this line's, if its reply failed, or one another writer left): stop, so that
            # it is resumed before any later line. Decided from the error, not from pending(), which would also be
            # true while another process runs a turn on the thread.
            if not isinstance(error, refusals):
                raise typer.Exit(code=1) from None
    if failures:
        raise typer.Exit(code=1)


def _login_name() -> str | None:
    try:
        return getpass.getuser() or None
    except (KeyError, OSError):  # no login name in the environment and no passwd entry (some containers)
        return None


def operator_resume(
    thread: Annotated[str, typer.Option("--thread", "-t", help="The escalated dialogue.")],
    action: Annotated[
        str | None, typer.Option("--action", help="continue (the agent may answer again) or close.")
    ] = None,
    reply: Annotated[
        str | None,
        typer.Option("--reply", help="Your own reply to the client instead (checked by the compliance guard)."),
    ] = None,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Who decides, kept in the record (default: your login name).")
    ] = None,
    note: Annotated[str, typer.Option("--note", help="Why, for the record.")] = "",
    db: Annotated[
        str, typer.Option("--db", help="Checkpoints the chat used: sqlite:///path.db, postgresql://...")
    ] = "memory",
    sensor: SensorOption = "embedded",
    as_json: JsonOption = False,
) -> None:
    """Answer a dialogue that was handed to a person (a crisis, a cease or attorney request, a dispute...).

    Give --action (continue or close) or --reply; the answer goes to the graph in the Agent Inbox format (accept,
    ignore or response), as a LangGraph client would send it.
    """
    from eq_negotiator.graph.persistence import PersistenceError, redact_spec
    from eq_negotiator.graph.session import ThreadIdError

    who = operator if operator is not None else _login_name()
    if who is None:
        _fail("cannot tell who you are from the login name: say who decides with --operator NAME")
    negotiator = _open(db, _context(sensor=sensor))
    try:
        saved = negotiator.state(thread)
    except ThreadIdError as error:
        _fail(str(error))
    except Exception as error:  # the first read of the database: a damaged or locked one fails here
        _fail(f"cannot read thread {thread} from {redact_spec(db)}: {type(error).__name__}: {error}")
    if not saved:
        shown = redact_spec(db)  # a PostgreSQL URL may hold a password
        if _in_memory(db):
            shown += " (a thread in memory lives only in the process that ran it: pass the --db the chat used)"
        _fail(f"no such thread {thread!r} in {shown}")
    try:
        if not negotiator.escalated(thread):
            _fail(f"thread {thread!r} is not waiting for an operator")
        values = negotiator.resume_escalation(thread, action=action, operator=who, note=note, reply=reply)
    except (ValueError, PersistenceError) as error:  # PersistenceError: a checkpoint refused as tampered, for one
        _fail(str(error))
    summary = {"thread_id": thread, "status": _status_text(values), "escalation": values.get("escalation")}
    if as_json:
        sys.stdout.write(json.dumps(summary) + "\n")
    else:
        out.print(f"thread {thread}: {summary['status']}")


def _status_text(values: dict[str, Any]) -> str:
    return "closed" if values.get("closed") else str(values.get("status", "ongoing"))
