"""``eqn console``: serve the operator console over a checkpoint database."""

from __future__ import annotations

import ipaddress
import sys
from pathlib import Path
from typing import Annotated

import typer

from eq_negotiator.cli.negotiate import _context, _fail, _login_name, _open, err

DEFAULT_PORT = 8765
TOKEN_ENV = "EQN_CONSOLE_TOKEN"
LOCK_TIMEOUT_S = 5.0
"""How long an answer waits for another operator's answer on the same thread before the page says so."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` names this machine only (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def console(
    db: Annotated[str, typer.Option("--db", help="Checkpoints the chats wrote: sqlite:///path.db, postgresql://...")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on (another than loopback needs --token).")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = DEFAULT_PORT,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar=TOKEN_ENV,
            help=f"Require this token (bearer, basic-auth password or ?token=); also from ${TOKEN_ENV}.",
        ),
    ] = None,
    operator: Annotated[
        str | None, typer.Option("--operator", help="Name the answer form starts with (default: your login name).")
    ] = None,
    model_checks: Annotated[
        bool, typer.Option("--model-checks", help="Check operators' replies with the perception model too.")
    ] = False,
) -> None:
    """Serve the operator console: the thread queue, transcripts with their reasoning, and the escalation answers."""
    try:
        import uvicorn

        from eq_negotiator.console.app import create_app
    except ImportError as error:
        _fail(f"the console needs its extra ({error.name} is missing): pip install 'eq-negotiator[console]'")
    from eq_negotiator.graph.history import split_history
    from eq_negotiator.graph.persistence import PersistenceSpec, PersistenceSpecError, redact_spec

    loopback = is_loopback(host)
    if not loopback and not token:
        _fail(
            f"refusing to serve the console on {host}, which other machines can reach, without a token: pass "
            f"--token (or set ${TOKEN_ENV}), or keep the default --host 127.0.0.1"
        )
    if token is not None and not token.strip():
        _fail("the token is empty: give one that is hard to guess")
    try:
        spec = PersistenceSpec.parse(split_history(db)[0])
    except PersistenceSpecError as error:
        _fail(str(error))
    if spec.kind == "memory":
        _fail(
            "the console reads the database the chats wrote; memory holds none here: pass --db sqlite:///... or a URL"
        )
    if spec.kind == "sqlite" and spec.target != ":memory:" and not Path(spec.target).is_file():
        _fail(f"no database at {spec.target} (the console opens one the chats wrote; it never creates one)")
    # The console never senses a client message (answering an escalation runs no turn), so the light sensor will do.
    negotiator = _open(db, _context(sensor="tfidf", model_checks=model_checks))
    negotiator.lock_timeout = LOCK_TIMEOUT_S
    shown = redact_spec(db)
    app = create_app(negotiator, db_label=shown, token=token, loopback=loopback, operator=operator or _login_name())
    where = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
    err.print(f"eqn console on {where} over {shown}" + (" (token required)" if token else ""), soft_wrap=True)
    sys.stderr.flush()
    uvicorn.run(app, host=host, port=port, log_level="warning")
