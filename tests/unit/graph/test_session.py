"""The Negotiator session API: refused inputs change nothing, bad settings fail at start-up, failed replies resume."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from eq_negotiator.dialogue import ClientMessageError, DialogueClosedError
from eq_negotiator.graph import (
    Context,
    Negotiator,
    PendingTurnError,
    ReplyError,
    ThreadIdError,
    TurnResult,
    build_graph,
    open_negotiator,
)
from eq_negotiator.reasoning import POLICY_NAMES, STANCES
from eq_negotiator.responders import OFFLINE_MODEL_NAME, ModelConfigError, OfflineResponder
from tests.unit.graph.fakes import ScriptedChatModel, ScriptExhaustedError, keyword_sensor

BAD_THREAD_IDS = ["", "a b", "x" * 200, "../etc", "-leading-dash", "tab\there", "semi;colon", "ünïcode"]


def snapshot(negotiator: Negotiator, thread_id: str) -> tuple[Any, dict[str, Any]]:
    state = negotiator.graph.get_state(negotiator.config(thread_id))
    return state.config["configurable"].get("checkpoint_id"), dict(state.values)


def checkpoint_count(negotiator: Negotiator) -> int:
    return len(list(negotiator.graph.checkpointer.list(None)))


@pytest.fixture()
def negotiator() -> Negotiator:
    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    negotiator.send("t1", "Hello, I got your letter.")
    return negotiator


def test_send_returns_the_turn(negotiator: Negotiator) -> None:
    result = negotiator.send("t1", "I am angry about this.")

    assert isinstance(result, TurnResult)
    assert result.thread_id == "t1"
    assert result.turn == 2
    assert result.client == "I am angry about this."
    assert result.emotion == {"label": "anger", "confidence": pytest.approx(0.9)}
    assert list(result.belief) == list(STANCES)
    assert result.stance == result.decision["stance"]
    assert result.reason == result.decision["reason"]
    assert result.offline is True
    assert re.search(r"\b30[ -]days?\b", result.reply)
    assert result.to_json().keys() == {
        "thread_id",
        "turn",
        "client",
        "emotion",
        "belief",
        "stance",
        "reason",
        "reply",
        "offline",
        "model",
    }
    assert negotiator.last_turn("t1") == result


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        ("x" * 100_000, "100,000 characters; the limit is 4,000"),
        ("x" * 4001, "limit is 4,000"),
        ("before\x00after", "NUL"),
    ],
    ids=["empty", "whitespace", "100KB", "one-over", "nul"],
)
def test_a_refused_message_changes_nothing(negotiator: Negotiator, text: str, match: str) -> None:
    before = snapshot(negotiator, "t1")
    count = checkpoint_count(negotiator)

    with pytest.raises(ClientMessageError, match=match):
        negotiator.send("t1", text)
    with pytest.raises(ClientMessageError, match=match):
        list(negotiator.stream("t1", text))

    assert snapshot(negotiator, "t1") == before
    assert checkpoint_count(negotiator) == count
    assert not negotiator.pending("t1")
    assert negotiator.send("t1", "Okay.").turn == 2  # the thread still works


def test_a_non_string_message_is_refused(negotiator: Negotiator) -> None:
    with pytest.raises(ClientMessageError, match="must be text"):
        negotiator.send("t1", b"bytes")  # type: ignore[arg-type]


def test_a_raised_limit_accepts_a_long_message() -> None:
    negotiator = open_negotiator("memory", context=Context(max_message_chars=200_000), sensor=keyword_sensor())
    long = "I lost my job. " * 6_700  # about 100 KB
    assert len(long) > 100_000

    result = negotiator.send("long", long)

    assert result.turn == 1
    assert result.client == long
    assert result.emotion["label"] == "sadness"


@pytest.mark.parametrize("thread_id", BAD_THREAD_IDS, ids=range(len(BAD_THREAD_IDS)))
def test_a_bad_thread_id_is_refused_and_writes_nothing(negotiator: Negotiator, thread_id: str) -> None:
    before = snapshot(negotiator, "t1")
    count = checkpoint_count(negotiator)

    for call in (
        lambda: negotiator.send(thread_id, "hello"),
        lambda: list(negotiator.stream(thread_id, "hello")),
        lambda: negotiator.close(thread_id),
        lambda: negotiator.state(thread_id),
        lambda: negotiator.pending(thread_id),
        lambda: negotiator.resume(thread_id),
    ):
        with pytest.raises(ThreadIdError, match="thread id") as raised:
            call()
        assert "letters, digits" in str(raised.value)

    assert checkpoint_count(negotiator) == count
    assert snapshot(negotiator, "t1") == before


@pytest.mark.parametrize("thread_id", ["a", "A1", "client-42", "org:team.user_7", "x" * 128])
def test_good_thread_ids_are_accepted(thread_id: str) -> None:
    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    assert negotiator.send(thread_id, "hello").thread_id == thread_id


def test_an_unknown_policy_fails_at_open_listing_the_policies(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    with pytest.raises(ValueError, match="unknown policy 'nope'") as raised:
        open_negotiator(f"sqlite:///{db}", context=Context(policy="nope"), sensor=keyword_sensor())
    for name in POLICY_NAMES:
        assert name in str(raised.value)
    assert not db.exists()


def test_an_unknown_model_provider_fails_at_open(tmp_path: Path) -> None:
    db = tmp_path / "never.db"
    with pytest.raises(ModelConfigError) as raised:
        open_negotiator(f"sqlite:///{db}", context=Context(model="foo:bar"), sensor=keyword_sensor())
    message = str(raised.value)
    assert "'foo:bar'" in message
    assert "provider:model" in message
    assert "openai:" in message and "anthropic:" in message and "ollama:" in message
    assert "offline responder" in message
    assert not db.exists()


def test_a_base_url_without_a_model_fails_at_open() -> None:
    with pytest.raises(ModelConfigError, match="base URL needs a model"):
        open_negotiator("memory", context=Context(base_url="http://127.0.0.1:1/v1"), sensor=keyword_sensor())


def test_a_bad_checkpointer_spec_fails_at_open() -> None:
    with pytest.raises(ValueError, match="valid forms"):
        open_negotiator("mysql://x", sensor=keyword_sensor())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"segment": "bad segment"}, "segment"),
        ({"segment": ""}, "segment"),
        ({"segment": "x" * 65}, "segment"),
        ({"segment": "../etc"}, "segment"),
        ({"max_message_chars": 0}, "max_message_chars"),
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": -0.1}, "temperature"),
    ],
)
def test_bad_context_settings_raise(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Context(**kwargs)


def test_a_bad_scenario_is_refused_before_any_dialogue() -> None:
    graph = build_graph("memory", sensor=keyword_sensor())
    with pytest.raises(ValueError, match="balance"):
        Negotiator(graph, Context(scenario={"balance": -5}))
    with pytest.raises(ValueError, match=r"(?i)extra"):
        Negotiator(graph, Context(scenario={"interest_rate": 0.2}))


def test_a_negotiator_needs_a_checkpointer() -> None:
    with pytest.raises(ValueError, match="checkpointer"):
        Negotiator(build_graph(sensor=keyword_sensor()))


def test_a_failed_reply_is_saved_and_resumes() -> None:
    model = ScriptedChatModel(replies=["first reply"])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())
    assert negotiator.send("r", "Hello.").reply == "first reply"

    with pytest.raises(ReplyError, match="resuming thread 'r' retries the reply") as raised:
        negotiator.send("r", "I am angry.")
    assert isinstance(raised.value.__cause__, ScriptExhaustedError)
    assert len(model.calls) == 2  # a non-transient failure is not retried

    assert negotiator.pending("r")
    with pytest.raises(PendingTurnError):
        negotiator.send("r", "Hello?")
    messages = negotiator.state("r")["messages"]
    assert [type(m) for m in messages] == [HumanMessage, AIMessage, HumanMessage]

    model.replies.append("second reply")
    result = negotiator.resume("r")
    assert (result.turn, result.client, result.reply) == (2, "I am angry.", "second reply")
    assert result.emotion["label"] == "anger"
    assert not negotiator.pending("r")
    with pytest.raises(ValueError, match="no unfinished turn"):
        negotiator.resume("r")


def test_stream_yields_the_reply_tokens() -> None:
    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    tokens = list(negotiator.stream("s", "I lost my job."))

    assert len(tokens) > 3
    turn = negotiator.last_turn("s")
    assert "".join(tokens) == turn.reply
    assert turn.turn == 1 and turn.offline
    assert negotiator.state("s")["messages"][-1].text == turn.reply


def test_offline_negotiator_is_reproducible_per_seed() -> None:
    def replies(seed: int) -> list[str]:
        negotiator = open_negotiator("memory", context=Context(seed=seed), sensor=keyword_sensor())
        return [negotiator.send("same", text).reply for text in ("Hello.", "I am sad.", "Great.")]

    assert replies(1) == replies(1)
    assert replies(1) != replies(2)


def test_closing_twice_is_refused(negotiator: Negotiator) -> None:
    negotiator.close("t1")
    with pytest.raises(DialogueClosedError):
        negotiator.close("t1")


def test_closing_twice_leaves_the_thread_as_it_was(negotiator: Negotiator) -> None:
    negotiator.close("t1")
    before = snapshot(negotiator, "t1")
    with pytest.raises(DialogueClosedError):
        negotiator.close("t1")
    assert not negotiator.pending("t1")
    with pytest.raises(DialogueClosedError):
        negotiator.send("t1", "hello?")
    assert snapshot(negotiator, "t1") == before


def test_closing_a_thread_with_an_unfinished_turn_is_refused_and_writes_nothing() -> None:
    model = ScriptedChatModel(replies=[])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())
    with pytest.raises(ReplyError):
        negotiator.send("p", "Hello.")
    before = snapshot(negotiator, "p")
    count = checkpoint_count(negotiator)

    with pytest.raises(PendingTurnError, match="unanswered"):
        negotiator.close("p")

    assert snapshot(negotiator, "p") == before
    assert checkpoint_count(negotiator) == count
    model.replies.append("finished")
    assert negotiator.resume("p").reply == "finished"
    negotiator.close("p")
    assert negotiator.state("p")["closed"] is True


def test_the_offline_model_is_used_when_none_is_configured(negotiator: Negotiator) -> None:
    turn = negotiator.last_turn("t1")
    assert turn.offline is True
    assert turn.model == OFFLINE_MODEL_NAME
    assert negotiator.state("t1")["reply"] == {"offline": True, "model": OFFLINE_MODEL_NAME, "temperature": None}


def test_a_failed_streamed_reply_becomes_a_reply_error() -> None:
    model = ScriptedChatModel(replies=[])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())

    with pytest.raises(ReplyError, match="client's message is saved"):
        list(negotiator.stream("s", "Hello."))

    assert negotiator.pending("s")
    model.replies.append("made it")
    assert negotiator.resume("s").reply == "made it"


def test_stream_yields_the_reply_of_a_model_that_does_not_stream() -> None:
    negotiator = open_negotiator("memory", model=ScriptedChatModel(replies=["whole reply"]), sensor=keyword_sensor())
    tokens = list(negotiator.stream("s", "Hello."))
    assert negotiator.last_turn("s").reply == "whole reply"
    assert tokens == ["whole reply"]


def test_stream_yields_the_saved_reply_once_when_streaming_is_disabled() -> None:
    # The offline responder streams word by word; disable_streaming makes LangChain call _generate instead.
    streaming = open_negotiator("memory", sensor=keyword_sensor())
    whole = open_negotiator("memory", model=OfflineResponder(disable_streaming=True), sensor=keyword_sensor())

    tokens = list(streaming.stream("s", "I lost my job."))
    (reply,) = whole.stream("s", "I lost my job.")

    assert len(tokens) > 3
    assert reply == "".join(tokens) == whole.last_turn("s").reply


def test_stream_refuses_bad_input_when_called_not_when_iterated(negotiator: Negotiator) -> None:
    before = snapshot(negotiator, "t1")
    with pytest.raises(ClientMessageError):
        negotiator.stream("t1", "")  # no iteration: the check runs at call time
    with pytest.raises(ThreadIdError):
        negotiator.stream("bad id", "hello")
    assert snapshot(negotiator, "t1") == before

    negotiator.close("t1")
    closed = snapshot(negotiator, "t1")
    with pytest.raises(DialogueClosedError):
        negotiator.stream("t1", "hello")
    assert snapshot(negotiator, "t1") == closed


def test_a_pending_thread_refuses_a_stream_at_call_time() -> None:
    negotiator = open_negotiator("memory", model=ScriptedChatModel(replies=[]), sensor=keyword_sensor())
    with pytest.raises(ReplyError):
        negotiator.send("p", "Hello.")
    with pytest.raises(PendingTurnError):
        negotiator.stream("p", "Hello again.")


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_every_durability_mode_answers_and_reaches_the_graph(durability: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    graph = build_graph("memory", sensor=keyword_sensor())
    negotiator = Negotiator(graph, durability=durability)
    seen: list[Any] = []
    for method in ("invoke", "stream"):
        original = getattr(graph, method)

        def spy(*args: Any, _original: Any = original, **kwargs: Any) -> Any:
            seen.append(kwargs.get("durability"))
            return _original(*args, **kwargs)

        monkeypatch.setattr(graph, method, spy)

    assert negotiator.send("d", "Hello.").turn == 1
    assert "".join(negotiator.stream("d", "I am sad.")) == negotiator.last_turn("d").reply
    negotiator.close("d")
    assert negotiator.state("d")["closed"] is True
    assert seen and set(seen) == {durability}


def test_the_default_durability_is_sync(negotiator: Negotiator) -> None:
    assert negotiator.durability == "sync"


def test_an_unknown_durability_is_refused() -> None:
    with pytest.raises(ValueError, match="durability must be one of sync, async, exit"):
        Negotiator(build_graph("memory", sensor=keyword_sensor()), durability="always")  # type: ignore[arg-type]
