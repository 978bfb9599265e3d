"""Plain rules about a dialogue's messages: what a client message may be, and how a transcript reads.

Shared by the graph's nodes, the CLI and the simulation harness, so a message refused in one place is refused in all.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

CLIENT: Final[str] = "Client"
AGENT: Final[str] = "Agent"


class ClientMessageError(ValueError):
    """A client message the agent will not answer (empty, too long, not text)."""


class DialogueClosedError(RuntimeError):
    """A message sent to a dialogue that has already ended."""


def check_client_message(text: object, max_chars: int) -> str:
    """Return ``text`` if it is a client message the agent can answer.

    Args:
        text: The message.
        max_chars: The longest message accepted.

    Returns:
        The message, unchanged.

    Raises:
        ClientMessageError: If it is not a string, is empty or whitespace, contains a NUL character, or is longer
            than ``max_chars``. Long messages are refused rather than cut, so nothing the client said is silently
            dropped.
    """
    if not isinstance(text, str):
        raise ClientMessageError(f"a client message must be text, not {type(text).__name__}")
    if not text.strip():
        raise ClientMessageError("the client message is empty")
    if "\x00" in text:
        raise ClientMessageError("the client message contains a NUL character")
    if len(text) > max_chars:
        raise ClientMessageError(
            f"the client message is {len(text):,} characters; the limit is {max_chars:,} (raise max_message_chars "
            f"to accept longer messages)"
        )
    return text


def render_transcript(turns: Iterable[tuple[str, str]]) -> str:
    """Render ``(speaker, text)`` pairs as ``Speaker: text`` lines; ``(no messages yet)`` when empty."""
    lines = [f"{speaker}: {' '.join(text.split())}" for speaker, text in turns]
    return "\n".join(lines) if lines else "(no messages yet)"
