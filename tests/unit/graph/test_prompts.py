"""Prompt directories: a copied set loads and is used; each kind of broken file stops start-up with its name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eq_negotiator.emotions import LABELS
from eq_negotiator.graph import Context, build_graph, open_negotiator
from eq_negotiator.graph.services import Services
from eq_negotiator.prompts import PACKAGED_DIR, PromptError, load_prompts
from tests.unit.graph.fakes import FIRST_OFFER, ScriptedChatModel, keyword_sensor, say, thread


@pytest.fixture()
def prompt_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(PACKAGED_DIR, folder)
    return folder


def test_packaged_prompts_load() -> None:
    prompts = load_prompts()
    assert prompts.directory == PACKAGED_DIR
    assert set(prompts.stances) == set(LABELS)


def test_a_copied_directory_loads(prompt_dir: Path) -> None:
    prompts = load_prompts(str(prompt_dir))
    assert prompts.directory == prompt_dir
    assert prompts.system == load_prompts().system
    assert dict(prompts.stances) == dict(load_prompts().stances)


def test_a_custom_directory_is_what_the_model_sees(prompt_dir: Path) -> None:
    (prompt_dir / "system.txt").write_text("CUSTOM {offer_days} days for {debtor}. {{literal}} {stance_instruction}")
    (prompt_dir / "fear.txt").write_text("CUSTOM FEAR for {creditor}")
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    graph = build_graph("memory", model=model, sensor=keyword_sensor())

    values = graph.invoke(say("hello"), thread("p"), context=Context(prompt_dir=str(prompt_dir), policy="fixed:fear"))

    assert model.last_system_prompt == "CUSTOM 30 days for Alex Morgan. {literal} CUSTOM FEAR for Northwind Lending"
    assert values["messages"][-1].text == FIRST_OFFER
    assert len(model.calls) == 1


@pytest.mark.parametrize("name", ["system.txt", "fear.txt", "neutral.txt"])
def test_a_missing_file_is_named(prompt_dir: Path, name: str) -> None:
    (prompt_dir / name).unlink()
    with pytest.raises(PromptError, match="template missing") as raised:
        load_prompts(str(prompt_dir))
    assert str(prompt_dir / name) in str(raised.value)


@pytest.mark.parametrize(
    ("name", "text", "match"),
    [
        ("joy.txt", "Warm, and {foo}.", r"unknown placeholders \['foo'\]"),
        ("joy.txt", "Warm: {offer_days} days.", r"unknown placeholders \['offer_days'\]"),  # system-only name
        ("system.txt", "Hello {debtor} {stance_instruction} {transcript} {nope}", r"unknown placeholders \['nope'\]"),
        ("anger.txt", "Firm {debtor", "malformed template"),
        ("anger.txt", "Firm } debtor", "malformed template"),
        ("system.txt", "Offer {offer_days days", "malformed template"),
        ("sadness.txt", "Be kind to {debtor.name}", "plain names"),
        ("sadness.txt", "Be kind to {}", "plain names"),
        ("sadness.txt", "Be kind to {0}", "plain names"),
        ("disgust.txt", "", "empty"),
        ("disgust.txt", "  \n\t\n", "empty"),
    ],
)
def test_a_broken_file_is_named(prompt_dir: Path, name: str, text: str, match: str) -> None:
    (prompt_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(PromptError, match=match) as raised:
        load_prompts(str(prompt_dir))
    assert str(prompt_dir / name) in str(raised.value)


def test_a_non_utf8_file_is_named(prompt_dir: Path) -> None:
    (prompt_dir / "surprise.txt").write_bytes(b"\xff\xfe caf\xe9")
    with pytest.raises(PromptError, match="not UTF-8") as raised:
        load_prompts(str(prompt_dir))
    assert "surprise.txt" in str(raised.value)


def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match="not found"):
        load_prompts(str(tmp_path / "nowhere"))


def test_services_check_fails_at_start_up(prompt_dir: Path) -> None:
    (prompt_dir / "joy.txt").write_text("{foo}")
    services = Services(sensor=keyword_sensor())
    services.check(Context())  # the packaged set is fine
    with pytest.raises(PromptError, match=r"joy\.txt"):
        services.check(Context(prompt_dir=str(prompt_dir)))


def test_open_negotiator_refuses_a_bad_prompt_dir_before_writing(prompt_dir: Path, tmp_path: Path) -> None:
    (prompt_dir / "neutral.txt").unlink()
    db = tmp_path / "never.db"
    with pytest.raises(PromptError, match=r"neutral\.txt"):
        open_negotiator(f"sqlite:///{db}", context=Context(prompt_dir=str(prompt_dir)), sensor=keyword_sensor())
    assert not db.exists()
