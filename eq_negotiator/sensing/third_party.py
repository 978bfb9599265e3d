"""Third-party text for the in-domain emotion set, read by reference from the public data folder.

The in-domain set labels messages that other people and other models wrote: LLM negotiators
(``llm-deliberation/``, public ``<ANSWER>`` text only), crowd workers negotiating over campsite supplies
(``casino/``) and consumers describing debt collectors (``cfpb-debt-collection/``). Their text is never copied into
this repository: each labelled row stores a *reference* (source, location, character span) and a short digest of
the text, and :func:`resolve` reads the text back from ``$EQN_SHARED_DATA`` (default ``../shared/data``) at load
time. A digest mismatch means the public file changed, and loading stops instead of pairing a label with
different words.

References:
- ``llm-deliberation:<file>[!<member>]#<round>@<start>-<end>``: a span of one round's public answer; ``member``
  names a JSON file inside a ``.zip`` archive.
- ``casino:<split>:<dialogue index>:<utterance index>``: one chat utterance, emoticons removed (they are the
  participants' own emotion buttons, so leaving them in would hand the label to the model).
- ``cfpb:<complaint id>@<start>-<end>``: a span of one consumer narrative.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

SOURCES: Final[tuple[str, ...]] = ("llm-deliberation", "casino", "cfpb")
DIGEST_LENGTH: Final[int] = 10

# CaSiNo's four emotion buttons, as inserted into the text (with or without the emoji variation selector).
_CASINO_EMOTICONS: Final = re.compile("[\U0001f642\u2639\U0001f62e\U0001f621]\ufe0f?")
_TAG_BLOCK: Final = re.compile(r"<(DEAL|SCRATCHPAD|PLAN|VOTE)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_ANSWER: Final = re.compile(r"<ANSWER>(.*?)(?:</ANSWER>|$)", re.DOTALL | re.IGNORECASE)
_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")


class ThirdPartyDataError(RuntimeError):
    """A reference cannot be resolved, or the public file no longer holds the text it was labelled on."""


def shared_data_dir() -> Path:
    """The public data folder: ``$EQN_SHARED_DATA``, else ``../shared/data`` beside the repository."""
    default = Path(__file__).resolve().parents[3] / "shared" / "data"
    return Path(os.environ.get("EQN_SHARED_DATA", default))


def digest(text: str) -> str:
    """A short sha256 digest of ``text``, stored beside each reference."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_LENGTH]


def clean_casino(text: str) -> str:
    """CaSiNo text without its emotion buttons, whitespace collapsed."""
    return " ".join(_CASINO_EMOTICONS.sub(" ", text).split())


def public_answer(answer: str) -> str:
    """The public part of an LLM-Deliberation answer: the ``<ANSWER>`` span, deal codes and plans removed."""
    match = _ANSWER.search(answer)
    text = match.group(1) if match else answer
    return _TAG_BLOCK.sub(" ", text).strip()


@lru_cache(maxsize=64)
def _deliberation_rounds(root: str, file: str, member: str) -> tuple[str, ...]:
    path = Path(root) / "llm-deliberation" / "logs" / file
    try:
        if member:
            with zipfile.ZipFile(path) as archive:
                data: Any = json.loads(archive.read(member))
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        where = f"{file}!{member}" if member else file
        raise ThirdPartyDataError(f"cannot read llm-deliberation {where}: {error}") from error
    rounds = data.get("rounds", []) if isinstance(data, dict) else []
    texts: list[str] = []
    for item in rounds:
        if isinstance(item, dict):
            raw = item.get("public_answer") or item.get("full_answer") or ""
        elif isinstance(item, list | tuple) and len(item) >= 2:
            raw = item[1]
        else:
            raw = ""
        texts.append(public_answer(str(raw)))
    return tuple(texts)


@lru_cache(maxsize=4)
def _casino_dialogues(root: str, split: str) -> tuple[tuple[str, ...], ...]:
    path = Path(root) / "casino" / f"casino_{split}.json"
    try:
        dialogues = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ThirdPartyDataError(f"cannot read {path}: {error}") from error
    return tuple(tuple(clean_casino(turn["text"]) for turn in dialogue["chat_logs"]) for dialogue in dialogues)


@lru_cache(maxsize=2)
def _cfpb_narratives(root: str) -> dict[str, str]:
    path = Path(root) / "cfpb-debt-collection" / "complaints_sample.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            return {
                row["Complaint ID"]: row["Consumer complaint narrative"]
                for row in csv.DictReader(handle)
                if row["Consumer complaint narrative"].strip()
            }
    except (OSError, KeyError, csv.Error) as error:
        raise ThirdPartyDataError(f"cannot read {path}: {error}") from error


def _span(text: str, span: str, ref: str) -> str:
    try:
        start, end = (int(part) for part in span.split("-"))
    except ValueError as error:
        raise ThirdPartyDataError(f"reference {ref!r} has a malformed span {span!r}") from error
    if not 0 <= start < end <= len(text):
        raise ThirdPartyDataError(f"reference {ref!r}: span {span} is outside the {len(text)}-character text")
    return text[start:end]


def resolve(ref: str, root: Path | None = None) -> str:
    """The text a reference points at.

    Args:
        ref: A reference in one of the forms in the module docstring.
        root: The public data folder (default :func:`shared_data_dir`).

    Returns:
        The text, exactly as it was labelled.

    Raises:
        ThirdPartyDataError: If the reference is malformed or its file is missing.
    """
    base = str(root or shared_data_dir())
    source, _, rest = ref.partition(":")
    try:
        if source == "llm-deliberation":
            location, _, span = rest.rpartition("@")
            path, _, index = location.rpartition("#")
            file, _, member = path.partition("!")
            return _span(_deliberation_rounds(base, file, member)[int(index)], span, ref)
        if source == "casino":
            split, dialogue, utterance = rest.split(":")
            return _casino_dialogues(base, split)[int(dialogue)][int(utterance)]
        if source == "cfpb":
            complaint, _, span = rest.partition("@")
            return _span(_cfpb_narratives(base)[complaint], span, ref)
    except (ValueError, IndexError, KeyError) as error:
        raise ThirdPartyDataError(f"reference {ref!r} points at nothing in {base}") from error
    raise ThirdPartyDataError(f"reference {ref!r} names no known source ({', '.join(SOURCES)})")


def resolve_checked(ref: str, expected_digest: str, root: Path | None = None) -> str:
    """:func:`resolve`, then check the text against the digest stored when it was labelled.

    Raises:
        ThirdPartyDataError: If the text no longer matches its digest.
    """
    text = resolve(ref, root)
    if digest(text) != expected_digest:
        raise ThirdPartyDataError(
            f"reference {ref!r} now reads {text[:60]!r}, which is not the text that was labelled "
            f"(digest {digest(text)} != {expected_digest}); the public file has changed"
        )
    return text


def sentence_windows(text: str, max_chars: int = 320, max_sentences: int = 3) -> list[tuple[int, int]]:
    """Spans of 1 to ``max_sentences`` consecutive sentences, each at most ``max_chars`` long.

    Used to cut long answers and narratives into message-sized pieces; spans never contain markup.
    """
    starts = [0] + [match.end() for match in _SENTENCE_END.finditer(text)]
    bounds = [(start, end) for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]
    bounds = [(s, s + len(text[s:e].rstrip())) for s, e in bounds if text[s:e].strip()]
    spans: list[tuple[int, int]] = []
    for i in range(len(bounds)):
        for j in range(i, min(i + max_sentences, len(bounds))):
            start, end = bounds[i][0], bounds[j][1]
            if end - start > max_chars:
                break
            if "<" not in text[start:end]:
                spans.append((start, end))
    return spans


def iter_deliberation(root: Path | None = None) -> Iterator[tuple[str, str]]:
    """Every public LLM-Deliberation answer as ``(reference prefix, text)``; the prefix lacks the span."""
    base = root or shared_data_dir()
    logs = base / "llm-deliberation" / "logs"
    for path in sorted(logs.rglob("*")):
        relative = path.relative_to(logs).as_posix()
        members: list[str] = []
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = sorted(n for n in archive.namelist() if n.endswith(".json"))
        elif path.suffix == ".json" and path.name.startswith(("history", "answers")):
            members = [""]
        for member in members:
            if member and not Path(member).name.startswith(("history", "answers")):
                continue
            for index, text in enumerate(_deliberation_rounds(str(base), relative, member)):
                if text:
                    yield f"llm-deliberation:{relative}{'!' + member if member else ''}#{index}", text


def iter_casino(root: Path | None = None) -> Iterator[tuple[str, str]]:
    """Every CaSiNo utterance (deal actions left out) as ``(reference, text)``."""
    base = str(root or shared_data_dir())
    for split in ("train", "valid", "test"):
        for d, dialogue in enumerate(_casino_dialogues(base, split)):
            for u, text in enumerate(dialogue):
                if text and text not in ("Submit-Deal", "Accept-Deal", "Reject-Deal", "Walk-Away"):
                    yield f"casino:{split}:{d}:{u}", text


def iter_cfpb(root: Path | None = None, debt_collection_only: bool = True) -> Iterator[tuple[str, str]]:
    """Every CFPB narrative as ``(reference prefix, text)``; the prefix lacks the span."""
    base = root or shared_data_dir()
    path = base / "cfpb-debt-collection" / "complaints_sample.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["Consumer complaint narrative"].strip() and (
                not debt_collection_only or row["Product"] == "Debt collection"
            ):
                yield f"cfpb:{row['Complaint ID']}", row["Consumer complaint narrative"]


__all__ = [
    "SOURCES",
    "ThirdPartyDataError",
    "clean_casino",
    "digest",
    "iter_casino",
    "iter_cfpb",
    "iter_deliberation",
    "public_answer",
    "resolve",
    "resolve_checked",
    "sentence_windows",
    "shared_data_dir",
]
