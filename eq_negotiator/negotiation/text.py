"""Text helpers shared by the negotiation rules (rights detector, compliance guard)."""

from __future__ import annotations

from collections.abc import Sequence


def without_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the given character spans removed, the pieces left joined by single spaces.

    Args:
        text: Any text.
        spans: ``(start, end)`` offsets into ``text``, sorted by start; they may overlap.

    Returns:
        What is left, stripped; an empty string when the spans cover everything.
    """
    kept, position = [], 0
    for start, end in spans:
        if start > position:
            kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    return " ".join(part.strip() for part in kept if part.strip())
