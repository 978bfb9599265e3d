"""Text helpers shared by the negotiation rules (rights detector, compliance guard)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


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


def compile_phrase_families(families: Mapping[str, Sequence[str]]) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Compile regular expressions grouped by a label (a rights kind, a violation type), case-insensitively.

    Args:
        families: Patterns by label.

    Returns:
        The compiled patterns by label.
    """
    return {
        label: tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns) for label, patterns in families.items()
    }


def phrase_spans(families: Mapping[str, Sequence[re.Pattern[str]]], label: str, text: str) -> list[tuple[int, int]]:
    """Where any of ``label``'s compiled patterns match ``text``.

    Args:
        families: Compiled patterns by label (from :func:`compile_phrase_families`).
        label: The label whose patterns to run; an unknown label has none.
        text: The text to search.

    Returns:
        ``(start, end)`` offsets, sorted by start; empty when nothing matches.
    """
    return sorted(match.span() for pattern in families.get(label, ()) for match in pattern.finditer(text))
