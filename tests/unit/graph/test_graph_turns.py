"""The compiled graph over several turns: counters, message order, JSON-native state and the node path per turn."""

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
    TURN_STEPS,
    ScriptedChatModel,
    ScriptExhaustedError,
    StatusError,
    keyword_sensor,
    say,
    thread,
)

CLIENT = ["Hello, I got your letter.", "I am furious, this is unfair!", "I lost my job last month.", "Great, okay."]
REPLIES = ["reply one", "reply two", "reply three", "reply four"]
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
    return ScriptedChatModel(replies=list(REPLIES))


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
    assert [m.text for m in messages[1::2]] == REPLIES
    assert len({m.id for m in messages}) == len(messages)
    assert [r["label"] for r in values["readings"]] == ["neutral", "anger", "sadness", "joy"]
    assert values["schema_version"] == SCHEMA_VERSION
    assert values["scenario"]["creditor_target_days"] == 30
    assert not values.get("closed")
    assert len(values["belief"]) == len(STANCES)

    # The model saw each turn's transcript, growing by one exchange per turn.
    assert len(model.calls) == len(CLIENT)
    last_prompt = model.last_system_prompt
    assert "Client: Hello, I got your letter.\nAgent: reply one\nClient: I am furious" in last_prompt
    assert "Agent: reply three\nClient: Great, okay." in last_prompt


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
    }


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

    model.replies.append("late reply")
    values = graph.invoke(None, config)
    assert values["messages"][-1].text == "late reply"
    assert values["turn"] == len(CLIENT) + 1


def test_respond_retries_transient_failures_only() -> None:
    fast = RetryPolicy(
        initial_interval=0.001, max_interval=0.001, max_attempts=3, jitter=False, retry_on=is_transient_error
    )
    model = ScriptedChatModel(replies=[StatusError(503), StatusError(429), "third time lucky", StatusError(401)])
    graph = build_graph("memory", model=model, sensor=keyword_sensor(), retry=fast)

    values = graph.invoke(say("hello"), thread("retry"))
    assert values["messages"][-1].text == "third time lucky"
    assert len(model.calls) == 3

    with pytest.raises(StatusError):
        graph.invoke(say("hello again"), thread("retry"))
    assert len(model.calls) == 4  # 401 is not retried


def test_without_checkpointer_each_run_is_a_new_dialogue() -> None:
    graph = build_graph(model=ScriptedChatModel(replies=["a", "b"]), sensor=keyword_sensor())
    assert graph.invoke(say("hi"))["turn"] == 1
    assert graph.invoke(say("hi"))["turn"] == 1


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
    assert [r["messages"][-1]["content"] for r in outputs["results"]] == REPLIES[:3]
    assert [next(iter(i["__start__"]["messages"])).content for i in extracted["inputs"]] == CLIENT[:3]

    result = graph_trajectory_strict_match(outputs=outputs, reference_outputs=reference([TURN_STEPS] * 3))
    assert result["key"] == "graph_trajectory_strict_match"
    assert result["score"] is True


@pytest.mark.parametrize(
    "wrong",
    [
        [TURN_STEPS] * 2,  # one turn too few
        [TURN_STEPS, TURN_STEPS, ["__start__", "sense_emotion", "select_strategy", "update_history", "respond"]],
        [TURN_STEPS, TURN_STEPS, ["__start__", "sense_emotion", "update_history", "select_strategy"]],
        [TURN_STEPS, TURN_STEPS, ["__start__", "close_dialogue"]],
    ],
    ids=["too-few-turns", "swapped-nodes", "missing-respond", "closed-instead"],
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


def test_replies_with_a_repeated_provider_id_are_all_kept() -> None:
    model = ScriptedChatModel(replies=[AIMessage("first", id="chatcmpl-1"), AIMessage("second", id="chatcmpl-1")])
    graph = build_graph("memory", model=model, sensor=keyword_sensor())
    graph.invoke(say("Hello."), thread("same-id"))
    values = graph.invoke(say("Hello again."), thread("same-id"))

    messages = values["messages"]
    assert [m.text for m in messages] == ["Hello.", "first", "Hello again.", "second"]
    assert len({m.id for m in messages}) == 4
    assert [m.response_metadata["provider_message_id"] for m in messages[1::2]] == ["chatcmpl-1", "chatcmpl-1"]


def test_a_reply_without_a_provider_id_records_none() -> None:
    # LangChain makes up "lc_run-..." ids for such replies; they name no provider message, so none is recorded.
    graph = build_graph("memory", model=ScriptedChatModel(replies=["plain"]), sensor=keyword_sensor())
    reply = graph.invoke(say("Hello."), thread("no-id"))["messages"][-1]
    assert reply.id
    assert "provider_message_id" not in reply.response_metadata
