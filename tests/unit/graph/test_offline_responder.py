"""The offline responder: deterministic per seed, varied across seeds, states only the offer, stays lawful."""

from __future__ import annotations

import re

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage

from eq_negotiator.emotions import LABELS
from eq_negotiator.responders import OFFLINE_MODEL_NAME, OfflineResponder, is_offline, model_name
from eq_negotiator.responders.offline import CLOSINGS, OPENINGS
from eq_negotiator.scenario import Scenario

STANCES = [*LABELS, None]
SCENARIO = Scenario(debtor="Priya Shah", creditor="Acme Credit", balance=12_345.5, currency="EUR").to_state()
BALANCE = "EUR 12,345.50"
THREATS = re.compile(
    r"\b(arrest\w*|jail\w*|prison|lawsuit\w*|sue|sued|suing|court\w*|garnish\w*|seiz\w*|repossess\w*|police|"
    r"bailiff\w*|legal action|violence|violent)\b",
    re.IGNORECASE,
)


def compose(stance: str | None, seed: int, days: int = 45) -> str:
    return OfflineResponder().compose(stance=stance, scenario=SCENARIO, offer_days=days, seed=seed)


@pytest.mark.parametrize("stance", STANCES)
def test_deterministic_for_a_seed(stance: str | None) -> None:
    assert compose(stance, 7) == compose(stance, 7)
    model = OfflineResponder()
    kwargs = {"stance": stance, "scenario": SCENARIO, "offer_days": 45, "seed": 7}
    assert model.invoke([HumanMessage("hi")], **kwargs).text == compose(stance, 7)


@pytest.mark.parametrize("stance", STANCES)
def test_varied_across_seeds(stance: str | None) -> None:
    assert len({compose(stance, seed) for seed in range(10)}) >= 3


@pytest.mark.parametrize("stance", STANCES)
@pytest.mark.parametrize("days", [7, 45, 365])
def test_states_the_offer_days_and_no_other_number(stance: str | None, days: int) -> None:
    for seed in range(25):
        text = compose(stance, seed, days)
        assert re.search(rf"\b{days}[ -]days?\b", text), text
        assert BALANCE in text or "12,345" not in text
        numbers = re.findall(r"\d[\d,.]*", text.replace(BALANCE, ""))
        assert numbers == [str(days)] * len(numbers) and numbers, text


@pytest.mark.parametrize("stance", STANCES)
def test_opens_from_the_stance_bank_and_uses_the_first_name(stance: str | None) -> None:
    key = stance or "none"
    openings = [opening.format(first="Priya") for opening in OPENINGS[key]]
    closings = list(CLOSINGS[key])
    for seed in range(25):
        text = compose(stance, seed)
        assert any(text.startswith(opening) for opening in openings), text
        assert any(text.endswith(closing) for closing in closings), text
        assert "Shah" not in text
        assert "{" not in text and "}" not in text


@pytest.mark.parametrize("stance", STANCES)
def test_never_threatens(stance: str | None) -> None:
    for seed in range(50):
        text = compose(stance, seed)
        assert not THREATS.search(text), text


def test_the_banks_themselves_hold_no_threat_words() -> None:
    for bank in (OPENINGS, CLOSINGS):
        for phrases in bank.values():
            for phrase in phrases:
                assert not THREATS.search(phrase), phrase


def test_the_threat_pattern_would_catch_a_threat() -> None:
    assert THREATS.search("We will take you to court and garnish your wages.")
    assert not THREATS.search("more time in arrears only makes things harder")


def test_an_unknown_stance_falls_back_to_no_stance() -> None:
    none_openings = [opening.format(first="Priya") for opening in OPENINGS["none"]]
    assert any(compose("contempt", 3).startswith(opening) for opening in none_openings)


@pytest.mark.parametrize("stance", ["anger", "surprise", None])
def test_stream_concatenates_to_the_invoke_text(stance: str | None) -> None:
    model = OfflineResponder()
    kwargs = {"stance": stance, "scenario": SCENARIO, "offer_days": 45, "seed": 11}

    chunks = list(model.stream([HumanMessage("hi")], **kwargs))

    assert len(chunks) > 3
    assert all(isinstance(chunk, AIMessageChunk) for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks) == model.invoke([HumanMessage("hi")], **kwargs).text
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert merged.response_metadata.get("offline") is True


def test_invoke_marks_the_reply_offline_and_without_arguments_still_answers() -> None:
    model = OfflineResponder()
    reply = model.invoke([HumanMessage("hello")])
    assert reply.response_metadata == {"offline": True}
    assert "30 days" in reply.text
    assert is_offline(model)
    assert model_name(model) == OFFLINE_MODEL_NAME
