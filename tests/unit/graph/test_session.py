"""The Negotiator session API: refused inputs change nothing, bad settings fail at start-up, failed replies resume."""

from __future__ import annotations

import json
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
from tests.unit.graph.fakes import FIRST_OFFER, ScriptedChatModel, ScriptExhaustedError, keyword_sensor, offering

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
    # The creditor's second offer: never below its first (30 days), and what the reply states.
    assert result.offer is not None and result.offer["round"] == 2 and result.offer["days"] >= 30
    assert re.search(rf"\b{result.offer['days']}[ -]days?\b", result.reply)
    assert result.client_offer == negotiator.state("t1")["client_offer"]
    assert result.client_offer["days"] is None  # the client named no terms
    assert result.agreement is None
    assert result.guard is not None and result.guard["turn"] == 2 and result.guard["action"] == "passed"
    assert result.status == "ongoing"
    assert result.escalation is None
    data = result.to_json()
    assert data.keys() == {
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
        "offer",
        "client_offer",
        "agreement",
        "guard",
        "status",
        "escalation",
        "language",
    }
    assert data["language"] == {"code": "en", "confidence": data["language"]["confidence"], "supported": True}
    assert json.loads(json.dumps(data, allow_nan=False)) == data
    assert negotiator.last_turn("t1") == result


def test_an_agreement_is_reported_and_ends_the_thread(negotiator: Negotiator) -> None:
    result = negotiator.send("t1", "Fine, I accept the 30 days.")

    assert result.status == "agreed"
    assert result.agreement is not None
    assert (result.agreement["days"], result.agreement["round"]) == (30, 2)
    assert result.client_offer is not None and result.client_offer["act"] == "accept"
    assert re.search(r"\b30[ -]days?\b", result.reply)
    with pytest.raises(DialogueClosedError, match="Agreed on 30 days"):
        negotiator.send("t1", "Thanks.")


def test_a_rights_event_is_handed_to_a_person_and_refuses_more_messages(negotiator: Negotiator) -> None:
    result = negotiator.send("t1", "Stop calling me about this debt.")

    assert result.status == "escalated"
    assert result.escalation is not None and result.escalation["event"]["kind"] == "cease_contact"
    assert result.escalation["decision"] is None
    assert result.stance is None and result.guard is None and result.client_offer is None
    assert "stop contacting you" in result.reply
    assert negotiator.escalated("t1")
    with pytest.raises(PendingTurnError, match="handed to a person"):
        negotiator.send("t1", "Hello?")

    values = negotiator.resume_escalation("t1", action="continue", operator="Dana", note="client agreed to talk")
    assert values["status"] == "ongoing" and values["escalation"]["decision"]["operator"] == "Dana"
    assert negotiator.send("t1", "Hello again.").turn == 3


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
    model = ScriptedChatModel(replies=[FIRST_OFFER])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())
    assert negotiator.send("r", "Hello.").reply == FIRST_OFFER

    with pytest.raises(ReplyError, match="resuming thread 'r' retries the reply") as raised:
        negotiator.send("r", "I am angry.")
    assert isinstance(raised.value.__cause__, ScriptExhaustedError)
    assert len(model.calls) == 2  # a non-transient failure is not retried

    assert negotiator.pending("r")
    with pytest.raises(PendingTurnError):
        negotiator.send("r", "Hello?")
    messages = negotiator.state("r")["messages"]
    assert [type(m) for m in messages] == [HumanMessage, AIMessage, HumanMessage]

    model.replies.append(offering("Second reply: {days} days."))
    result = negotiator.resume("r")
    assert result.offer is not None
    assert (result.turn, result.client, result.reply) == (
        2,
        "I am angry.",
        f"Second reply: {result.offer['days']} days.",
    )
    assert result.emotion["label"] == "anger"
    assert not negotiator.pending("r")
    with pytest.raises(ValueError, match="no unfinished turn"):
        negotiator.resume("r")


def test_stream_yields_the_checked_reply_in_one_piece() -> None:
    # The offline responder streams word by word; none of its tokens may reach the client before the guard ran.
    negotiator = open_negotiator("memory", sensor=keyword_sensor())
    pieces = list(negotiator.stream("s", "I lost my job."))

    turn = negotiator.last_turn("s")
    assert pieces == [turn.reply]
    assert turn.turn == 1 and turn.offline
    assert turn.guard is not None and turn.guard["action"] == "passed"
    assert negotiator.state("s")["messages"][-1].text == turn.reply
    assert negotiator.state("s")["draft"]["text"] == turn.reply


def test_stream_yields_the_redrafted_reply_not_the_misstated_draft() -> None:
    model = ScriptedChatModel(replies=["We can offer 60 days to repay.", FIRST_OFFER])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())

    assert list(negotiator.stream("s", "Hello.")) == [FIRST_OFFER]
    assert negotiator.state("s")["draft"]["offer_check"] == "redrafted"
    assert len(model.calls) == 2


def test_stream_never_yields_a_draft_the_guard_rejected() -> None:
    # A model that does not stream (no _stream) reports its whole message when the call ends; the guard's redraft
    # of it must not reach the stream either.
    drafts = ["Pay within 30 days or we will have you arrested.", "We can offer 30 days, or you will be arrested."]
    model = ScriptedChatModel(replies=list(drafts))
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())

    pieces = list(negotiator.stream("s", "Hello."))

    turn = negotiator.last_turn("s")
    assert turn.guard is not None and turn.guard["action"] == "fallback"
    assert "arrest" not in turn.reply
    assert pieces == [turn.reply]


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
    model.replies.append(FIRST_OFFER)
    assert negotiator.resume("p").reply == FIRST_OFFER
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
    model.replies.append(FIRST_OFFER)
    assert negotiator.resume("s").reply == FIRST_OFFER


def test_a_failed_compliance_redraft_becomes_a_reply_error_and_resumes() -> None:
    model = ScriptedChatModel(replies=["Pay within 30 days or we will have you arrested."])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())

    with pytest.raises(ReplyError, match="client's message is saved"):
        negotiator.send("g", "Hello.")

    assert negotiator.pending("g")
    model.replies.append(FIRST_OFFER)
    assert negotiator.resume("g").reply == FIRST_OFFER


def test_a_failed_compliance_redraft_leaves_the_turn_resumable() -> None:
    model = ScriptedChatModel(replies=["Pay within 30 days or we will have you arrested."])
    negotiator = open_negotiator("memory", model=model, sensor=keyword_sensor())

    with pytest.raises((ReplyError, ScriptExhaustedError)):  # ReplyError once the bug above is fixed
        negotiator.send("g", "Hello.")

    assert negotiator.pending("g")
    assert negotiator.graph.get_state(negotiator.config("g")).next == ("check_compliance",)
    assert [type(m) for m in negotiator.state("g")["messages"]] == [HumanMessage]  # nothing was sent
    model.replies.append(FIRST_OFFER)
    result = negotiator.resume("g")
    assert result.reply == FIRST_OFFER and result.guard is not None and result.guard["action"] == "regenerated"


def test_stream_yields_the_reply_of_a_model_that_does_not_stream() -> None:
    negotiator = open_negotiator("memory", model=ScriptedChatModel(replies=[FIRST_OFFER]), sensor=keyword_sensor())
    pieces = list(negotiator.stream("s", "Hello."))
    assert negotiator.last_turn("s").reply == FIRST_OFFER
    assert pieces == [FIRST_OFFER]


def test_streaming_and_non_streaming_models_stream_the_same_single_reply() -> None:
    # The offline responder streams word by word; disable_streaming makes LangChain call _generate instead.
    streaming = open_negotiator("memory", sensor=keyword_sensor())
    whole = open_negotiator("memory", model=OfflineResponder(disable_streaming=True), sensor=keyword_sensor())

    pieces = list(streaming.stream("s", "I lost my job."))
    (reply,) = whole.stream("s", "I lost my job.")

    assert pieces == [streaming.last_turn("s").reply]
    assert reply == pieces[0] == whole.last_turn("s").reply


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
def test_every_langgraph_durability_mode_answers_and_reaches_the_graph(
    durability: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
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


def test_the_default_durability_is_turn(negotiator: Negotiator) -> None:
    assert negotiator.durability == "turn"


def test_turn_durability_saves_the_message_then_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = build_graph("memory", sensor=keyword_sensor())
    negotiator = Negotiator(graph)
    runs: list[tuple[Any, Any, Any]] = []
    original = graph.invoke

    def spy(payload: Any, *args: Any, **kwargs: Any) -> Any:
        runs.append((payload is None, kwargs.get("durability"), kwargs.get("interrupt_before")))
        return original(payload, *args, **kwargs)

    monkeypatch.setattr(graph, "invoke", spy)
    writes = len(list(graph.checkpointer.list(None)))  # type: ignore[union-attr]
    assert negotiator.send("w", "Hello.").turn == 1
    # First the message alone (stopping before the turn's first node), then the turn, saved when it ends.
    assert runs == [(False, "sync", ["sense_emotion"]), (True, "exit", None)]
    saved = len(list(graph.checkpointer.list(None))) - writes  # type: ignore[union-attr]
    sync_graph = build_graph("memory", sensor=keyword_sensor())
    Negotiator(sync_graph, durability="sync").send("w", "Hello.")
    assert saved < len(list(sync_graph.checkpointer.list(None))) / 2  # type: ignore[union-attr]


def test_turn_durability_leaves_a_message_saved_before_the_turn_pending() -> None:
    graph = build_graph("memory", sensor=keyword_sensor())
    negotiator = Negotiator(graph)
    # What a worker killed between the two runs leaves: the message saved, the turn not run.
    graph.invoke(
        {"messages": [HumanMessage("Hello.")]},
        negotiator.config("k"),
        context=negotiator.context,
        durability="sync",
        interrupt_before=["sense_emotion"],
    )
    assert negotiator.pending("k")
    with pytest.raises(PendingTurnError):
        negotiator.send("k", "Are you there?")
    result = negotiator.resume("k")
    assert result.turn == 1 and result.client == "Hello."
    messages = negotiator.state("k")["messages"]
    assert [type(m).__name__ for m in messages] == ["HumanMessage", "AIMessage"]


def test_an_unknown_durability_is_refused() -> None:
    with pytest.raises(ValueError, match="durability must be one of turn, sync, async, exit"):
        Negotiator(build_graph("memory", sensor=keyword_sensor()), durability="always")  # type: ignore[arg-type]
