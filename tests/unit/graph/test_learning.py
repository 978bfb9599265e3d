"""Closing a dialogue: the policy learns, the store keeps it, and a new process starts from what was learned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.memory import InMemoryStore

from eq_negotiator.dialogue import DialogueClosedError
from eq_negotiator.emotions import EmotionReading
from eq_negotiator.graph import Context, build_graph, open_negotiator
from eq_negotiator.graph.services import Services, policy_namespace, state_digest
from eq_negotiator.reasoning import History, make_policy
from eq_negotiator.reasoning.hmm import HMMParameters
from tests.unit.graph.fakes import close_connections, keyword_sensor, probabilities, say, thread

ANGRY_DIALOGUE = ["Hello.", "I am angry.", "I am furious!", "Still angry.", "Angry, angry, angry."]
NAMESPACE = ("eq_negotiator", "policy_state", "default")


def first_turn_forecast(
    graph: CompiledStateGraph[Any, Any, Any, Any], thread_id: str, context: Context | None = None
) -> list[float]:
    return graph.invoke(say("Hello."), thread(thread_id), context=context or Context())["forecast"]


def test_policy_namespace_layout() -> None:
    assert policy_namespace("default") == NAMESPACE


def test_close_writes_what_the_policy_learned_and_a_new_graph_starts_from_it(tmp_path: Path) -> None:
    checkpoints, store = f"sqlite:///{tmp_path}/checkpoints.db", f"sqlite:///{tmp_path}/store.db"

    graph_a = build_graph(checkpoints, store, sensor=keyword_sensor())
    prior_forecast = first_turn_forecast(graph_a, "before")
    for text in ANGRY_DIALOGUE:
        graph_a.invoke(say(text), thread("angry"))
    assert graph_a.store.get(NAMESPACE, "eq") is None  # nothing learned until a dialogue closes

    closed = graph_a.invoke({"close_request": {"succeeded": False}}, thread("angry"))
    assert closed["closed"] is True
    assert closed["close_request"] is None

    item = graph_a.store.get(NAMESPACE, "eq")
    assert item is not None
    hmm_state = item.value["state"]["hmm"]
    assert hmm_state["dialogues"] == [["neutral", "anger", "anger", "anger", "anger"]]
    learned = HMMParameters.from_dict(hmm_state["parameters"])
    assert learned.emission.tolist() != HMMParameters.prior().emission.tolist()
    close_connections(graph_a)

    # A new graph over the same files: fresh Services, nothing cached in memory.
    graph_b = build_graph(checkpoints, store, sensor=keyword_sensor())
    learned_forecast = first_turn_forecast(graph_b, "after")
    assert learned_forecast != pytest.approx(prior_forecast, abs=1e-6)

    expected_policy = make_policy("eq")
    expected_policy.load_state_dict(item.value["state"])
    hello = EmotionReading.from_probabilities(probabilities("neutral"))
    expected = expected_policy.decide(hello, History()).forecast
    assert learned_forecast == pytest.approx(list(expected.values()))

    # What is learned is kept per segment: another segment still starts from the priors.
    assert first_turn_forecast(graph_b, "other", Context(segment="vip")) == pytest.approx(prior_forecast)

    # The closed thread refuses new messages, and the refusal does not learn anything more.
    with pytest.raises(DialogueClosedError):
        graph_b.invoke(say("hello again"), thread("angry"))
    assert graph_b.store.get(NAMESPACE, "eq").value == item.value
    close_connections(graph_b)


def test_the_same_services_see_learning_immediately() -> None:
    graph = build_graph("memory", "memory", sensor=keyword_sensor())
    prior = first_turn_forecast(graph, "before")
    for text in ANGRY_DIALOGUE:
        graph.invoke(say(text), thread("angry"))
    graph.invoke({"close_request": {"succeeded": None}}, thread("angry"))
    assert first_turn_forecast(graph, "after") != pytest.approx(prior, abs=1e-6)


def test_a_worker_that_cached_the_policy_picks_up_learning_saved_by_another() -> None:
    shared = InMemoryStore()
    worker_a = build_graph("memory", shared, sensor=keyword_sensor())
    worker_b = build_graph("memory", shared, sensor=keyword_sensor())
    prior = first_turn_forecast(worker_a, "a-before")  # worker A now holds the prior policy in its cache

    for text in ANGRY_DIALOGUE:
        worker_b.invoke(say(text), thread("angry"))
    worker_b.invoke({"close_request": {"succeeded": False}}, thread("angry"))

    learned = first_turn_forecast(worker_b, "b-after")
    assert learned != pytest.approx(prior, abs=1e-6)
    assert first_turn_forecast(worker_a, "a-after") == pytest.approx(learned)


def test_negotiator_close_learns_into_the_db_store(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/negotiator.db"
    negotiator = open_negotiator(db, sensor=keyword_sensor())
    for text in ANGRY_DIALOGUE[:3]:
        negotiator.send("client-1", text)
    before = negotiator.state("client-1")

    negotiator.close("client-1", succeeded=True)

    assert negotiator.state("client-1")["closed"] is True
    item = negotiator.graph.store.get(NAMESPACE, "eq")  # the db spec doubles as the store
    assert item.value["state"]["hmm"]["dialogues"] == [["neutral", "anger", "anger"]]
    after_close = negotiator.state("client-1")
    with pytest.raises(DialogueClosedError, match="has ended"):
        negotiator.send("client-1", "Are you there?")
    assert negotiator.state("client-1") == after_close
    assert len(after_close["messages"]) == len(before["messages"]) == 6
    close_connections(negotiator.graph)

    reopened = open_negotiator(db, sensor=keyword_sensor())
    with pytest.raises(DialogueClosedError):
        reopened.send("client-1", "Hello?")
    assert reopened.send("client-2", "Hello.").decision["forecast"] != before["decisions"][0]["forecast"]
    close_connections(reopened.graph)


def test_closing_a_dialogue_with_no_turns_learns_nothing() -> None:
    graph = build_graph("memory", "memory", sensor=keyword_sensor())
    values = graph.invoke({"close_request": {"succeeded": None}}, thread("empty"))
    assert values["closed"] is True
    assert graph.store.get(NAMESPACE, "eq") is None


def test_learning_without_a_store_stays_in_the_process() -> None:
    graph = build_graph("memory", sensor=keyword_sensor())  # no store
    prior = first_turn_forecast(graph, "before")
    for text in ANGRY_DIALOGUE:
        graph.invoke(say(text), thread("angry"))
    graph.invoke({"close_request": {"succeeded": False}}, thread("angry"))
    assert first_turn_forecast(graph, "after") != pytest.approx(prior, abs=1e-6)
    fresh = build_graph("memory", sensor=keyword_sensor())
    assert first_turn_forecast(fresh, "after") == pytest.approx(prior)


def test_vanilla_policy_closes_without_storing_learning() -> None:
    graph = build_graph("memory", "memory", sensor=keyword_sensor())
    context = Context(policy="vanilla")
    graph.invoke(say("I am angry"), thread("v"), context=context)
    graph.invoke({"close_request": {"succeeded": False}}, thread("v"), context=context)
    assert graph.store.get(NAMESPACE, "vanilla").value == {"state": {}, "digest": state_digest({})}


def test_a_second_worker_sees_learning_saved_within_the_same_second(tmp_path: Path) -> None:
    from eq_negotiator.graph.persistence import open_store

    store = open_store(f"sqlite:///{tmp_path}/store.db")
    context = Context()
    writer, reader = Services(), Services()
    history = History().append(
        EmotionReading.from_probabilities(probabilities("anger")),
        make_policy("eq").decide(EmotionReading.from_probabilities(probabilities("anger")), History()),
    )
    for _ in range(5):  # retry until both saves land in the same wall-clock second
        first = writer.policy(context, store)
        first.learn(history)
        writer.save_policy(context, store, first)
        stamp = store.get(policy_namespace("default"), "eq").updated_at
        seen = len(reader.policy(context, store).state_dict()["hmm"]["dialogues"])
        second = writer.policy(context, store)
        second.learn(history)
        writer.save_policy(context, store, second)
        if store.get(policy_namespace("default"), "eq").updated_at == stamp:
            break
    stored = len(store.get(policy_namespace("default"), "eq").value["state"]["hmm"]["dialogues"])
    assert stored == seen + 1
    assert len(reader.policy(context, store).state_dict()["hmm"]["dialogues"]) == stored


def test_the_state_digest_ignores_key_order_and_follows_content() -> None:
    assert state_digest({"a": 1, "b": [1, 2]}) == state_digest({"b": [1, 2], "a": 1})
    assert state_digest({"a": 1}) != state_digest({"a": 2})
    assert len(state_digest({})) == 64


def test_an_item_saved_without_a_digest_is_loaded_and_reloaded_when_it_changes() -> None:
    # Items written before the digest was stored: the reader hashes the state itself.
    store, context, reader = InMemoryStore(), Context(), Services()
    learned = make_policy("eq")
    learned.learn(
        History().append(
            EmotionReading.from_probabilities(probabilities("anger")),
            make_policy("eq").decide(EmotionReading.from_probabilities(probabilities("anger")), History()),
        )
    )
    store.put(NAMESPACE, "eq", {"state": make_policy("eq").state_dict()})
    first = reader.policy(context, store)
    assert reader.policy(context, store) is first  # unchanged: the cached policy is reused

    store.put(NAMESPACE, "eq", {"state": learned.state_dict()})
    second = reader.policy(context, store)
    assert second is not first
    assert second.state_dict() == learned.state_dict()
