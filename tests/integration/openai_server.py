"""A loopback server that speaks the OpenAI chat-completions protocol, for tests of the real client path.

It answers ``POST /v1/chat/completions`` with a ``chat.completion`` object, or with ``text/event-stream`` chunks
(``chat.completion.chunk`` objects ending in ``data: [DONE]``) when the body asks for ``"stream": true``. It records
every request it receives, and can be scripted to answer errors for the next N requests (or for every request until
told to recover), so retry and failure paths can be driven through the real ``openai`` SDK and ``langchain-openai``.

Like a model that follows its instructions, its default reply states the timeline the request's system prompt asks
for ("State exactly N days"), so a turn is not redrafted unless a test scripts a reply that misstates it.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

COMPLETIONS_PATH = "/v1/chat/completions"

OFFER_IN_PROMPT = re.compile(r"State exactly (\d+) days")
"""Where the packaged system prompt names the timeline the reply must state."""

ReplyText = str | Callable[[dict[str, Any]], str]
"""A scripted reply: fixed text, or text written from the request body (see :func:`offering`)."""

ERROR_TYPES = {
    400: ("invalid_request_error", None),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("permission_error", None),
    404: ("invalid_request_error", "model_not_found"),
    429: ("rate_limit_exceeded", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class ScriptedError:
    """An error answer: HTTP status, JSON body and extra headers."""

    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering (the client sees a dropped connection)."""


@dataclass(frozen=True)
class Delay:
    """Wait ``seconds`` before answering normally (for client timeouts)."""

    seconds: float


@dataclass(frozen=True)
class CutStream:
    """Stream ``chunks`` content chunks of the reply, then close the connection mid-body."""

    chunks: int


Action = ScriptedError | Drop | Delay | CutStream


@dataclass(frozen=True)
class RecordedRequest:
    """One request the server received."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None
    status: int

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages the request carried."""
        return list((self.body or {}).get("messages", []))

    def message_text(self, role: str) -> list[str]:
        """Text of every message with ``role``, in order."""
        return [_content_text(m.get("content")) for m in self.messages if m.get("role") == role]


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return ""


def prompt_offer_days(body: dict[str, Any]) -> int | None:
    """The timeline the request's system prompt tells the model to state, if it names one."""
    for message in body.get("messages", []):
        if message.get("role") == "system":
            match = OFFER_IN_PROMPT.search(_content_text(message.get("content")))
            if match is not None:
                return int(match.group(1))
    return None


def offering(template: str) -> Callable[[dict[str, Any]], str]:
    """A scripted reply that states the timeline its request asks for: ``{days}`` filled from the system prompt."""

    def reply(body: dict[str, Any]) -> str:
        days = prompt_offer_days(body)
        if days is None:
            raise AssertionError("the request's system prompt names no timeline to state")
        return template.format(days=days)

    return reply


def default_reply(body: dict[str, Any]) -> str:
    """The reply when none is queued: it states the requested timeline (no other number, so no second timeline)."""
    days = prompt_offer_days(body)
    if days is None:
        return "Loopback reply: we can settle this in good time."
    return f"Loopback reply: we can offer {days} days to settle this."


def error_body(status: int, message: str | None = None) -> dict[str, Any]:
    """An OpenAI-shaped ``{"error": {...}}`` body for ``status``."""
    kind, code = ERROR_TYPES.get(status, ("server_error", None))
    return {
        "error": {
            "message": message or f"scripted error {status}",
            "type": kind,
            "param": None,
            "code": code,
        }
    }


class _QuietServer(ThreadingHTTPServer):
    """Handler threads are daemons; a client that hung up (after a timeout, say) is not an error worth printing."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class OpenAILoopback:
    """The server, on 127.0.0.1 at an ephemeral port; use as a context manager (it always shuts down).

    Args:
        chunk_size: Characters per streamed content chunk.
    """

    def __init__(self, *, chunk_size: int = 8) -> None:
        self.chunk_size = chunk_size
        self.requests: list[RecordedRequest] = []
        self._replies: deque[ReplyText] = deque()
        self._script: deque[Action] = deque()
        self._persistent_error: ScriptedError | None = None
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> OpenAILoopback:
        server = _QuietServer(("127.0.0.1", 0), _make_handler(self))
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> OpenAILoopback:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """The URL to give a client, ``/v1`` included."""
        return f"http://127.0.0.1:{self.port}/v1"

    # -- scripting -------------------------------------------------------------------------------------------------

    def queue_reply(self, *texts: ReplyText) -> None:
        """Answer the next successful requests with ``texts``, in order (then :func:`default_reply`)."""
        with self._lock:
            self._replies.extend(texts)

    def fail_next(
        self, count: int, status: int, *, message: str | None = None, headers: dict[str, str] | None = None
    ) -> None:
        """Answer the next ``count`` requests with an error of ``status``."""
        self.script(*[ScriptedError(status, error_body(status, message), dict(headers or {}))] * count)

    def script(self, *actions: Action) -> None:
        """Handle the next requests with ``actions``, one each, before any persistent error or reply."""
        with self._lock:
            self._script.extend(actions)

    def fail_always(self, status: int, *, message: str | None = None, headers: dict[str, str] | None = None) -> None:
        """Answer every request with an error of ``status`` until :meth:`recover`."""
        with self._lock:
            self._persistent_error = ScriptedError(status, error_body(status, message), dict(headers or {}))

    def recover(self) -> None:
        """Drop every scripted error."""
        with self._lock:
            self._persistent_error = None
            self._script.clear()

    @property
    def completions(self) -> list[RecordedRequest]:
        """Recorded requests to the chat-completions endpoint."""
        with self._lock:
            return [r for r in self.requests if r.path == COMPLETIONS_PATH]

    # -- handling --------------------------------------------------------------------------------------------------

    def _next_answer(self, body: dict[str, Any]) -> tuple[int, Action | None, str]:
        """The request's number, the scripted action (if any) and the reply text (if it gets to answer)."""
        with self._lock:
            number = next(self._counter)
            action: Action | None = None
            if self._script:
                action = self._script.popleft()
            elif self._persistent_error is not None:
                action = self._persistent_error
            if isinstance(action, (ScriptedError, Drop)):
                return number, action, ""
            reply = self._replies.popleft() if self._replies else default_reply
            return number, action, reply if isinstance(reply, str) else reply(body)

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


def _make_handler(server: OpenAILoopback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            server._record(
                RecordedRequest("GET", self.path, {k.lower(): v for k, v in self.headers.items()}, None, 404)
            )
            self._send_json(404, error_body(404, f"no route {self.path}"))

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {name.lower(): value for name, value in self.headers.items()}
            try:
                body = json.loads(raw) if raw else None
            except json.JSONDecodeError:
                server._record(RecordedRequest("POST", self.path, headers, None, 400))
                self._send_json(400, error_body(400, "body is not JSON"))
                return
            if self.path != COMPLETIONS_PATH or not isinstance(body, dict):
                server._record(RecordedRequest("POST", self.path, headers, body, 404))
                self._send_json(404, error_body(404, f"no route {self.path}"))
                return
            number, action, text = server._next_answer(body)
            if isinstance(action, ScriptedError):
                server._record(RecordedRequest("POST", self.path, headers, body, action.status))
                self._send_json(action.status, action.body, action.headers)
                return
            if isinstance(action, Drop):
                server._record(RecordedRequest("POST", self.path, headers, body, 0))
                self.close_connection = True
                return
            server._record(RecordedRequest("POST", self.path, headers, body, 200))
            if isinstance(action, Delay):
                time.sleep(action.seconds)
            completion_id = f"chatcmpl-loopback-{number}"
            model = str(body.get("model", ""))
            cut = action.chunks if isinstance(action, CutStream) else None
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                self._stream(completion_id, model, text, include_usage=include_usage, cut=cut)
            else:
                self._send_json(200, _completion(completion_id, model, text))

        def _stream(self, completion_id: str, model: str, text: str, *, include_usage: bool, cut: int | None) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            created = int(time.time())
            pieces = [text[i : i + server.chunk_size] for i in range(0, len(text), server.chunk_size)]
            events = [_chunk(completion_id, model, created, {"role": "assistant", "content": ""}, None)]
            events += [_chunk(completion_id, model, created, {"content": piece}, None) for piece in pieces]
            events.append(_chunk(completion_id, model, created, {}, "stop"))
            if include_usage:
                usage_chunk = _chunk(completion_id, model, created, {}, None)
                usage_chunk["choices"] = []
                usage_chunk["usage"] = _usage(text)
                events.append(usage_chunk)
            for position, event in enumerate(events):
                if cut is not None and position > cut:  # the role chunk, then ``cut`` content chunks
                    self.close_connection = True
                    return
                self._write_chunk(f"data: {json.dumps(event)}\n\n".encode())
            self._write_chunk(b"data: [DONE]\n\n")
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()

        def _write_chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    return Handler


def _usage(text: str) -> dict[str, int]:
    completion_tokens = max(1, len(text.split()))
    return {"prompt_tokens": 10, "completion_tokens": completion_tokens, "total_tokens": 10 + completion_tokens}


def _completion(completion_id: str, model: str, text: str) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "system_fingerprint": "fp_loopback",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": _usage(text),
    }


def _chunk(
    completion_id: str, model: str, created: int, delta: dict[str, Any], finish_reason: str | None
) -> dict[str, Any]:
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": model,
        "system_fingerprint": "fp_loopback",
        "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}],
    }
