"""Simulated debtors: every template reads back as intended, the scripted debtor's behaviour per persona, and the
LLM debtor's prompt and transcript (with LangChain's fake chat model)."""

from __future__ import annotations

import csv
import itertools
import random
import re
import statistics
from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

import eq_negotiator.sensing
from eq_negotiator.emotions import LABELS
from eq_negotiator.negotiation.concession import ConcessionConfig, ConcessionStrategy
from eq_negotiator.negotiation.offers import parse_offer
from eq_negotiator.negotiation.rights import detect_rights_events, escalates
from eq_negotiator.responders.providers import ModelConfigError
from eq_negotiator.scenario import Scenario
from eq_negotiator.simulation.debtors import (
    ACCEPT_BANKS,
    CORES,
    DAYS_BANKS,
    DEBTOR_ACTS,
    NO_DAYS_BANKS,
    OPENERS,
    SCRIPTED_ASSUMPTIONS,
    CreditorMove,
    Debtor,
    DebtorTurn,
    LLMDebtor,
    ScriptedDebtor,
    fill,
    make_debtor,
    number_words,
    reservation_days,
    say_days,
)
from eq_negotiator.simulation.personas import HONEST_PERSONAS, PERSONA_NAMES, PERSONAS
from tests.unit.graph.fakes import ScriptedChatModel

SCENARIO = Scenario(id="unit-1")
SCENARIOS = (
    SCENARIO,
    Scenario(id="unit-2", creditor_target_days=60, debtor_target_days=240, authorised_limit_days=180, currency="GBP"),
    Scenario(id="unit-3", creditor_target_days=14, debtor_target_days=28, authorised_limit_days=21, currency="JPY"),
)


# ---------------------------------------------------------------------------------------------------------------
# Templates
# ---------------------------------------------------------------------------------------------------------------


def renderings(days: int) -> list[str]:
    """Every way :func:`say_days` may say ``days``."""
    said = [f"{days} days", f"{number_words(days)} days"]
    if days % 30 == 0 and days <= 360:
        said += [f"{days // 30} months", f"{number_words(days // 30)} months"]
    if days % 7 == 0 and days <= 84:
        said.append(f"{number_words(days // 7)} weeks")
    return said


DAY_VALUES = (7, 14, 21, 28, 33, 45, 60, 77, 90, 105, 120, 180, 240, 365)


def all_templates() -> Iterator[tuple[str, str]]:
    for bank, templates in CORES.items():
        for template in templates:
            yield bank, template


def test_banks_are_classified_and_varied() -> None:
    assert set(CORES) == DAYS_BANKS | ACCEPT_BANKS | NO_DAYS_BANKS
    assert not (DAYS_BANKS & ACCEPT_BANKS or DAYS_BANKS & NO_DAYS_BANKS or ACCEPT_BANKS & NO_DAYS_BANKS)
    assert set(OPENERS) == set(LABELS)
    assert all(len(set(bank)) >= 5 for bank in OPENERS.values())
    assert all(len(set(bank)) == len(bank) >= 3 for bank in CORES.values())


@pytest.mark.parametrize(("bank", "template"), [t for t in all_templates() if t[0] in DAYS_BANKS])
def test_days_templates_read_back_exactly(bank: str, template: str) -> None:
    for scenario in SCENARIOS:
        for days in DAY_VALUES:
            their = max(1, days // 3)
            for said in renderings(days):
                text = fill(template, days=said, their=f"{their} days", scenario=scenario)
                standing = None if bank == "open" else their
                offer = parse_offer(text, speaker="debtor", standing_offer_days=standing)
                assert (offer.days, offer.act) == (days, "propose"), text


@pytest.mark.parametrize(("bank", "template"), [t for t in all_templates() if t[0] in ACCEPT_BANKS])
def test_accept_templates_accept_the_creditors_offer(bank: str, template: str) -> None:
    for their in DAY_VALUES:
        for said in renderings(their):
            text = fill(template, their=said, scenario=SCENARIO)
            offer = parse_offer(text, speaker="debtor", standing_offer_days=their)
            assert (offer.days, offer.act) == (their, "accept"), text


@pytest.mark.parametrize(("bank", "template"), [t for t in all_templates() if t[0] in NO_DAYS_BANKS])
def test_templates_without_days_name_none(bank: str, template: str) -> None:
    text = fill(template, scenario=SCENARIO)
    offer = parse_offer(text, speaker="debtor", standing_offer_days=60)
    assert offer.days is None, text
    if offer.doubt is not None:
        # A vague promise to pay in full ("I'll clear everything then") names no date: the agent asks, it agrees
        # to nothing and takes no timeline from it.
        assert offer.doubt == "unclear_date" and offer.basis == "in_full", text
        return
    assert offer.act == ("reject" if bank == "refuse" else "other"), text


@pytest.mark.parametrize("label", LABELS)
def test_openers_change_no_reading(label: str) -> None:
    """An opener alone is neither an offer, an acceptance nor a refusal, and it never changes the core's reading."""
    cores = [("counter", t) for t in CORES["counter"]] + [("accept", t) for t in CORES["accept"]]
    cores += [("refuse", t) for t in CORES["refuse"]] + [("stall", t) for t in CORES["stall"]]
    for opener in OPENERS[label]:
        alone = parse_offer(opener, speaker="debtor", standing_offer_days=60)
        assert (alone.days, alone.act) == (None, "other"), opener
        for bank, core in cores:
            text = f"{opener} {fill(core, days='120 days', their='60 days', scenario=SCENARIO)}"
            offer = parse_offer(text, speaker="debtor", standing_offer_days=60)
            expected = {"counter": (120, "propose"), "accept": (60, "accept"), "refuse": (None, "reject")}
            assert (offer.days, offer.act) == expected.get(bank, (None, "other")), text


def test_extras_before_a_counter_keep_its_days() -> None:
    for extra in CORES["hardship"] + CORES["threat"]:
        for core in CORES["counter"] + CORES["counter_theirs"]:
            text = f"{fill(extra, scenario=SCENARIO)} {fill(core, days='95 days', their='40 days', scenario=SCENARIO)}"
            offer = parse_offer(text, speaker="debtor", standing_offer_days=40)
            assert (offer.days, offer.act) == (95, "propose"), text


def test_only_representation_claims_trigger_client_rights_events() -> None:
    sentences = [opener for bank in OPENERS.values() for opener in bank]
    for bank, template in all_templates():
        text = fill(template, days="120 days", their="60 days", scenario=SCENARIO)
        if bank == "representation":
            assert [event.kind for event in detect_rights_events(text)] == ["attorney"], text
        else:
            sentences.append(text)
    for text in sentences:
        assert detect_rights_events(text) == [], text


def test_say_days_reads_back_for_every_timeline() -> None:
    rng = random.Random(0)
    for days in range(1, 400):
        for _ in range(6):
            said = say_days(days, rng)
            assert parse_offer(f"I need {said}.", speaker="debtor").days == days, said


def test_number_words() -> None:
    assert number_words(7) == "seven"
    assert number_words(45) == "forty-five"
    assert number_words(120) == "a hundred and twenty"
    assert number_words(300) == "three hundred"
    with pytest.raises(ValueError, match="0-999"):
        number_words(1000)


def _fragments(template: str) -> list[str]:
    return [part.strip().lower() for part in re.split(r"\{\w+\}", template) if len(part.strip()) >= 25]


def test_templates_are_not_taken_from_the_sensor_corpus() -> None:
    corpus = Path(eq_negotiator.sensing.__file__).parent / "corpora" / "credit_dialogue_emotions.csv"
    with corpus.open(encoding="utf-8") as handle:
        texts = [row["text"].lower() for row in csv.DictReader(handle)]
    templates = [t for _, t in all_templates()] + [o for bank in OPENERS.values() for o in bank]
    for template in templates:
        whole = template.lower()
        assert whole not in texts, template
        for fragment in _fragments(template):
            assert not any(fragment in text for text in texts), fragment


# ---------------------------------------------------------------------------------------------------------------
# The scripted debtor
# ---------------------------------------------------------------------------------------------------------------


def play(
    debtor: ScriptedDebtor,
    scenario: Scenario,
    *,
    stance: str | None = "neutral",
    stances: tuple[str | None, ...] | None = None,
    max_rounds: int = 15,
) -> list[DebtorTurn]:
    """Play the debtor against the creditor's real concession strategy (linear), without the graph."""
    strategy = ConcessionStrategy(scenario, ConcessionConfig(curve="linear", max_rounds=max_rounds))
    turn = debtor.opening()
    turns, standing = [turn], None
    for round_index in range(max_rounds - 1):
        parsed = parse_offer(turn.text, speaker="debtor", standing_offer_days=standing)
        assert parsed.days == turn.offer_days, turn
        if turn.act == "accept" or escalates(detect_rights_events(turn.text)):
            break
        response = strategy.respond_to(parsed.days, round_index + 1, None, previous_offer=standing)  # rounds from 1
        if response.accepted:
            break
        standing = response.days
        this_stance = stances[round_index % len(stances)] if stances else stance
        turn = debtor.respond(CreditorMove(f"We can offer {standing} days.", standing, this_stance))
        turns.append(turn)
    return turns


def test_scripted_debtor_satisfies_the_protocol() -> None:
    debtor = ScriptedDebtor("vanilla", SCENARIO, 0)
    assert isinstance(debtor, Debtor)
    assert debtor.kind == "scripted"
    assert "scripted" in SCRIPTED_ASSUMPTIONS.lower() and "assumption" in SCRIPTED_ASSUMPTIONS.lower()


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_same_seed_same_dialogue_and_other_seeds_differ(name: str) -> None:
    stances = ("neutral", "sadness", "anger", None, "joy")
    first = play(ScriptedDebtor(name, SCENARIO, 3), SCENARIO, stances=stances)
    again = play(ScriptedDebtor(PERSONAS[name], SCENARIO, 3), SCENARIO, stances=stances)
    assert first == again
    others = [play(ScriptedDebtor(name, SCENARIO, seed), SCENARIO, stances=stances) for seed in (4, 5)]
    assert any([t.text for t in other] != [t.text for t in first] for other in others)
    other_case = SCENARIO.model_copy(update={"id": "unit-other"})
    assert [t.text for t in play(ScriptedDebtor(name, other_case, 3), other_case, stances=stances)] != [
        t.text for t in first
    ]


@pytest.mark.parametrize("name", PERSONA_NAMES)
def test_turns_are_well_formed(name: str) -> None:
    for scenario in SCENARIOS:
        for seed in range(4):
            debtor = ScriptedDebtor(name, scenario, seed)
            turns = play(debtor, scenario)
            assert turns[0].act == "open"
            assert turns[0].offer_days is not None and turns[0].offer_days >= scenario.debtor_target_days
            for turn in turns:
                assert turn.act in DEBTOR_ACTS
                assert turn.intent in LABELS
                assert turn.text and not turn.text[0].islower()
                stated = turn.act in ("open", "counter", "threat")
                if stated and turn.offer_days is not None and debtor.persona.honest:  # never below its reservation
                    assert turn.offer_days >= reservation_days(debtor.persona, scenario) - 1e-9


def test_empathy_lowers_anger_compared_with_firmness() -> None:
    for seed in range(5):
        soothed, pressed = ScriptedDebtor("angry", SCENARIO, seed), ScriptedDebtor("angry", SCENARIO, seed)
        soothed.opening(), pressed.opening()
        for offer in (30, 34, 39):
            soothed.respond(CreditorMove("I understand this is hard.", offer, "sadness"))
            pressed.respond(CreditorMove("The balance is due.", offer, "anger"))
        assert soothed.emotion["anger"] < pressed.emotion["anger"] - 0.1
        assert sum(soothed.emotion.values()) == pytest.approx(1.0)


def test_creditor_concessions_calm_the_angry_persona() -> None:
    moved, held = ScriptedDebtor("angry", SCENARIO, 0), ScriptedDebtor("angry", SCENARIO, 0)
    for debtor, offers in ((moved, (30, 40, 50)), (held, (30, 30, 30))):
        debtor.opening()
        for offer in offers:
            debtor.respond(CreditorMove("...", offer, "neutral"))
    assert moved.emotion["anger"] < held.emotion["anger"]


def test_empathy_speeds_concession_and_firmness_slows_it_for_the_victim() -> None:
    kind, firm = [], []
    for seed in range(5):
        kind.append(play(ScriptedDebtor("victim", SCENARIO, seed), SCENARIO, stance="sadness")[3].offer_days)
        firm.append(play(ScriptedDebtor("victim", SCENARIO, seed), SCENARIO, stance="anger")[3].offer_days)
    pairs = [(k, f) for k, f in zip(kind, firm, strict=True) if k is not None and f is not None]
    assert pairs and all(k <= f for k, f in pairs) and any(k < f for k, f in pairs)


@pytest.mark.parametrize("name", sorted(HONEST_PERSONAS))
def test_honest_personas_never_raise_their_ask(name: str) -> None:
    for scenario in SCENARIOS:
        for seed in range(8):
            turns = play(ScriptedDebtor(name, scenario, seed), scenario)
            days = [t.offer_days for t in turns if t.offer_days]
            assert days == sorted(days, reverse=True), (scenario.id, seed, days)
            if not escalates(detect_rights_events(turns[-1].text)):  # a rare representation claim ends it early
                assert len(set(days)) >= 2, (scenario.id, seed, days)  # and they do move


def test_cheating_promises_then_backtracks() -> None:
    backtracks = 0
    for scenario in SCENARIOS:
        for seed in range(10):
            turns = play(ScriptedDebtor("cheating", scenario, seed), scenario)
            for previous, turn in itertools.pairwise(turns):
                if turn.act == "backtrack":
                    backtracks += 1
                    assert turn.offer_days is not None
                    if previous.offer_days is not None:
                        assert turn.offer_days > previous.offer_days  # back to a longer timeline
                elif previous.offer_days and turn.offer_days and turn.act != "accept":
                    assert turn.offer_days <= previous.offer_days  # rises only when backtracking
    assert backtracks >= 10


def test_stonewalling_answers_are_short() -> None:
    def words(name: str) -> list[int]:
        counts = []
        for seed in range(6):
            counts += [len(t.text.split()) for t in play(ScriptedDebtor(name, SCENARIO, seed), SCENARIO)[1:]]
        return counts

    stonewalling, vanilla = words("stonewalling"), words("vanilla")
    assert statistics.median(stonewalling) <= 5  # e.g. "Still 120 days."
    assert statistics.mean(stonewalling) < statistics.mean(vanilla) / 2


def test_threats_rarely_claim_representation() -> None:
    threats = claims = 0
    for seed in range(25):
        for turn in play(ScriptedDebtor("threatening", SCENARIO, seed), SCENARIO):
            if turn.act == "threat":
                threats += 1
                claims += escalates(detect_rights_events(turn.text))
    assert threats >= 60
    assert claims / threats <= 0.06


def test_victims_appeal_to_hardship() -> None:
    appeals = set(CORES["hardship"])
    turns = [t for seed in range(5) for t in play(ScriptedDebtor("victim", SCENARIO, seed), SCENARIO)]
    assert sum(any(a in t.text for a in appeals) for t in turns) >= len(turns) // 4


def test_accepts_the_creditors_offer_once_close_enough() -> None:
    debtor = ScriptedDebtor("vanilla", SCENARIO, 0)
    debtor.opening()
    turn = debtor.respond(CreditorMove("We can do 119 days.", 119, "joy"))
    assert (turn.act, turn.offer_days) == ("accept", 119)
    assert parse_offer(turn.text, speaker="debtor", standing_offer_days=119).act == "accept"


def test_opening_twice_is_refused_and_a_missing_offer_is_tolerated() -> None:
    debtor = ScriptedDebtor("fear", SCENARIO, 1)
    debtor.opening()
    with pytest.raises(RuntimeError, match="respond"):
        debtor.opening()
    turn = debtor.respond(CreditorMove("I'm sorry, could you say more about your situation?", None, None))
    assert turn.act in DEBTOR_ACTS


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="valid personas"):
        ScriptedDebtor("grumpy", SCENARIO, 0)
    with pytest.raises(ValueError, match="max_rounds"):
        ScriptedDebtor("sad", SCENARIO, 0, max_rounds=1)


# ---------------------------------------------------------------------------------------------------------------
# The LLM debtor
# ---------------------------------------------------------------------------------------------------------------


def fake(*replies: str) -> ScriptedChatModel:
    return ScriptedChatModel(replies=list(replies))


def test_llm_debtor_sees_the_whole_transcript() -> None:
    model = fake("Hi, I need 150 days to pay this.", "That's too short. I could do 120 days.", "Deal, 60 days.")
    debtor = LLMDebtor(model, "angry", SCENARIO)
    assert debtor.kind == "llm:scripted-model"  # the model's own name when it has one
    assert isinstance(debtor, Debtor)

    opening = debtor.opening()
    assert (opening.act, opening.offer_days, opening.intent) == ("open", 150, None)
    first = debtor.respond(CreditorMove("I hear you. We can offer 30 days to clear it.", 30, "sadness"))
    assert (first.act, first.offer_days) == ("counter", 120)
    last = debtor.respond(CreditorMove("Let's meet at 60 days, with no extra fees.", 60, "joy"))
    assert (last.act, last.offer_days) == ("accept", 60)

    system, cue = model.seen[0]
    assert isinstance(system, SystemMessage) and isinstance(cue, HumanMessage)
    prompt = system.text
    assert PERSONAS["angry"].description in prompt
    assert f"{SCENARIO.debtor_target_days} days" in prompt
    assert str(round(reservation_days(PERSONAS["angry"], SCENARIO))) in prompt
    assert "never reveal" in prompt.lower()

    final = model.seen[-1]
    assert [type(m).__name__ for m in final] == [
        "SystemMessage", "HumanMessage", "AIMessage", "HumanMessage", "AIMessage", "HumanMessage"
    ]  # fmt: skip
    assert final[3].text == "I hear you. We can offer 30 days to clear it."
    assert final[5].text == "Let's meet at 60 days, with no extra fees."
    assert final[2].text == "Hi, I need 150 days to pay this." and final[4].text.startswith("That's too short")


def test_llm_debtor_acts_from_its_own_words() -> None:
    debtor = LLMDebtor(fake("Hello.", "No way.", "Let me think about it."), PERSONAS["sad"], SCENARIO)
    assert (debtor.opening().act, debtor.respond(CreditorMove("30 days.", 30, None)).act) == ("open", "refuse")
    assert debtor.respond(CreditorMove("35 days?", 35, None)) == DebtorTurn(
        "Let me think about it.", None, "stall", None
    )


def test_llm_debtor_errors() -> None:
    debtor = LLMDebtor(fake("   "), "vanilla", SCENARIO)
    with pytest.raises(RuntimeError, match="opening"):
        debtor.respond(CreditorMove("Hello", 30, None))
    with pytest.raises(ValueError, match="empty message"):
        debtor.opening()


def test_make_debtor() -> None:
    scripted = make_debtor("scripted", "sad", SCENARIO, 7)
    assert isinstance(scripted, ScriptedDebtor) and scripted.seed == 7 and scripted.kind == "scripted"
    assert make_debtor(" Scripted ", "sad", SCENARIO, 7).opening() == scripted.opening()
    assert isinstance(make_debtor(fake("Hi"), "sad", SCENARIO, 0), LLMDebtor)
    with pytest.raises(ValueError, match="cannot play a debtor"):
        make_debtor("offline", "sad", SCENARIO, 0)
    with pytest.raises(ModelConfigError):
        make_debtor("nosuchprovider:model", "sad", SCENARIO, 0)
    with pytest.raises(ValueError, match="valid personas"):
        make_debtor("scripted", "grumpy", SCENARIO, 0)
