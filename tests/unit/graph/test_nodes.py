"""Each node called on its own with a state dict and a Runtime[Context]: the partial update it returns."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from eq_negotiator.dialogue import ClientMessageError, DialogueClosedError
from eq_negotiator.emotions import LABELS
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import SCHEMA_VERSION
from eq_negotiator.negotiation.guard import safe_template
from eq_negotiator.nodes import (
    make_check_compliance,
    make_respond,
    make_select_strategy,
    make_sense_emotion,
    make_update_history,
)
from eq_negotiator.nodes.replying import EmptyReplyError, reply_seed, temperature_for
from eq_negotiator.prompts import NO_STANCE_INSTRUCTION, load_prompts
from eq_negotiator.reasoning import STANCES
from eq_negotiator.responders import OFFLINE_MODEL_NAME, OfflineResponder, TemperatureSchedule
from eq_negotiator.scenario import Scenario
from tests.unit.graph.fakes import (
    FIRST_OFFER,
    ScriptedChatModel,
    ScriptedSensor,
    keyword_sensor,
    probabilities,
    runtime,
)

CONFIG = {"configurable": {"thread_id": "node-test"}}


def reading_dict(label: str) -> dict[str, Any]:
    return {
        "label": label,
        "confidence": 0.9,
        "distribution": dict(zip(LABELS, probabilities(label), strict=True)),
        "flags": [],
    }


def turn_state(label: str = "neutral", *, turn: int = 1, stance: str | None = "neutral") -> dict[str, Any]:
    """State as ``respond`` sees it on ``turn``, with no standing offer: the reply must state the scenario's target."""
    messages: list[Any] = []
    for i in range(1, turn):
        messages += [HumanMessage(f"client {i}"), AIMessage(f"agent {i}")]
    messages.append(HumanMessage(f"client {turn}"))
    return {
        "messages": messages,
        "scenario": Scenario().to_state(),
        "turn": turn,
        "reading": reading_dict(label),
        "stance": stance,
    }


# -- sense_emotion ----------------------------------------------------------------------------------------------


def test_sense_emotion_returns_only_the_reading_and_language_as_plain_data() -> None:
    sensor = keyword_sensor()
    node = make_sense_emotion(Services(sensor=sensor))

    update = node({"messages": [HumanMessage("I am furious about this")]}, runtime())

    assert set(update) == {"reading", "language"}
    assert update["language"] == {"code": "en", "confidence": update["language"]["confidence"], "supported": True}
    reading = update["reading"]
    assert reading["label"] == "anger"
    assert reading["confidence"] == pytest.approx(0.9)
    assert list(reading["distribution"]) == list(LABELS)
    assert math.fsum(reading["distribution"].values()) == pytest.approx(1.0)
    assert reading["flags"] == []
    assert json.loads(json.dumps(reading)) == reading
    assert sensor.texts == ["I am furious about this"]


def test_sense_emotion_does_not_read_the_emotion_of_a_message_in_another_language() -> None:
    sensor = keyword_sensor()
    node = make_sense_emotion(Services(sensor=sensor))

    update = node({"messages": [HumanMessage("Estoy furioso, no voy a pagar nada de esto")]}, runtime())

    assert update["language"]["code"] == "es" and update["language"]["supported"] is False
    assert update["reading"]["label"] == "neutral" and update["reading"]["flags"] == ["unsupported_language"]
    assert sensor.texts == []  # not read as a neutral English message: not read at all


def test_sense_emotion_reads_the_newest_client_message() -> None:
    sensor = keyword_sensor()
    node = make_sense_emotion(Services(sensor=sensor))
    state = {"messages": [HumanMessage("I am so sad"), AIMessage("sorry"), HumanMessage("great, thanks")]}

    assert node(state, runtime())["reading"]["label"] == "joy"
    assert sensor.texts == ["great, thanks"]


@pytest.mark.parametrize("text", ["", "   \n\t"], ids=["empty", "whitespace"])
def test_sense_emotion_refuses_an_empty_message(text: str) -> None:
    sensor = keyword_sensor()
    node = make_sense_emotion(Services(sensor=sensor))

    with pytest.raises(ClientMessageError, match="empty"):
        node({"messages": [HumanMessage(text)]}, runtime())
    assert sensor.texts == []  # the sensor is never asked


def test_sense_emotion_refuses_a_message_over_the_context_limit() -> None:
    node = make_sense_emotion(Services(sensor=keyword_sensor()))
    state = {"messages": [HumanMessage("x" * 11)]}

    with pytest.raises(ClientMessageError, match="limit is 10"):
        node(state, runtime(Context(max_message_chars=10)))
    assert node({"messages": [HumanMessage("x" * 10)]}, runtime(Context(max_message_chars=10)))["reading"]


@pytest.mark.parametrize(
    "messages", [[], [HumanMessage("hi"), AIMessage("hello")]], ids=["no-messages", "last-is-agent"]
)
def test_sense_emotion_needs_a_new_client_message(messages: list[Any]) -> None:
    node = make_sense_emotion(Services(sensor=keyword_sensor()))
    with pytest.raises(ClientMessageError, match="no new client message"):
        node({"messages": messages}, runtime())


def test_sense_emotion_refuses_a_closed_dialogue() -> None:
    sensor = keyword_sensor()
    node = make_sense_emotion(Services(sensor=sensor))
    with pytest.raises(DialogueClosedError):
        node({"messages": [HumanMessage("hello again")], "closed": True}, runtime())
    assert sensor.texts == []


def test_sense_emotion_uses_default_context_when_runtime_has_none() -> None:
    node = make_sense_emotion(Services(sensor=ScriptedSensor(["fear"])))
    assert node({"messages": [HumanMessage("hm")]}, runtime().override(context=None))["reading"]["label"] == "fear"


# -- update_history ---------------------------------------------------------------------------------------------


def test_update_history_counts_the_first_turn_and_fixes_the_scenario() -> None:
    node = make_update_history(Services())
    reading = reading_dict("sadness")
    context = Context(scenario={"debtor": "Sam Lee", "creditor_target_days": 45})

    update = node({"messages": [HumanMessage("hi")], "reading": reading}, runtime(context))

    assert update["turn"] == 1
    assert update["readings"] == [reading]
    assert update["progress"] == [None]
    assert update["schema_version"] == SCHEMA_VERSION
    assert update["scenario"] == Scenario(debtor="Sam Lee", creditor_target_days=45).to_state()
    assert update["scenario"]["creditor_target_days"] == 45


def test_update_history_keeps_the_scenario_after_the_first_turn() -> None:
    node = make_update_history(Services())
    fixed = Scenario(debtor="Sam Lee").to_state()
    reading = reading_dict("anger")
    state = {"reading": reading, "turn": 2, "scenario": fixed, "readings": [reading_dict("neutral")] * 2}

    update = node(state, runtime(Context(scenario={"debtor": "Someone Else"})))

    assert update["turn"] == 3
    assert "scenario" not in update  # the dialogue keeps the scenario it started with
    assert update["readings"] == [reading]  # one new entry; the reducer appends it


def test_update_history_refuses_a_bad_scenario() -> None:
    node = make_update_history(Services())
    with pytest.raises(ValueError, match="authorised_limit_days"):
        node({"reading": reading_dict("neutral")}, runtime(Context(scenario={"authorised_limit_days": 10})))


# -- select_strategy --------------------------------------------------------------------------------------------


def strategy_state(*labels: str) -> dict[str, Any]:
    """State after update_history on turn ``len(labels)``, earlier turns decided by ``eq``."""
    services = Services()
    node = make_select_strategy(services)
    state: dict[str, Any] = {"readings": [], "progress": [], "decisions": []}
    for label in labels:
        reading = reading_dict(label)
        state["reading"] = reading
        state["readings"] = [*state["readings"], reading]
        state["progress"] = [*state["progress"], None]
        if len(state["readings"]) < len(labels):
            state["decisions"] = [*state["decisions"], node(state, runtime())["decision"]]
    return state


def test_select_strategy_eq_returns_a_json_safe_decision_with_belief_and_forecast() -> None:
    node = make_select_strategy(Services())
    update = node(strategy_state("neutral", "anger"), runtime())

    assert set(update) == {"decisions", "decision", "stance", "belief", "forecast"}
    decision = update["decision"]
    assert update["decisions"] == [decision]
    assert json.loads(json.dumps(decision, allow_nan=False)) == decision
    assert decision["policy"] == "eq"
    assert decision["turn"] == 2
    assert decision["stance"] == update["stance"]
    assert update["stance"] in LABELS
    assert decision["reason"]
    belief = update["belief"]
    assert len(belief) == len(STANCES) == 4
    assert all(type(p) is float for p in belief)
    assert math.fsum(belief) == pytest.approx(1.0)
    assert belief == [decision["belief"][s] for s in STANCES]
    assert len(update["forecast"]) == len(LABELS)
    assert all(type(p) is float for p in update["forecast"])
    assert math.fsum(update["forecast"]) == pytest.approx(1.0)


def test_select_strategy_vanilla_keeps_no_belief() -> None:
    node = make_select_strategy(Services())
    update = node(strategy_state("anger"), runtime(Context(policy="vanilla")))

    assert update["stance"] is None
    assert update["belief"] == []
    assert update["forecast"] == []
    assert update["decision"]["policy"] == "vanilla"
    assert json.loads(json.dumps(update["decision"])) == update["decision"]


def test_select_strategy_belief_follows_the_readings() -> None:
    node = make_select_strategy(Services())
    angry = node(strategy_state("anger", "anger", "anger"), runtime())
    calm = node(strategy_state("neutral", "joy", "neutral"), runtime())

    assert max(zip(angry["belief"], STANCES, strict=True))[1] == "confrontational"
    assert max(zip(calm["belief"], STANCES, strict=True))[1] == "cooperative"


def test_select_strategy_fixed_policy_and_unknown_policy() -> None:
    node = make_select_strategy(Services())
    assert node(strategy_state("joy"), runtime(Context(policy="fixed:fear")))["stance"] == "fear"
    with pytest.raises(ValueError, match="valid policies"):
        node(strategy_state("joy"), runtime(Context(policy="nope")))


# -- respond ----------------------------------------------------------------------------------------------------


def test_respond_prompt_holds_the_stance_instruction_offer_and_transcript() -> None:
    model = ScriptedChatModel(replies=["  I hear you; 45 days works.  "])
    node = make_respond(Services(model=model))
    state = turn_state(turn=2, stance="sadness")
    state["scenario"] = Scenario(debtor="Sam Lee", creditor_target_days=45, authorised_limit_days=90).to_state()

    update = node(state, runtime(), CONFIG)

    prompt = model.calls[0]["messages"]
    assert len(prompt) == 2
    system = prompt[0].text
    expected_instruction = load_prompts().stances["sadness"].format(debtor="Sam Lee", creditor="x").strip()
    assert expected_instruction in system
    assert "Sam Lee's situation" in system
    assert "State exactly 45 days" in system
    assert "30 days" not in system
    assert "Client: client 1\nAgent: agent 1\nClient: client 2" in system
    assert "(turn 2)" in system
    assert isinstance(prompt[1], HumanMessage)
    assert prompt[1].text == "client 2"
    assert "{" not in system  # every placeholder filled

    # respond only drafts: the client gets the reply from check_compliance.
    assert set(update) == {"draft", "reply"}
    draft = update["draft"]
    assert draft["text"] == "I hear you; 45 days works."  # stripped
    assert (draft["offer_check"], draft["days"]) == ("stated", 45)
    assert len(model.calls) == 1
    assert update["reply"] == {
        "offline": False,
        "model": "scripted-model",
        "temperature": TemperatureSchedule().at(2),
    }


def test_respond_states_the_standing_offer_over_the_target() -> None:
    model = ScriptedChatModel(replies=["We can offer 42 days to repay."])
    state = turn_state(turn=4) | {"offer": {"days": 42, "round": 4, "reason": "curve"}}

    update = make_respond(Services(model=model))(state, runtime(), CONFIG)

    assert "State exactly 42 days" in model.last_system_prompt
    assert (update["draft"]["text"], update["draft"]["offer_check"]) == ("We can offer 42 days to repay.", "stated")


def test_respond_redrafts_once_when_the_draft_misstates_the_offer() -> None:
    model = ScriptedChatModel(replies=["We can offer 60 days to repay.", FIRST_OFFER])
    update = make_respond(Services(model=model))(turn_state(), runtime(), CONFIG)

    assert len(model.calls) == 2
    first, second = (call["messages"] for call in model.calls)
    assert len(first) == 2 and len(second) == 3
    assert second[:2] == first  # the same prompt, plus what was wrong
    assert second[2].type == "system" and "exactly 30 days" in second[2].text
    assert update["draft"]["text"] == FIRST_OFFER
    assert (update["draft"]["offer_check"], update["draft"]["days"]) == ("redrafted", 30)


@pytest.mark.parametrize(
    "drafts",
    [
        ["We can offer 60 days to repay.", "Fine, 45 days then."],
        ["Let's find a plan that works for you.", "We can offer 30 to 60 days."],  # no timeline; then two
    ],
    ids=["wrong-twice", "none-then-two"],
)
def test_respond_falls_back_to_the_safe_template_after_a_second_miss(drafts: list[str]) -> None:
    model = ScriptedChatModel(replies=list(drafts))
    state = turn_state()

    update = make_respond(Services(model=model))(state, runtime(), CONFIG)

    assert len(model.calls) == 2  # one redraft, never a third call
    assert update["draft"]["text"] == safe_template(Scenario(**state["scenario"]), 30)
    assert update["draft"]["offer_check"] == "template"
    assert "30 days" in update["draft"]["text"]


def test_respond_without_stance_says_so() -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    make_respond(Services(model=model))(turn_state(stance=None), runtime(Context(policy="vanilla")), CONFIG)
    assert f"Emotional stance for this message: {NO_STANCE_INSTRUCTION}" in model.last_system_prompt


@pytest.mark.parametrize("turn", [1, 3, 10, 60])
def test_respond_binds_the_scheduled_temperature(turn: int) -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    update = make_respond(Services(model=model))(turn_state(turn=turn), runtime(), CONFIG)

    expected = max(0.1, 0.7 * 0.95**turn)
    assert model.calls[0]["kwargs"]["temperature"] == pytest.approx(expected)
    assert update["reply"]["temperature"] == pytest.approx(expected)


def test_respond_fixed_temperature_overrides_the_schedule() -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    update = make_respond(Services(model=model))(turn_state(turn=4), runtime(Context(temperature=0.25)), CONFIG)
    assert model.calls[0]["kwargs"]["temperature"] == 0.25
    assert update["reply"]["temperature"] == 0.25


def test_respond_schedule_off_leaves_the_provider_default() -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    context = Context(temperature_schedule=False)
    update = make_respond(Services(model=model))(turn_state(turn=4), runtime(context), CONFIG)
    assert "temperature" not in model.calls[0]["kwargs"]
    assert update["reply"]["temperature"] is None
    assert temperature_for(context, 4) is None


def test_respond_refuses_an_empty_reply() -> None:
    model = ScriptedChatModel(replies=["   "])
    with pytest.raises(EmptyReplyError, match="scripted-model"):
        make_respond(Services(model=model))(turn_state(), runtime(), CONFIG)


def test_respond_uses_the_offline_responder_when_no_model_is_configured() -> None:
    services = Services()
    node = make_respond(services)
    state = turn_state(turn=2, stance="joy")

    update = node(state, runtime(), CONFIG)

    assert isinstance(services.chat_model(Context()), OfflineResponder)
    assert update["reply"] == {"offline": True, "model": OFFLINE_MODEL_NAME, "temperature": None}
    draft = update["draft"]
    assert draft["metadata"].get("offline") is True
    assert draft["offer_check"] == "stated"  # the offline responder always states the offer it is given
    assert re.search(r"\b30[ -]days?\b", draft["text"])
    assert draft["text"].startswith(("Thanks for talking", "I appreciate", "Good to hear", "Alex, I'm glad"))
    # Stable for the same seed, thread and turn: the phrasing seed is a CRC, not Python's salted hash.
    again = make_respond(Services())(state, runtime(), CONFIG)["draft"]["text"]
    assert again == draft["text"]
    expected = OfflineResponder().compose(
        stance="joy", scenario=state["scenario"], offer_days=30, seed=reply_seed(0, "node-test", 2)
    )
    assert draft["text"] == expected


# -- check_compliance -------------------------------------------------------------------------------------------


def drafted_state(text: str, *, turn: int = 1) -> dict[str, Any]:
    """State as ``check_compliance`` sees it: ``respond`` has drafted ``text`` (stating the 30-day target)."""
    return turn_state(turn=turn) | {"draft": {"text": text, "metadata": {"id": "draft-1"}, "offer_check": "stated"}}


def test_check_compliance_sends_a_compliant_draft_as_it_is() -> None:
    model = ScriptedChatModel(replies=[])  # no model call may happen
    update = make_check_compliance(Services(model=model))(drafted_state(FIRST_OFFER), runtime(), CONFIG)

    [message] = update["messages"]
    assert isinstance(message, AIMessage)
    assert message.text == FIRST_OFFER
    assert message.response_metadata == {"id": "draft-1"}
    assert update["guard"] == {"turn": 1, "violations": [], "action": "passed", "redraft_violations": []}
    assert update["guard_events"] == [update["guard"]]
    assert model.calls == []


def test_check_compliance_redrafts_a_violation_once_with_the_violation_named() -> None:
    bad = "Pay within 30 days or we will have you arrested."
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    update = make_check_compliance(Services(model=model))(drafted_state(bad), runtime(), CONFIG)

    assert [m.text for m in update["messages"]] == [FIRST_OFFER]
    guard = update["guard"]
    assert guard["action"] == "regenerated"
    assert [v["type"] for v in guard["violations"]] == ["threat_arrest"]
    assert guard["redraft_violations"] == []
    [call] = model.calls
    feedback = call["messages"][-1]
    assert feedback.type == "system" and "rejected" in feedback.text


@pytest.mark.parametrize(
    "redraft",
    ["We can offer 30 days, or you will be arrested.", "We can offer 60 days to repay."],
    ids=["still-violates", "misstates-the-offer"],
)
def test_check_compliance_falls_back_to_the_safe_template(redraft: str) -> None:
    model = ScriptedChatModel(replies=[redraft])
    state = drafted_state("Pay within 30 days or we will have you arrested.")

    update = make_check_compliance(Services(model=model))(state, runtime(), CONFIG)

    assert [m.text for m in update["messages"]] == [safe_template(Scenario(**state["scenario"]), 30)]
    assert update["guard"]["action"] == "fallback"
    assert len(model.calls) == 1  # one redraft, never a second


@pytest.mark.parametrize(("turn", "disclosed"), [(1, True), (2, False)])
def test_check_compliance_opens_the_first_reply_with_the_disclosure(turn: int, disclosed: bool) -> None:
    node = make_check_compliance(Services(model=ScriptedChatModel(replies=[])))
    update = node(drafted_state(FIRST_OFFER, turn=turn), runtime(Context(disclosure=True)), CONFIG)

    text = update["messages"][0].text
    assert text.endswith(FIRST_OFFER)
    assert text.startswith("This is a communication from a debt collector.") is disclosed
