"""Third-party text is read by reference, checked against its digest, never copied into the repository."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from eq_negotiator.sensing.third_party import (
    ThirdPartyDataError,
    clean_casino,
    digest,
    iter_casino,
    iter_cfpb,
    iter_deliberation,
    public_answer,
    resolve,
    resolve_checked,
    sentence_windows,
)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A public data folder holding one file of each source, built here."""
    logs = tmp_path / "llm-deliberation" / "logs"
    (logs / "greedy").mkdir(parents=True)
    rounds = {
        "rounds": [
            {
                "full_answer": "<SCRATCHPAD>secret plan</SCRATCHPAD><ANSWER>We propose A1. <DEAL>A1,B2</DEAL> "
                "It is fair for all.</ANSWER><PLAN>next</PLAN>"
            }
        ]
    }
    (logs / "greedy" / "history01.json").write_text(json.dumps(rounds), encoding="utf-8")
    with zipfile.ZipFile(logs / "run.zip", "w") as archive:
        archive.writestr("run/answers02.json", json.dumps({"rounds": [["Mayor", "I cannot accept that deal."]]}))
    (tmp_path / "casino").mkdir()
    dialogue = [{"chat_logs": [{"text": "Hello! \U0001f642 how are you?"}, {"text": "Submit-Deal"}]}]
    for split in ("train", "valid", "test"):
        (tmp_path / "casino" / f"casino_{split}.json").write_text(json.dumps(dialogue), encoding="utf-8")
    (tmp_path / "cfpb-debt-collection").mkdir()
    with (tmp_path / "cfpb-debt-collection" / "complaints_sample.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["Product", "Consumer complaint narrative", "Complaint ID"])
        writer.writeheader()
        writer.writerow(
            {
                "Product": "Debt collection",
                "Consumer complaint narrative": "They called. Again and again!",
                "Complaint ID": "42",
            }
        )
        writer.writerow({"Product": "Mortgage", "Consumer complaint narrative": "Other product.", "Complaint ID": "7"})
    return tmp_path


def test_public_answer_keeps_only_the_public_text() -> None:
    text = public_answer("<SCRATCHPAD>hidden</SCRATCHPAD><ANSWER>Yes. <DEAL>A1</DEAL> Fine.</ANSWER>")
    assert "hidden" not in text and "A1" not in text
    assert text.startswith("Yes.") and text.endswith("Fine.")


def test_casino_emotion_buttons_are_removed() -> None:
    assert clean_casino("great \U0001f642 deal \u2639\ufe0f ok \U0001f62e \U0001f621") == "great deal ok"


def test_every_source_round_trips_through_its_reference(shared: Path) -> None:
    (ref, text), (zip_ref, zip_text) = sorted(iter_deliberation(shared), key=lambda item: "zip" in item[0])
    assert " ".join(text.split()) == "We propose A1. It is fair for all." and "secret" not in text
    assert zip_text == "I cannot accept that deal." and "!run/answers02.json#0" in zip_ref
    start, end = sentence_windows(text)[0]
    assert resolve(f"{ref}@{start}-{end}", shared) == "We propose A1."
    assert [text for _, text in iter_casino(shared)] == ["Hello! how are you?"] * 3
    assert resolve("casino:test:0:0", shared) == "Hello! how are you?"
    narratives = list(iter_cfpb(shared))
    assert narratives == [("cfpb:42", "They called. Again and again!")]
    assert resolve("cfpb:42@13-29", shared) == "Again and again!"


def test_a_changed_file_is_refused_by_its_digest(shared: Path) -> None:
    text = resolve("cfpb:42@0-11", shared)
    assert resolve_checked("cfpb:42@0-11", digest(text), shared) == text
    with pytest.raises(ThirdPartyDataError, match="not the text that was labelled"):
        resolve_checked("cfpb:42@0-11", digest("something else"), shared)


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("cfpb:42@5-900", "outside"),
        ("cfpb:42@x-y", "malformed span"),
        ("cfpb:999@0-5", "points at nothing"),
        ("casino:test:5:0", "points at nothing"),
        ("reddit:1", "names no known source"),
    ],
)
def test_bad_references_say_what_is_wrong(shared: Path, ref: str, message: str) -> None:
    with pytest.raises(ThirdPartyDataError, match=message):
        resolve(ref, shared)


def test_windows_are_whole_sentences_within_the_limit() -> None:
    text = "One. Two is here! Three? " + "x" * 400 + "."
    spans = sentence_windows(text, max_chars=40, max_sentences=2)
    assert (0, 4) in spans and (0, 17) in spans
    assert all(end - start <= 40 for start, end in spans)
    assert all(text[start:end].rstrip()[-1] in ".!?" for start, end in spans)
