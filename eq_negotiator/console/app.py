"""The console's web application (Starlette, Jinja2 templates rendered on the server, no script).

Pages: ``/`` the thread list (waiting threads first, paginated), ``/threads/{id}`` one thread (transcript, per-turn
reasoning, trajectory chart, and the answer form while it waits for a person); ``POST /threads/{id}/answer`` answers
an escalation through :meth:`~eq_negotiator.graph.session.Negotiator.resume_escalation`, the locked and guarded call
the CLI and the session API use. Nothing else writes: every other page only reads checkpoints.

Protection: a form carries a secret made when the application starts, so another site cannot post answers through
the operator's browser; on a loopback address only loopback host names are served (no DNS rebinding); with a token
every request must carry it, as a bearer token, the password of basic auth, or a ``?token=`` query (which then sets
a cookie so that links and forms keep working).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Final

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from eq_negotiator.console.chart import trajectory_svg
from eq_negotiator.console.views import thread_rows, thread_view
from eq_negotiator.graph.catalog import list_threads
from eq_negotiator.graph.locking import ThreadBusyError
from eq_negotiator.graph.persistence import PersistenceError
from eq_negotiator.graph.session import Negotiator, NotWaitingError, ThreadIdError

PAGE_SIZE: Final[int] = 50
"""Threads per list page."""

COOKIE: Final[str] = "eqn_console_token"
LOOPBACK_HOSTS: Final[tuple[str, ...]] = ("127.0.0.1", "localhost", "::1", "[::1]")
ANSWERS: Final[dict[str, str]] = {
    "reply": "your reply was sent to the client; the agent answers the client's next message",
    "accept": "the reply already sent stands",
    "close": "the dialogue is closed",
}
"""The answer form's choices, and what the page says once one is saved."""

HEADERS: Final[dict[str, str]] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _Guard(BaseHTTPMiddleware):
    """Security headers on every response; the token on every request when one is set."""

    def __init__(self, app: Any, token: str | None) -> None:
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        from_query = False
        if self.token is not None:
            offered = _offered_token(request)
            from_query = offered is not None and offered == request.query_params.get("token")
            if offered is None or not secrets.compare_digest(offered.encode(), self.token.encode()):
                response: Response = PlainTextResponse(
                    "this console needs its token: open it with ?token=..., as a bearer token, or as the password "
                    "of basic auth",
                    status_code=401,
                    headers={"WWW-Authenticate": 'Basic realm="eqn console"'},
                )
                response.headers.update(HEADERS)
                return response
        response = await call_next(request)
        if from_query and self.token is not None:
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="strict")
        response.headers.update(HEADERS)
        return response


def _offered_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    if scheme.lower() == "basic" and value:
        try:
            return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            return None
    return request.query_params.get("token") or request.cookies.get(COOKIE)


def create_app(
    negotiator: Negotiator,
    *,
    db_label: str,
    token: str | None = None,
    loopback: bool = True,
    operator: str | None = None,
    page_size: int = PAGE_SIZE,
) -> Starlette:
    """The console over ``negotiator``'s database.

    Args:
        negotiator: Reads the threads and answers escalations (its lock and guard apply).
        db_label: The database as pages name it (a PostgreSQL URL without its password).
        token: When set, every request must carry it (see the module docstring).
        loopback: Whether the server listens on a loopback address only: then only loopback host names are served.
        operator: The name the answer form starts with (who answers is kept in the thread's record).
        page_size: Threads per list page.
    """
    environment = Environment(
        loader=PackageLoader("eq_negotiator.console", "templates"), autoescape=select_autoescape(default=True)
    )
    templates = Jinja2Templates(env=environment)
    form_secret = secrets.token_urlsafe(24)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
        context |= {"db": db_label, "csrf": form_secret, "operator_default": operator or ""}
        return templates.TemplateResponse(request, name, context, status_code=status)

    def problem(request: Request, status: int, message: str) -> Response:
        return page(request, "problem.html", status, message=message)

    async def thread_list(request: Request) -> Response:
        raw = request.query_params.get("page", "1")
        if not raw.isdigit() or int(raw) < 1:
            return problem(request, 400, f"page must be a whole number from 1, not {raw!r}")
        number = int(raw)
        listing = await run_in_threadpool(
            list_threads, negotiator.graph.checkpointer, limit=page_size, offset=(number - 1) * page_size
        )
        rows = await run_in_threadpool(thread_rows, negotiator, listing)
        pages = max(1, -(-listing.total // page_size))
        return page(request, "threads.html", rows=rows, listing=listing, number=number, pages=pages)

    async def show_thread(request: Request) -> Response:
        done = request.query_params.get("done")
        return await _thread_page(request, notice=ANSWERS.get(done or ""))

    async def _thread_page(
        request: Request, *, status: int = 200, error: str | None = None, notice: str | None = None, **form: str
    ) -> Response:
        thread_id = request.path_params["thread_id"]
        try:
            view = await run_in_threadpool(thread_view, negotiator, thread_id)
        except ThreadIdError as refused:
            return problem(request, 404, str(refused))
        if view is None:
            return problem(request, 404, f"no thread {thread_id!r} in {db_label}")
        chart = Markup(trajectory_svg(view.turns))  # built from escaped parts (see chart.py)
        return page(request, "thread.html", status, view=view, chart=chart, error=error, notice=notice, form=form)

    async def answer(request: Request) -> Response:
        thread_id = request.path_params["thread_id"]
        fields = await request.form()
        form = {key: str(fields.get(key) or "") for key in ("answer", "reply", "then", "operator", "note")}
        if not secrets.compare_digest(str(fields.get("csrf") or "").encode(), form_secret.encode()):
            return problem(request, 403, "this form is out of date or came from another site: reload the thread page")
        choice = form["answer"]
        if choice not in ANSWERS:
            return await _thread_page(request, status=422, error="choose an answer: reply, accept or close", **form)
        if choice == "reply":
            arguments: dict[str, Any] = {"reply": form["reply"]}
        elif choice == "accept":
            arguments = {"action": form["then"] or "continue"}
        else:
            arguments = {"action": "close"}
        try:
            await run_in_threadpool(
                negotiator.resume_escalation, thread_id, operator=form["operator"], note=form["note"], **arguments
            )
        except ThreadIdError as refused:
            return problem(request, 404, str(refused))
        except NotWaitingError as refused:
            return await _thread_page(request, status=409, error=str(refused), **form)
        except ThreadBusyError:
            message = "another operator is answering this thread right now: nothing was saved; reload in a moment"
            return await _thread_page(request, status=409, error=message, **form)
        except ValueError as refused:  # a bad answer or a reply the guard refused: nothing sent, the thread waits
            return await _thread_page(request, status=422, error=str(refused), **form)
        except PersistenceError as failed:
            return problem(request, 500, str(failed))
        return RedirectResponse(f"/threads/{thread_id}?done={choice}", status_code=303)

    async def failure(request: Request, error: Exception) -> Response:
        # The last resort: a message, never a traceback.
        return problem(request, 500, f"the console could not show this page: {type(error).__name__}: {error}")

    async def not_found(request: Request, error: Exception) -> Response:
        return problem(request, 404, f"no page {request.url.path!r} here: the thread list is at /")

    middleware = [Middleware(_Guard, token=token)]
    if loopback:
        middleware.insert(0, Middleware(TrustedHostMiddleware, allowed_hosts=list(LOOPBACK_HOSTS)))
    return Starlette(
        routes=[
            Route("/", thread_list),
            Route("/threads/{thread_id}", show_thread),
            Route("/threads/{thread_id}/answer", answer, methods=["POST"]),
        ],
        middleware=middleware,
        exception_handlers={Exception: failure, 404: not_found},
    )
