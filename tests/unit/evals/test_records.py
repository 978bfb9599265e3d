"""record_from_state over real offline dialogues: every turn, an agreement, an escalation, ground-truth overlay."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from langchain_core.messages import HumanMessage

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.emotions import LABELS
from eq_negotiator.evals.records import RecordError, dialogue_id_for, record_from_state
from eq_negotiator.graph.session import Negotiator
from eq_negotiator.scenario import Scenario
from tests.unit.evals.conftest import Play

FIELDS: dict[str, Any] = {
    "scenario_id": "builtin-01",
    "persona": "angry",
    "policy": "eq",
    "seed": 0,
    "creditor_model": "offline",
    "debtor": "scripted",
}

CEASE = "Stop calling me. I want you to cease all contact."


def test_demo_dialogue_becomes_a_record_turn_by_turn(demo: tuple[str, dict[str, Any]]) -> None:
    _, state = demo
    record = record_from_state(state, **FIELDS, elapsed_s=1.5)

    assert record["id"] == "builtin-01|angry|eq|s0" == dialogue_id_for("builtin-01", "angry", "eq", 0)
    assert record["scenario"] == state["scenario"]
    assert json.loads(json.dumps(record)) == record  # JSON-native
    outcome = record["outcome"]
    assert outcome["status"] == state["status"] == "agreed"
    assert outcome["agreed_days"] == state["agreement"]["days"]
    assert outcome["rounds"] == len(DEMO_SCRIPT) == len(record["turns"])
    assert outcome["error"] is None and record["elapsed_s"] == 1.5

    replies = [m.text for m in state["messages"][1::2]]
    for i, turn in enumerate(record["turns"]):
        assert turn["turn"] == i + 1
        assert turn["debtor"]["text"] == DEMO_SCRIPT[i]
        parsed = state["client_offers"][i]
        assert turn["debtor"]["offer_days"] == parsed["days"] and turn["debtor"]["act"] == parsed["act"]
        assert turn["debtor"]["intent"] is None
        assert turn["reading"]["label"] == state["readings"][i]["label"]
        assert turn["reading"]["distribution"] == [state["readings"][i]["distribution"][x] for x in LABELS]
        assert turn["decision"] == state["decisions"][i]
        assert turn["stance"] == state["decisions"][i]["stance"]
        assert turn["creditor"]["text"] == replies[i]
        assert turn["guard"] == state["guard_events"][i]
        assert turn["status"] == ("agreed" if i == len(DEMO_SCRIPT) - 1 else "ongoing")
    # The creditor's stated timeline: each round's offer, then the agreed days on the agreeing turn.
    offers = {o["round"]: o["days"] for o in state["offers"]}
    stated = [turn["creditor"]["offer_days"] for turn in record["turns"]]
    assert stated[:-1] == [offers[n] for n in range(1, len(DEMO_SCRIPT))]
    assert stated[-1] == outcome["agreed_days"]
    assert str(outcome["agreed_days"]) in record["turns"][-1]["creditor"]["text"]


def test_escalated_turn_has_no_policy_entries_and_later_turns_stay_aligned(negotiator: Negotiator, play: Play) -> None:
    thread_id, _ = play(["I could do 60 days.", CEASE])
    negotiator.resume_escalation(thread_id, action="continue", operator="tester")
    negotiator.send(thread_id, "Fine, 45 days then.")
    state = negotiator.state(thread_id)

    record = record_from_state(state, **FIELDS)

    first, escalated, third = record["turns"]
    assert escalated["status"] == "escalated"
    assert escalated["reading"] is None and escalated["decision"] is None and escalated["guard"] is None
    assert escalated["creditor"]["offer_days"] is None
    assert escalated["rights_events"][0]["kind"] == "cease_contact"
    assert escalated["debtor"]["offer_days"] is None
    assert first["debtor"]["offer_days"] == 60 and third["debtor"]["offer_days"] == 45
    assert third["reading"]["label"] == state["readings"][1]["label"]
    assert third["guard"]["turn"] == 3 and third["decision"] == state["decisions"][1]
    assert record["outcome"]["rounds"] == 3  # the fixed reply answered the debtor too


def test_a_turn_the_agent_could_not_read_has_no_policy_entries_and_later_turns_stay_aligned(play: Play) -> None:
    _, state = play(["I could do 60 days.", "Puedo pagar en noventa días, pero no antes, lo siento mucho.", "45 days."])

    record = record_from_state(state, **FIELDS)

    first, unread, third = record["turns"]
    assert unread["unsupported_language"] is not None and unread["unsupported_language"]["code"] == "es"
    assert first["unsupported_language"] is None and third["unsupported_language"] is None
    assert unread["reading"] is None and unread["decision"] is None and unread["client_offer"] is None
    assert unread["creditor"]["offer_days"] is None  # the fixed reply states no timeline
    assert unread["guard"]["turn"] == 2 and unread["status"] == "ongoing"
    assert third["debtor"]["offer_days"] == 45 and third["reading"]["label"] == state["readings"][1]["label"]
    assert third["decision"] == state["decisions"][1]
    assert record["outcome"]["rounds"] == 3


def test_dialogue_ending_in_an_escalation(play: Play) -> None:
    _, state = play([CEASE])
    assert "scenario" not in state  # update_history never ran

    with pytest.raises(RecordError, match="no scenario"):
        record_from_state(state, **FIELDS)
    record = record_from_state(state, **FIELDS, scenario=Scenario().to_state())

    assert record["outcome"] == {"status": "escalated", "agreed_days": None, "rounds": 1, "error": None}
    (turn,) = record["turns"]
    assert turn["reading"]["label"] == state["reading"]["label"]  # the escalated last turn's reading is kept
    assert turn["stance"] is None


def test_closed_by_the_caller(negotiator: Negotiator, play: Play) -> None:
    thread_id, _ = play(["Hello, I got your letter."])
    negotiator.close(thread_id)

    record = record_from_state(negotiator.state(thread_id), **FIELDS)

    assert record["outcome"]["status"] == "closed" and record["outcome"]["agreed_days"] is None


def test_error_status_wins(play: Play) -> None:
    _, state = play(DEMO_SCRIPT[:2])
    record = record_from_state(state, **FIELDS, error="TimeoutError: the model did not answer")
    assert record["outcome"]["status"] == "error"
    assert record["outcome"]["error"].startswith("TimeoutError")
    assert len(record["turns"]) == 2


@dataclass(frozen=True)
class Truth:
    text: str
    offer_days: int | None
    act: str
    intent: str | None


def test_debtor_ground_truth_overlays_the_parsed_offers(play: Play) -> None:
    lines = DEMO_SCRIPT[:3]
    _, state = play(lines)
    truth = [
        Truth(lines[0], None, "open", "fear"),
        {"text": lines[1], "offer_days": 110, "act": "counter", "intent": "anger"},
        Truth(lines[2], 100, "counter", "anger"),
    ]

    record = record_from_state(state, **FIELDS, debtor_turns=truth)

    assert [t["debtor"]["offer_days"] for t in record["turns"]] == [None, 110, 100]
    assert [t["debtor"]["act"] for t in record["turns"]] == ["open", "counter", "counter"]
    assert record["turns"][0]["debtor"]["intent"] == "fear"
    assert record["turns"][1]["client_offer"]["days"] == 120  # what the agent parsed stays beside the truth


def test_debtor_ground_truth_must_match_the_thread(play: Play) -> None:
    lines = DEMO_SCRIPT[:2]
    _, state = play(lines)
    one = {"text": lines[0], "offer_days": None, "act": "open", "intent": None}

    with pytest.raises(RecordError, match="1 entries but the thread has 2 client messages"):
        record_from_state(state, **FIELDS, debtor_turns=[one])
    with pytest.raises(RecordError, match="not aligned"):
        record_from_state(state, **FIELDS, debtor_turns=[one, one])
    with pytest.raises(RecordError, match="lacks act, intent"):
        record_from_state(state, **FIELDS, debtor_turns=[one, {"text": lines[1], "offer_days": 1}])


def test_inconsistent_state_is_refused(play: Play) -> None:
    _, state = play(DEMO_SCRIPT[:2])
    broken = dict(state, readings=state["readings"] * 2)
    with pytest.raises(RecordError, match="4 readings but only 2"):
        record_from_state(broken, **FIELDS)
    stray = dict(state, guard_events=[*state["guard_events"], {"turn": 9, "action": "passed"}])
    with pytest.raises(RecordError, match="turn 9"):
        record_from_state(stray, **FIELDS)


def test_a_turn_that_failed_part_way_keeps_its_unanswered_message(play: Play) -> None:
    lines = DEMO_SCRIPT[:2]
    _, state = play(lines)
    # What a reply failure leaves behind: the client's message saved, its reading recorded, no reply.
    failed = dict(
        state,
        messages=[*state["messages"], HumanMessage(DEMO_SCRIPT[2])],
        readings=[*state["readings"], state["readings"][-1]],
    )
    truth = [{"text": line, "offer_days": None, "act": "open", "intent": None} for line in lines]

    record = record_from_state(failed, **FIELDS, debtor_turns=truth, error="ReplyError: the reply failed")

    assert record["outcome"]["status"] == "error" and record["outcome"]["rounds"] == 2
    last = record["turns"][-1]
    assert last["debtor"]["text"] == DEMO_SCRIPT[2] and last["debtor"]["act"] is None
    assert last["creditor"] == {"text": None, "offer_days": None} and last["guard"] is None
    assert last["reading"] is not None
    with pytest.raises(RecordError, match="1 entries but the thread has 3"):
        record_from_state(failed, **FIELDS, debtor_turns=truth[:1])
