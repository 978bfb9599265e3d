"""The language check: messages the agent cannot read are flagged; English, short or long, never is."""

from __future__ import annotations

import csv
import json
from importlib import resources

import pytest

from eq_negotiator.negotiation.guard import ComplianceGuard
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing.language import LanguageReading, identify_language, unsupported_language_reply
from eq_negotiator.sensing.perception import shared_embedded_reader

CORPORA = resources.files("eq_negotiator.sensing") / "corpora"


def rights_lines() -> list[tuple[str, str]]:
    """(note, text) of every client message in the rights corpus."""
    with (CORPORA / "client_rights_messages.jsonl").open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle if line.strip()]
    return [(str(row.get("note", "")).lower(), row["text"]) for row in rows]


@pytest.fixture(scope="module")
def english_client_lines() -> list[str]:
    """English client messages: the rights corpus (its Spanish and Spanglish lines left out) and credit dialogues."""
    lines = [text for note, text in rights_lines() if "spanish" not in note and "spanglish" not in note]
    with (CORPORA / "credit_dialogue_emotions.csv").open(encoding="utf-8", newline="") as handle:
        lines += [row["text"] for row in csv.DictReader(handle) if row["speaker"] == "client"]
    return lines


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("Hola, no puedo pagar este mes, necesito más tiempo por favor", "es", "Spanish"),
        ("我现在没有钱，可以给我三个月吗？", "zh", "Chinese"),
        ("Bonjour, je ne peux pas payer maintenant, pouvez-vous me donner plus de temps?", "fr", "French"),
    ],
)
def test_a_message_in_another_language_is_flagged_and_named(text: str, code: str, name: str) -> None:
    reading = identify_language(text)
    assert (reading.code, reading.supported, reading.name) == (code, False, name)
    assert reading.confidence >= 0.5


@pytest.mark.parametrize(
    "text",
    ["ok", "30 days", "no", "fine, 90", "lol no way", "Si", "Bueno", "k", "45?", "no no no", "haha", "Agreed."],
)
def test_short_replies_are_never_flagged(text: str) -> None:
    assert identify_language(text).supported


def test_english_client_lines_are_not_flagged(english_client_lines: list[str]) -> None:
    assert len(english_client_lines) > 2500
    flagged = [text for text in english_client_lines if not identify_language(text).supported]
    assert flagged == []


def test_most_spanish_lines_are_flagged() -> None:
    spanish = [text for note, text in rights_lines() if "spanish" in note and "spanglish" not in note]
    assert len(spanish) >= 70
    flagged = [text for text in spanish if not identify_language(text).supported]
    assert len(flagged) / len(spanish) >= 0.9


def test_a_language_without_a_name_is_called_another_language() -> None:
    assert LanguageReading("gl", 0.8, False).name == "a language other than English"


def test_the_reply_says_why_asks_for_english_offers_a_person_and_passes_the_guard() -> None:
    scenario = Scenario(creditor="Fernmoor Credit Union")
    reply = unsupported_language_reply(identify_language("Je peux payer dans 60 jours."), scenario.creditor)
    assert "in French" in reply and "write to me in English" in reply
    assert "a person" in reply and "Fernmoor Credit Union" in reply
    assert ComplianceGuard(scenario).check(reply).compliant  # the word rules
    assert ComplianceGuard(scenario, shared_embedded_reader()).check(reply).compliant  # and the embedded model
