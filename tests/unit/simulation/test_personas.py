"""The nine personas: complete, valid, documented, and looked up by name with clear errors."""

from __future__ import annotations

import dataclasses

import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.simulation import personas as personas_module
from eq_negotiator.simulation.personas import (
    COOPERATIVE_PERSONAS,
    HONEST_PERSONAS,
    PERSONA_NAMES,
    PERSONAS,
    Persona,
    get_persona,
    parse_personas,
)


def test_the_nine_personas_of_the_paper() -> None:
    assert PERSONA_NAMES == (
        "vanilla", "angry", "sad", "fear", "disgust", "threatening", "cheating", "victim", "stonewalling"
    )  # fmt: skip
    assert tuple(PERSONAS) == PERSONA_NAMES
    assert all(PERSONAS[name].name == name for name in PERSONA_NAMES)
    assert set(PERSONA_NAMES) >= COOPERATIVE_PERSONAS
    assert set(PERSONA_NAMES) - {"cheating"} == HONEST_PERSONAS


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_descriptions_are_two_to_four_sentences(name: str) -> None:
    description = PERSONAS[name].description
    sentences = [s for s in description.replace("!", ".").replace("?", ".").split(". ") if s.strip()]
    assert 2 <= len(sentences) <= 4, description
    assert "{" not in description  # a role prompt, not a template


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_parameters_are_consistent(name: str) -> None:
    persona = PERSONAS[name]
    distribution = persona.base_distribution()
    assert len(distribution) == len(LABELS)
    assert sum(distribution) == pytest.approx(1.0)
    assert set(persona.stance_reactions) == set(LABELS)
    assert persona.honest == (name in HONEST_PERSONAS)


def test_every_parameter_is_documented_in_the_module_docstring() -> None:
    doc = personas_module.__doc__ or ""
    for field in dataclasses.fields(Persona):
        if field.name in ("name", "description"):
            continue
        assert f"``{field.name}``" in doc, f"{field.name} is not documented"


def test_persona_signatures_match_their_names() -> None:
    base = {name: dict(zip(LABELS, PERSONAS[name].base_distribution(), strict=True)) for name in PERSONA_NAMES}
    assert max(base["angry"], key=base["angry"].__getitem__) == "anger"
    assert max(base["sad"], key=base["sad"].__getitem__) == "sadness"
    assert max(base["fear"], key=base["fear"].__getitem__) == "fear"
    assert max(base["disgust"], key=base["disgust"].__getitem__) == "disgust"
    assert PERSONAS["threatening"].threat_probability > 0
    assert 0 < PERSONAS["threatening"].representation_claim <= 0.05  # only a small share must escalate
    assert PERSONAS["cheating"].false_promise_probability > 0
    assert PERSONAS["victim"].hardship_appeal_probability > PERSONAS["vanilla"].hardship_appeal_probability
    assert PERSONAS["stonewalling"].minimal_answer_probability > 0.5
    assert PERSONAS["stonewalling"].move_probability < 1
    # Empathy calms the angry persona; firmness inflames it.
    angry = PERSONAS["angry"].stance_reactions
    assert angry["sadness"]["anger"] < 0 < angry["anger"]["anger"]


def test_get_persona_is_forgiving_about_case_and_spaces() -> None:
    assert get_persona(" Angry ") is PERSONAS["angry"]


@pytest.mark.parametrize("bad", ["grumpy", "", "angry,sad"])
def test_unknown_persona_lists_the_valid_names(bad: str) -> None:
    with pytest.raises(ValueError, match=r"valid personas: vanilla, angry, sad.*stonewalling"):
        get_persona(bad)


def test_parse_personas_all_and_lists() -> None:
    assert [p.name for p in parse_personas("all")] == list(PERSONA_NAMES)
    assert [p.name for p in parse_personas(" ALL ")] == list(PERSONA_NAMES)
    assert [p.name for p in parse_personas("sad, angry,sad")] == ["sad", "angry"]


@pytest.mark.parametrize("bad", ["", " , ", "sad,grumpy"])
def test_parse_personas_refuses_bad_selections(bad: str) -> None:
    with pytest.raises(ValueError, match="vanilla"):
        parse_personas(bad)


def test_invalid_parameters_are_refused() -> None:
    vanilla = PERSONAS["vanilla"]
    with pytest.raises(ValueError, match="concession_rate"):
        dataclasses.replace(vanilla, concession_rate=1.5)
    with pytest.raises(ValueError, match="base_emotion"):
        dataclasses.replace(vanilla, base_emotion={"calm": 1.0})
    with pytest.raises(ValueError, match="opening_markup"):
        dataclasses.replace(vanilla, opening_markup=-0.1)
    with pytest.raises(ValueError, match="max_hold_rounds"):
        dataclasses.replace(vanilla, max_hold_rounds=0)
