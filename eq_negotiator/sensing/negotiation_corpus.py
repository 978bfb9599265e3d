"""The project's labelled perception sets: negotiation emotions, client-rights messages and collector replies.

All three live in ``eq_negotiator/sensing/corpora/`` with a fixed ``train``/``dev``/``test`` split per row:

- ``negotiation_emotions.csv``: 2,650 messages with one of the seven emotion labels, two independent labelling
  passes and the adjudicated label (``docs/credit-emotion-labelling-guide.md``, section 10). Third-party rows
  (``llm-deliberation``, ``casino``, ``cfpb``) hold a reference into the public data folder instead of the text
  (:mod:`third_party`); team-written rows (``written-llm``, ``written-human``) hold their text. The older
  credit-dialogue set (``credit_dialogue_emotions.csv``) is added as source ``credit-dialogue`` with its own split.
- ``client_rights_messages.jsonl``: 3,700 client messages written by the team, each with the rights kinds it carries
  (none for a hard negative), whether it is phrased indirectly, and a note on its phrasing.
- ``collector_replies.jsonl``: 3,216 collector replies written by the team, LLM- and human-style, each with the
  violation types it contains (none for a compliant reply).

Splits were assigned by a hash of blocks of consecutive lines (rights, replies, written emotions: lines written
together stay together, so near-paraphrases never straddle train and test), of the complaint id (CFPB windows of
one narrative stay together) or of the row id (other third-party rows).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Final

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.perception import MODEL_VIOLATION_TYPES, RIGHTS_KINDS
from eq_negotiator.sensing.third_party import SOURCES, resolve_checked

EMOTIONS_FILE: Final[str] = "negotiation_emotions.csv"
RIGHTS_FILE: Final[str] = "client_rights_messages.jsonl"
REPLIES_FILE: Final[str] = "collector_replies.jsonl"
SPLITS: Final[tuple[str, ...]] = ("train", "dev", "test")


class CorpusError(ValueError):
    """A corpus row is malformed (the message names the file, row and field)."""


@dataclass(frozen=True)
class EmotionRow:
    """One labelled message of the negotiation emotion set."""

    id: str
    source: str
    text: str
    label: str
    split: str


@dataclass(frozen=True)
class RightsRow:
    """One client message with the rights kinds it carries."""

    id: str
    text: str
    kinds: tuple[str, ...]
    indirect: bool
    note: str
    split: str

    def vector(self) -> list[float]:
        """0/1 targets in :data:`RIGHTS_KINDS` order."""
        return [1.0 if kind in self.kinds else 0.0 for kind in RIGHTS_KINDS]


@dataclass(frozen=True)
class ReplyRow:
    """One collector reply with the violation types it contains."""

    id: str
    text: str
    violations: tuple[str, ...]
    style: str
    split: str

    def vector(self) -> list[float]:
        """0/1 targets in :data:`MODEL_VIOLATION_TYPES` order."""
        return [1.0 if kind in self.violations else 0.0 for kind in MODEL_VIOLATION_TYPES]


def _corpus_text(name: str) -> str:
    return (resources.files("eq_negotiator.sensing") / "corpora" / name).read_text(encoding="utf-8")


def _check(value: str, allowed: tuple[str, ...], where: str, field: str) -> str:
    if value not in allowed:
        raise CorpusError(f"{where}: {field} {value!r} is not one of {', '.join(allowed)}")
    return value


def load_negotiation_emotions(
    shared_data: Path | None = None, *, third_party: bool = True, credit_dialogue: bool = True
) -> list[EmotionRow]:
    """The negotiation emotion set, third-party text read from the public data folder.

    Args:
        shared_data: The public data folder (default ``$EQN_SHARED_DATA`` or ``../shared/data``).
        third_party: Include the rows whose text lives in the public data (needs the folder).
        credit_dialogue: Include the older credit-dialogue set (source ``credit-dialogue``).

    Raises:
        CorpusError: For a malformed row.
        ThirdPartyDataError: If a third-party reference cannot be read or no longer matches its digest.
    """
    return list(_emotions(str(shared_data) if shared_data else None, third_party, credit_dialogue))


@lru_cache(maxsize=4)
def _emotions(shared_data: str | None, third_party: bool, credit_dialogue: bool) -> tuple[EmotionRow, ...]:
    root = Path(shared_data) if shared_data else None
    rows: list[EmotionRow] = []
    for number, row in enumerate(csv.DictReader(io.StringIO(_corpus_text(EMOTIONS_FILE))), start=2):
        where = f"{EMOTIONS_FILE} line {number}"
        source = row["source"]
        if source in SOURCES:
            if not third_party:
                continue
            text = resolve_checked(row["ref"], row["digest"], root)
        else:
            text = row["text"]
        rows.append(
            EmotionRow(
                id=row["id"],
                source=source,
                text=text,
                label=_check(row["label"], LABELS, where, "label"),
                split=_check(row["split"], SPLITS, where, "split"),
            )
        )
    if credit_dialogue:
        reader = csv.DictReader(io.StringIO(_corpus_text("credit_dialogue_emotions.csv")))
        rows.extend(
            EmotionRow(id=r["id"], source="credit-dialogue", text=r["text"], label=r["label"], split=r["split"])
            for r in reader
        )
    return tuple(rows)


@lru_cache(maxsize=1)
def load_rights_messages() -> tuple[RightsRow, ...]:
    """The client-rights messages.

    Raises:
        CorpusError: For a malformed row.
    """
    rows: list[RightsRow] = []
    for number, line in enumerate(_corpus_text(RIGHTS_FILE).splitlines(), start=1):
        where = f"{RIGHTS_FILE} line {number}"
        data = json.loads(line)
        kinds = tuple(_check(kind, RIGHTS_KINDS, where, "kind") for kind in data["kinds"])
        rows.append(
            RightsRow(
                id=data["id"],
                text=data["text"],
                kinds=kinds,
                indirect=bool(data["indirect"]),
                note=data.get("note", ""),
                split=_check(data["split"], SPLITS, where, "split"),
            )
        )
    return tuple(rows)


@lru_cache(maxsize=1)
def load_collector_replies() -> tuple[ReplyRow, ...]:
    """The labelled collector replies.

    Raises:
        CorpusError: For a malformed row.
    """
    rows: list[ReplyRow] = []
    for number, line in enumerate(_corpus_text(REPLIES_FILE).splitlines(), start=1):
        where = f"{REPLIES_FILE} line {number}"
        data = json.loads(line)
        violations = tuple(_check(kind, MODEL_VIOLATION_TYPES, where, "violation") for kind in data["violations"])
        rows.append(
            ReplyRow(
                id=data["id"],
                text=data["text"],
                violations=violations,
                style=data["style"],
                split=_check(data["split"], SPLITS, where, "split"),
            )
        )
    return tuple(rows)


__all__ = [
    "CorpusError",
    "EmotionRow",
    "ReplyRow",
    "RightsRow",
    "load_collector_replies",
    "load_negotiation_emotions",
    "load_rights_messages",
]
