"""The compiled graph over several turns: counters, message order, JSON-native state and the node path per turn.

The scripted model states the offer its prompt names (``fakes.offering``), so each turn costs exactly one model
call; the redraft and fallback paths are tested where they are the subject.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from agentevals.graph_trajectory.strict import graph_trajectory_strict_match
from agentevals.graph_trajectory.utils import extract_langgraph_trajectory_from_thread
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.types import RetryPolicy

from eq_negotiator.graph import SCHEMA_VERSION, TURN_NODES, Context, build_graph
from eq_negotiator.reasoning import STANCES
from eq_negotiator.responders import is_transient_error
from tests.unit.graph.fakes import (
    FIRST_OFFER,
    TURN_STEPS,
    ScriptedChatModel,
    ScriptExhaustedError,
    StatusError,
    keyword_sensor,
    offering,
    say,
    thread,
)

# Four turns that neither settle nor end the negotiation: no terms named, no acceptance ("Great, okay." would be one).
CLIENT = [
    "Hello, I got your letter.",
    "I am furious, this is unfair!",
    "I lost my job last month.",
    "Great news: I start a new job next week.",
]
# No other numbers in them: "Reply one" would read as a second timeline (1 day) and be redrafted.
REPLIES = [
    "First reply: we can offer {days} days to repay.",
    "Second reply: the plan on the table is {days} days.",
    "Third reply: we can give you {days} days to pay.",
    "Fourth reply: our offer is {days} days.",
]
JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def assert_json_native(value: Any, path: str = "state") -> None:
    """Every node of ``value`` is a plain JSON type (no tuples, numpy scalars, dataclasses...)."""
    assert type(value) in JSON_TYPES, f"{path} is {type(value).__name__}"
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str, f"{path} has key {key!r}"
            assert_json_native(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            assert_json_native(item, f"{path}[{i}]")


@pytest.fixture()
def model() -> ScriptedChatModel:
    return ScriptedChatModel(replies=[offering(template) for template in REPLIES])


def expected_replies(values: dict[str, Any]) -> list[str]:
    """The scripted replies as they must read: each states its turn's standing offer from state."""
    return [template.format(days=offer["days"]) for template, offer in zip(REPLIES, values["offers"], strict=False)]


def test_turns_accumulate_in_order(model: ScriptedChatModel) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("many-turns")

    for turn, text in enumerate(CLIENT, start=1):
        values = graph.invoke(say(text), config, context=Context())
        assert values["turn"] == turn
        assert len(values["readings"]) == len(values["decisions"]) == len(values["progress"]) == turn
        assert [d["turn"] for d in values["decisions"]] == list(range(1, turn + 1))
        assert values["decision"] == values["decisions"][-1]
        assert values["stance"] == values["decision"]["stance"]
        assert values["reading"] == values["readings"][-1]

    messages = values["messages"]
    assert len(messages) == 2 * len(CLIENT)
    assert [type(m) for m in messages] == [HumanMessage, AIMessage] * len(CLIENT)
    assert [m.text for m in messages[0::2]] == CLIENT
    # One creditor offer per turn: the target first, then never fewer days; each reply states its turn's offer.
    days = [offer["days"] for offer in values["offers"]]
    assert [offer["round"] for offer in values["offers"]] == [1, 2, 3, 4]
    assert days[0] == 30 and days == sorted(days) and days[-1] > 30
    assert [m.text for m in messages[1::2]] == expected_replies(values)
    assert values["offer"] == values["offers"][-1]
    assert [g["action"] for g in values["guard_events"]] == ["passed"] * len(CLIENT)
    assert values["status"] == "ongoing" and values.get("agreement") is None
    assert len({m.id for m in messages}) == len(messages)
    assert [r["label"] for r in values["readings"]] == ["neutral", "anger", "sadness", "joy"]
    assert values["schema_version"] == SCHEMA_VERSION
    assert values["scenario"]["creditor_target_days"] == 30
    assert not values.get("closed")
    assert len(values["belief"]) == len(STANCES)

    # One model call per turn (every draft stated its offer), each seeing the transcript grow by one exchange.
    assert len(model.calls) == len(CLIENT)
    last_prompt = model.last_system_prompt
    first_reply, third_reply = messages[1].text, messages[5].text
    assert f"Client: Hello, I got your letter.\nAgent: {first_reply}\nClient: I am furious" in last_prompt
    assert f"Agent: {third_reply}\nClient: Great news: I start a new job next week." in last_prompt


def test_state_is_json_native_after_a_checkpoint_round_trip(model: ScriptedChatModel) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("json-native")
    for text in CLIENT[:3]:
        graph.invoke(say(text), config)

    values = dict(graph.get_state(config).values)  # read back through the strict serializer
    messages = values.pop("messages")
    assert len(messages) == 6
    json.dumps(values, allow_nan=False)
    assert_json_native(values)
    assert set(values) >= {
        "schema_version",
        "scenario",
        "turn",
        "reading",
        "readings",
        "progress",
        "decisions",
        "decision",
        "stance",
        "belief",
        "forecast",
        "reply",
        "client_offer",
        "client_offers",
        "offer",
        "offers",
        "progress_signal",
        "status",
        "outcome",
        "draft",
        "guard",
        "guard_events",
    }
    assert values["status"] == "ongoing"
    assert len(values["offers"]) == len(values["client_offers"]) == len(values["guard_events"]) == 3


def test_an_exhausted_model_fails_the_turn_instead_of_repeating_itself(model: ScriptedChatModel) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("exhausted")
    for text in CLIENT:
        graph.invoke(say(text), config)

    with pytest.raises(ScriptExhaustedError):
        graph.invoke(say("one more"), config)
    snapshot = graph.get_state(config)
    assert snapshot.next == ("respond",)  # earlier steps are checkpointed; the reply can be retried
    assert snapshot.values["turn"] == len(CLIENT) + 1
    assert len(snapshot.values["messages"]) == 2 * len(CLIENT) + 1

    model.replies.append(offering("Late reply: {days} days."))
    values = graph.invoke(None, config)
    assert values["messages"][-1].text == f"Late reply: {values['offer']['days']} days."
    assert values["turn"] == len(CLIENT) + 1
    assert len(values["offers"]) == len(CLIENT) + 1  # the earlier steps were not run again


def test_a_failed_compliance_redraft_is_checkpointed_and_resumes() -> None:
    # The draft threatens arrest, so check_compliance asks for a redraft; that call fails.
    model = ScriptedChatModel(replies=["Pay within 30 days or we will have you arrested.", RuntimeError("down")])
    graph = build_graph("memory", model=model, sensor=keyword_sensor())
    config = thread("guard-fails")

    with pytest.raises(RuntimeError, match="down"):
        graph.invoke(say("Hello."), config)
    snapshot = graph.get_state(config)
    assert snapshot.next == ("check_compliance",)
    assert [type(m) for m in snapshot.values["messages"]] == [HumanMessage]  # the bad draft was never sent
    assert "arrested" in snapshot.values["draft"]["text"]

    model.replies.append(FIRST_OFFER)
    values = graph.invoke(None, config)
    assert [m.text for m in values["messages"]] == ["Hello.", FIRST_OFFER]
    assert values["guard"]["action"] == "regenerated"
    assert [v["type"] for v in values["guard"]["violations"]] == ["threat_arrest"]
    assert len(model.calls) == 3


def test_respond_retries_transient_failures_only() -> None:
    fast = RetryPolicy(
        initial_interval=0.001, max_interval=0.001, max_attempts=3, jitter=False, retry_on=is_transient_error
    )
    lucky = "Third time lucky: we can offer 30 days to repay."
    model = ScriptedChatModel(replies=[StatusError(503), StatusError(429), lucky, StatusError(401)])
    graph = build_graph("memory", model=model, sensor=keyword_sensor(), retry=fast)

    values = graph.invoke(say("hello"), thread("retry"))
    assert values["messages"][-1].text == lucky
    assert len(model.calls) == 3

    with pytest.raises(StatusError):
        graph.invoke(say("hello again"), thread("retry"))
    assert len(model.calls) == 4  # 401 is not retried


def test_without_checkpointer_each_run_is_a_new_dialogue() -> None:
    graph = build_graph(model=ScriptedChatModel(replies=[FIRST_OFFER, FIRST_OFFER]), sensor=keyword_sensor())
    for _ in range(2):
        values = graph.invoke(say("hi"))
        assert values["turn"] == 1
        assert values["offer"]["round"] == 1 and values["offer"]["days"] == 30  # the first offer again


# -- node path per turn (agentevals) -----------------------------------------------------------------------------


def reference(steps: list[list[str]]) -> dict[str, Any]:
    return {"inputs": [], "results": [], "steps": steps}


def test_each_turn_follows_the_turn_nodes_in_order(model: ScriptedChatModel) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("trajectory")
    for text in CLIENT[:3]:
        graph.invoke(say(text), config)

    extracted = extract_langgraph_trajectory_from_thread(graph, config)

    assert ["__start__", *TURN_NODES] == TURN_STEPS
    outputs = extracted["outputs"]
    assert outputs["steps"] == [TURN_STEPS] * 3
    values = graph.get_state(config).values
    assert [r["messages"][-1]["content"] for r in outputs["results"]] == expected_replies(values)[:3]
    assert [next(iter(i["__start__"]["messages"])).content for i in extracted["inputs"]] == CLIENT[:3]

    result = graph_trajectory_strict_match(outputs=outputs, reference_outputs=reference([TURN_STEPS] * 3))
    assert result["key"] == "graph_trajectory_strict_match"
    assert result["score"] is True


def without(*nodes: str) -> list[str]:
    return [step for step in TURN_STEPS if step not in nodes]


def swapped(first: str, second: str) -> list[str]:
    steps = list(TURN_STEPS)
    i, j = steps.index(first), steps.index(second)
    steps[i], steps[j] = steps[j], steps[i]
    return steps


@pytest.mark.parametrize(
    "wrong",
    [
        [TURN_STEPS] * 2,  # one turn too few
        [TURN_STEPS, TURN_STEPS, swapped("update_history", "select_strategy")],
        [TURN_STEPS, TURN_STEPS, swapped("respond", "check_compliance")],
        [TURN_STEPS, TURN_STEPS, without("respond")],
        [TURN_STEPS, TURN_STEPS, without("check_compliance")],  # a reply that skipped the guard
        [TURN_STEPS, TURN_STEPS, without("check_rights")],
        [TURN_STEPS, TURN_STEPS, [*TURN_STEPS, "close_dialogue"]],
        [TURN_STEPS, TURN_STEPS, ["__start__", "close_dialogue"]],
    ],
    ids=[
        "too-few-turns",
        "swapped-nodes",
        "guard-before-reply",
        "missing-respond",
        "missing-check_compliance",
        "missing-check_rights",
        "closed-after-reply",
        "closed-instead",
    ],
)
def test_a_wrong_reference_path_scores_false(model: ScriptedChatModel, wrong: list[list[str]]) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("trajectory-wrong")
    for text in CLIENT[:3]:
        graph.invoke(say(text), config)

    outputs = extract_langgraph_trajectory_from_thread(graph, config)["outputs"]
    assert graph_trajectory_strict_match(outputs=outputs, reference_outputs=reference(wrong))["score"] is False


def test_closing_takes_the_close_path(model: ScriptedChatModel) -> None:
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("trajectory-close")
    graph.invoke(say(CLIENT[0]), config)
    graph.invoke({"close_request": {"succeeded": True}}, config)

    outputs = extract_langgraph_trajectory_from_thread(graph, config)["outputs"]
    expected = reference([TURN_STEPS, ["__start__", "close_dialogue"]])
    assert graph_trajectory_strict_match(outputs=outputs, reference_outputs=expected)["score"] is True


def test_an_agreement_closes_the_dialogue_in_the_same_run() -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER, offering("Agreed: {days} days, the plan follows in writing.")])
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("trajectory-agreed")
    graph.invoke(say("Hello, I got your letter."), config)
    values = graph.invoke(say("Fine, I accept the 30 days."), config)

    assert values["status"] == "agreed" and values["closed"] is True
    assert values["agreement"]["days"] == 30 and values["agreement"]["round"] == 2
    assert values["messages"][-1].text == "Agreed: 30 days, the plan follows in writing."
    assert "have agreed on 30 days" in model.last_system_prompt  # the prompt asks to confirm, not to negotiate
    outputs = extract_langgraph_trajectory_from_thread(graph, config)["outputs"]
    expected = reference([TURN_STEPS, [*TURN_STEPS, "close_dialogue"]])
    assert graph_trajectory_strict_match(outputs=outputs, reference_outputs=expected)["score"] is True


def test_a_rights_event_takes_the_escalation_path_without_the_model() -> None:
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    graph = build_graph("memory", "memory", model=model, sensor=keyword_sensor())
    config = thread("trajectory-rights")
    graph.invoke(say("Hello, I got your letter."), config)
    values = graph.invoke(say("Stop calling me about this debt."), config)

    assert values["status"] == "escalated"
    assert values["escalation"]["event"]["kind"] == "cease_contact"
    assert len(model.calls) == 1  # the fixed reply for the event; no model call, no offer
    assert len(values["offers"]) == 1
    assert graph.get_state(config).next == ("escalate",)
    outputs = extract_langgraph_trajectory_from_thread(graph, config)["outputs"]
    escalated = ["__start__", "sense_emotion", "check_rights", "handle_rights", "escalate", "__interrupt__"]
    expected = reference([TURN_STEPS, escalated])
    assert graph_trajectory_strict_match(outputs=outputs, reference_outputs=expected)["score"] is True


def test_replies_with_a_repeated_provider_id_are_all_kept() -> None:
    model = ScriptedChatModel(
        replies=[
            offering("First: {days} days.", message_id="chatcmpl-1"),
            offering("Second: {days} days.", message_id="chatcmpl-1"),
        ]
    )
    graph = build_graph("memory", model=model, sensor=keyword_sensor())
    graph.invoke(say("Hello."), thread("same-id"))
    values = graph.invoke(say("Hello again."), thread("same-id"))

    messages = values["messages"]
    first, second = (
        f"{word}: {offer['days']} days." for word, offer in zip(("First", "Second"), values["offers"], strict=True)
    )
    assert [m.text for m in messages] == ["Hello.", first, "Hello again.", second]
    assert len({m.id for m in messages}) == 4
    assert [m.response_metadata["provider_message_id"] for m in messages[1::2]] == ["chatcmpl-1", "chatcmpl-1"]


def test_a_reply_without_a_provider_id_records_none() -> None:
    # LangChain makes up "lc_run-..." ids for such replies; they name no provider message, so none is recorded.
    graph = build_graph("memory", model=ScriptedChatModel(replies=[FIRST_OFFER]), sensor=keyword_sensor())
    reply = graph.invoke(say("Hello."), thread("no-id"))["messages"][-1]
    assert reply.id
    assert "provider_message_id" not in reply.response_metadata
