"""The perception sets hold what the product promises: size, variety, fixed splits, no leaks between them."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from importlib import resources

import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.sensing.negotiation_corpus import (
    EMOTIONS_FILE,
    load_collector_replies,
    load_negotiation_emotions,
    load_rights_messages,
)
from eq_negotiator.sensing.perception import MODEL_VIOLATION_TYPES, RIGHTS_KINDS
from eq_negotiator.sensing.third_party import SOURCES
from eq_negotiator.simulation.debtors import CORES, OPENERS
from tests.conftest import shared_data_dir


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _emotion_rows() -> list[dict[str, str]]:
    text = (resources.files("eq_negotiator.sensing") / "corpora" / EMOTIONS_FILE).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_emotion_set_has_two_thousand_new_messages_from_five_sources() -> None:
    rows = _emotion_rows()
    assert len(rows) >= 2000
    sources = Counter(row["source"] for row in rows)
    assert set(sources) == {*SOURCES, "written-llm", "written-human"}
    assert all(count >= 300 for count in sources.values()), sources
    assert {row["label"] for row in rows} == set(LABELS)


def test_third_party_text_is_referenced_never_copied() -> None:
    for row in _emotion_rows():
        if row["source"] in SOURCES:
            assert row["text"] == "" and row["ref"].startswith(row["source"] + ":") and len(row["digest"]) == 10
        else:
            assert row["text"] and not row["ref"]


def test_labels_come_from_two_passes_and_adjudicate_to_one_of_them() -> None:
    for row in _emotion_rows():
        assert row["label"] in (row["label_pass1"], row["label_pass2"]), row["id"]


def test_rights_messages_cover_every_kind_indirectly_and_hard_negatives() -> None:
    rows = load_rights_messages()
    per_kind = Counter(kind for row in rows for kind in row.kinds)
    assert all(per_kind[kind] >= 300 for kind in RIGHTS_KINDS), per_kind
    assert sum(not row.kinds for row in rows) >= 400
    for kind in RIGHTS_KINDS:
        carrying = [row for row in rows if kind in row.kinds]
        assert sum(row.indirect for row in carrying) >= len(carrying) / 3, kind
    spanish = [row for row in rows if re.search(r"spanish|spanglish", row.note, re.IGNORECASE)]
    assert len(spanish) >= 50


def test_collector_replies_cover_every_model_type_and_compliant_firmness() -> None:
    rows = load_collector_replies()
    assert len(rows) >= 2500
    per_type = Counter(kind for row in rows for kind in row.violations)
    assert all(per_type[kind] >= 150 for kind in MODEL_VIOLATION_TYPES), per_type
    assert sum(not row.violations for row in rows) >= 900
    assert Counter(row.style for row in rows).keys() == {"llm", "human"}


@pytest.mark.parametrize("loader", [load_rights_messages, load_collector_replies])
def test_no_text_is_in_two_splits(loader) -> None:  # type: ignore[no-untyped-def]
    splits: dict[str, set[str]] = {}
    for row in loader():
        splits.setdefault(_key(row.text), set()).add(row.split)
    assert all(len(found) == 1 for found in splits.values())
    assert Counter(row.split for row in loader()).keys() == {"train", "dev", "test"}


def test_written_emotion_lines_do_not_overlap_the_older_set_or_the_simulator() -> None:
    written = [_key(row["text"]) for row in _emotion_rows() if row["text"]]
    older = {_key(row.text) for row in load_negotiation_emotions(third_party=False) if row.source == "credit-dialogue"}
    # Bare replies ("ok", "no.") are bound to recur; anything of four words or more must be new.
    assert not {text for text in older & set(written) if len(text.split()) >= 4}
    templates = [t for bank in CORES.values() for t in bank] + [o for bank in OPENERS.values() for o in bank]
    fragments = [_key(part) for t in templates for part in re.split(r"\{\w+\}", t) if len(part.strip()) >= 25]
    corpus = " | ".join(written + [_key(row.text) for row in load_rights_messages()])
    assert not [fragment for fragment in fragments if fragment in corpus]


def test_third_party_rows_resolve_against_the_public_data() -> None:
    if not (shared_data_dir() / "llm-deliberation").is_dir():
        pytest.skip(f"public data not found at {shared_data_dir()} (set EQN_SHARED_DATA)")
    rows = load_negotiation_emotions(shared_data_dir())
    third_party = [row for row in rows if row.source in SOURCES]
    assert len(third_party) == sum(row["source"] in SOURCES for row in _emotion_rows())
    assert all(row.text.strip() for row in third_party)
