"""Prompt templates: one system template and one instruction per emotional stance, as data files.

The packaged templates live in ``prompts/templates/``; a user directory with the same eight files replaces them.
Templates use ``{name}`` placeholders (``{{`` and ``}}`` for literal braces). Every file is read and checked when
the set is loaded, so a missing file, a malformed placeholder or an unknown variable stops start-up with the file's
name instead of failing mid-dialogue.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from eq_negotiator.emotions import LABELS

PACKAGED_DIR: Final[Path] = Path(__file__).parent / "templates"
"""Where the packaged templates live (copy this folder to start your own)."""

SYSTEM_FILE: Final[str] = "system.txt"
SYSTEM_VARIABLES: Final[frozenset[str]] = frozenset(
    {
        "creditor",
        "debtor",
        "balance",
        "days_overdue",
        "negotiation_note",
        "offer_days",
        "stance_instruction",
        "transcript",
        "turn",
    }
)
"""Placeholders the system template may use."""

STANCE_VARIABLES: Final[frozenset[str]] = frozenset({"creditor", "debtor"})
"""Placeholders a stance template may use."""

NO_STANCE_INSTRUCTION: Final[str] = "none; write naturally."
"""What the system template gets when a policy gives no stance (the ``vanilla`` baseline)."""


class PromptError(ValueError):
    """A template file is missing or malformed."""


@dataclass(frozen=True)
class PromptSet:
    """The loaded templates.

    Attributes:
        directory: Where they were read from.
        system: The system template.
        stances: The instruction template for each of the seven stances.
    """

    directory: Path
    system: str
    stances: Mapping[str, str]

    def stance_instruction(self, stance: str | None, values: Mapping[str, object]) -> str:
        """The instruction for ``stance`` filled with ``values``; :data:`NO_STANCE_INSTRUCTION` for ``None``."""
        if stance is None:
            return NO_STANCE_INSTRUCTION
        return self.stances[stance].format_map(values).strip()

    def render_system(self, values: Mapping[str, object]) -> str:
        """The system prompt filled with ``values`` (which must hold every placeholder it uses)."""
        return self.system.format_map(values).strip()


def _placeholders(path: Path, text: str) -> set[str]:
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as error:
        raise PromptError(f"{path}: malformed template ({error}); write literal braces as {{{{ and }}}}") from None
    bad = sorted(name for name in fields if not name.isidentifier())
    if bad:
        raise PromptError(f"{path}: placeholders must be plain names, got {bad}")
    return fields


def _read(directory: Path, name: str, allowed: frozenset[str]) -> str:
    path = directory / name
    if not path.is_file():
        raise PromptError(
            f"{path}: template missing; a prompt directory needs {SYSTEM_FILE} and one file per stance "
            f"({', '.join(f'{label}.txt' for label in LABELS)}); copy {PACKAGED_DIR} to start"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise PromptError(f"{path}: not UTF-8 text ({error})") from None
    if not text.strip():
        raise PromptError(f"{path}: template is empty")
    unknown = sorted(_placeholders(path, text) - allowed)
    if unknown:
        raise PromptError(f"{path}: unknown placeholders {unknown}; allowed: {sorted(allowed)}")
    return text


@lru_cache(maxsize=16)
def load_prompts(directory: str | Path | None = None) -> PromptSet:
    """Load and check a prompt directory (the packaged templates when ``None``). Cached per directory.

    Raises:
        PromptError: If a file is missing, empty, not UTF-8, or has a malformed or unknown placeholder.
    """
    folder = Path(directory) if directory is not None else PACKAGED_DIR
    if not folder.is_dir():
        raise PromptError(f"{folder}: prompt directory not found")
    system = _read(folder, SYSTEM_FILE, SYSTEM_VARIABLES)
    stances = {label: _read(folder, f"{label}.txt", STANCE_VARIABLES) for label in LABELS}
    return PromptSet(directory=folder, system=system, stances=stances)


__all__ = ["NO_STANCE_INSTRUCTION", "PACKAGED_DIR", "PromptError", "PromptSet", "load_prompts"]
