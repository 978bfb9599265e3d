"""The real ``langchain-openai`` client path, end to end, against an OpenAI-protocol server on 127.0.0.1.

Nothing here is mocked below the HTTP socket: the turn graph renders its prompt, ``ChatOpenAI`` and the ``openai`` SDK
send it, and a loopback server (``openai_server.OpenAILoopback``) answers, streams or fails as scripted, and records
what it received. Retries are exercised with a fast ``RetryPolicy`` so the file stays quick.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import RetryPolicy
from pydantic import SecretStr

from eq_negotiator.graph.builder import make_builder
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.session import Negotiator, PendingTurnError, ReplyError, open_negotiator
from eq_negotiator.prompts import load_prompts
from eq_negotiator.responders import is_transient_error
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing import EmotionSensor, load_sensor
from tests.integration.openai_server import CutStream, Delay, Drop, OpenAILoopback

pytestmark = pytest.mark.integration

MODEL = "gpt-test"

FAST_RETRY = RetryPolicy(initial_interval=0.01, max_attempts=3, retry_on=is_transient_error, jitter=False)
"""The product's retry rule (only transient failures) with intervals short enough for a test."""

NO_GRAPH_RETRY = RetryPolicy(max_attempts=1, retry_on=is_transient_error)
"""A single attempt of the ``respond`` node: any retry seen then is the SDK's own."""

FAST_SDK_RETRY = {"retry-after-ms": "5"}
"""Headers that make the ``openai`` SDK's own retry wait 5 ms instead of its 0.5-8 s backoff."""

ENV_TO_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def scheduled(turn: int) -> float:
    """τ(t) = max(0.1, 0.7 · 0.95^t), turns from 1."""
    return max(0.1, 0.7 * 0.95**turn)


@pytest.fixture(autouse=True)
def _loopback_only_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No real key, no proxy: every request must reach the loopback server, with the product's fallback key."""
    for name in ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture(scope="module")
def sensor() -> EmotionSensor:
    return load_sensor("tfidf")


@pytest.fixture()
def server() -> Iterator[OpenAILoopback]:
    with OpenAILoopback() as loopback:
        yield loopback


def context_for(server: OpenAILoopback, **settings: Any) -> Context:
    return Context(model=MODEL, base_url=server.base_url, **settings)


def strict_client(server: OpenAILoopback, *, timeout: float = 10) -> ChatOpenAI:
    """A ``ChatOpenAI`` whose SDK never retries, so every retry seen is the graph's."""
    return ChatOpenAI(model=MODEL, base_url=server.base_url, api_key=SecretStr("x"), max_retries=0, timeout=timeout)


def graph_negotiator(
    server: OpenAILoopback,
    sensor: EmotionSensor,
    *,
    model: BaseChatModel | None = None,
    retry: RetryPolicy = FAST_RETRY,
    **settings: Any,
) -> Negotiator:
    """A negotiator over an in-memory graph with ``retry`` on ``respond``; ``model=None`` uses the context path."""
    graph = make_builder(Services(sensor=sensor, model=model), retry=retry).compile(checkpointer=InMemorySaver())
    return Negotiator(graph, context_for(server, **settings))


def stance_instruction(stance: str, scenario: Scenario) -> str:
    return load_prompts().stances[stance].format_map({"creditor": scenario.creditor, "debtor": scenario.debtor}).strip()


def message_kinds(negotiator: Negotiator, thread_id: str) -> list[str]:
    return [type(m).__name__ for m in negotiator.state(thread_id)["messages"]]


# -- the happy path --------------------------------------------------------------------------------------------------


def test_two_turns_send_the_rendered_prompt_and_return_the_servers_replies(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    replies = (
        "I understand this is hard. We are asking for the balance to be settled within 30 days.",
        "Thank you for telling me. The timeline we can put forward is 30 days.",
    )
    server.queue_reply(*replies)
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)

    first = negotiator.send("loop-1", "I lost my job last month and I'm scared I can't pay any of this.")
    second = negotiator.send("loop-1", "This is outrageous, stop calling me about it!")

    assert (first.reply, second.reply) == replies
    requests = server.completions
    assert len(requests) == 2
    assert all(r.status == 200 for r in server.requests) and len(server.requests) == 2
    scenario = Scenario()
    for turn, (result, request) in enumerate(zip((first, second), requests, strict=True), start=1):
        body = request.body
        assert body is not None
        assert body["model"] == MODEL
        assert body["temperature"] == pytest.approx(scheduled(turn), abs=1e-12)
        assert not body.get("stream")
        assert [m["role"] for m in request.messages] == ["system", "user"]
        (system,) = request.message_text("system")
        assert scenario.creditor in system and scenario.debtor in system
        assert f"{scenario.creditor_target_days} days" in system
        assert scenario.balance_text() in system
        assert result.stance is not None
        assert stance_instruction(result.stance, scenario) in system
        assert request.message_text("user") == [result.client]
        assert request.headers.get("authorization") == "Bearer not-needed"  # no OPENAI_API_KEY: the product's fallback
        assert result.offline is False
        assert result.model == MODEL
        assert result.turn == turn
    # The second prompt's transcript carries the first exchange.
    (second_system,) = requests[1].message_text("system")
    assert first.client in second_system and first.reply in second_system
    state = negotiator.state("loop-1")
    assert state["reply"] == {"offline": False, "model": MODEL, "temperature": pytest.approx(scheduled(2))}
    assert message_kinds(negotiator, "loop-1") == ["HumanMessage", "AIMessage", "HumanMessage", "AIMessage"]


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        pytest.param({"temperature_schedule": False}, None, id="schedule-off-sends-no-temperature"),
        pytest.param({"temperature": 0.2}, 0.2, id="fixed-temperature-overrides-schedule"),
        pytest.param({"temperature": 0.0, "temperature_schedule": False}, 0.0, id="fixed-zero-is-sent"),
    ],
)
def test_temperature_settings_reach_the_request(
    server: OpenAILoopback, sensor: EmotionSensor, settings: dict[str, Any], expected: float | None
) -> None:
    negotiator = open_negotiator("memory", context=context_for(server, **settings), sensor=sensor)
    negotiator.send("temp-1", "Can we talk about the payment plan?")
    negotiator.send("temp-1", "I can maybe pay something next month.")

    assert len(server.completions) == 2
    for request in server.completions:
        assert request.body is not None
        if expected is None:
            assert "temperature" not in request.body
        else:
            assert request.body["temperature"] == expected
    assert negotiator.state("temp-1")["reply"]["temperature"] == expected


# -- streaming -------------------------------------------------------------------------------------------------------


def test_stream_yields_the_servers_chunks_and_saves_the_full_reply(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    text = "I hear how stressful this is. We are asking for the full balance within 30 days, and I can help plan it."
    server.queue_reply(text)
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)

    chunks = list(negotiator.stream("stream-1", "Why do you keep calling me? I already told you I can't pay."))

    size = server.chunk_size
    assert chunks == [text[i : i + size] for i in range(0, len(text), size)]  # each streamed piece, once, in order
    assert "".join(chunks) == text
    (request,) = server.completions
    assert request.body is not None
    assert request.body["stream"] is True
    assert request.body["model"] == MODEL
    assert request.body["temperature"] == pytest.approx(scheduled(1), abs=1e-12)
    turn = negotiator.last_turn("stream-1")
    assert turn.reply == text
    assert turn.offline is False and turn.model == MODEL and turn.turn == 1
    assert not negotiator.pending("stream-1")
    assert message_kinds(negotiator, "stream-1") == ["HumanMessage", "AIMessage"]


def test_a_client_with_streaming_disabled_streams_the_whole_reply_once(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    text = "I understand. We are asking for the balance to be settled within 30 days."
    server.queue_reply(text)
    client = strict_client(server).model_copy(update={"disable_streaming": True})
    negotiator = graph_negotiator(server, sensor, model=client)

    chunks = list(negotiator.stream("whole-1", "Why do you keep calling me?"))

    assert chunks == [text]
    (request,) = server.completions
    assert request.body is not None and not request.body.get("stream")
    assert negotiator.last_turn("whole-1").reply == text


def test_replies_get_fresh_message_ids_and_keep_the_completion_id(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    server.queue_reply("First reply, 30 days.", "Second reply, 30 days.")
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)
    negotiator.send("ids-1", "Hello.")
    negotiator.send("ids-1", "Hello again.")

    replies = [m for m in negotiator.state("ids-1")["messages"] if isinstance(m, AIMessage)]
    assert len({m.id for m in replies}) == 2
    # langchain-openai puts the completion id in response_metadata["id"] and gives the message a run id of its own
    # ("lc_run-..."), which names no provider message, so no provider_message_id is recorded.
    assert [m.response_metadata["id"] for m in replies] == ["chatcmpl-loopback-1", "chatcmpl-loopback-2"]
    assert all("provider_message_id" not in m.response_metadata for m in replies)


# -- transient failures ----------------------------------------------------------------------------------------------


def test_one_rate_limit_is_retried_by_the_graph(server: OpenAILoopback, sensor: EmotionSensor) -> None:
    server.fail_next(1, 429, message="Rate limit reached for gpt-test")
    server.queue_reply("Thanks for waiting. We are asking for 30 days.")
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    result = negotiator.send("retry-1", "Hello, I got your letter.")

    assert result.reply == "Thanks for waiting. We are asking for 30 days."
    assert [r.status for r in server.completions] == [429, 200]
    first, second = server.completions
    assert first.body == second.body  # the same prompt, re-sent by the graph
    # Both were first attempts for the SDK (max_retries=0): the retry was the graph's.
    assert [r.headers.get("x-stainless-retry-count") for r in server.completions] == ["0", "0"]
    state = negotiator.state("retry-1")
    assert len(state["readings"]) == 1 and len(state["decisions"]) == 1 and state["turn"] == 1
    assert message_kinds(negotiator, "retry-1") == ["HumanMessage", "AIMessage"]


def test_the_default_client_leaves_retries_to_the_graph(server: OpenAILoopback, sensor: EmotionSensor) -> None:
    """The product's own client (``init_chat_model`` via base URL) has SDK retries off: the graph owns them."""
    server.fail_next(1, 429, headers=FAST_SDK_RETRY)
    negotiator = graph_negotiator(server, sensor)

    result = negotiator.send("retry-2", "Hello, I got your letter.")

    assert result.offline is False and result.reply
    assert [r.status for r in server.completions] == [429, 200]
    # Both were the SDK's first attempts: the retry was the graph's.
    assert [r.headers.get("x-stainless-retry-count") for r in server.completions] == ["0", "0"]


def test_a_persistent_failure_costs_one_request_per_graph_attempt(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    """Retries do not multiply: a persistent 503 on the default client makes exactly max_attempts requests."""
    server.fail_always(503, headers=FAST_SDK_RETRY)
    negotiator = graph_negotiator(server, sensor)

    with pytest.raises(ReplyError, match="503") as caught:
        negotiator.send("retry-3", "Hello?")

    assert isinstance(caught.value.__cause__, openai.InternalServerError)
    assert [r.status for r in server.completions] == [503] * FAST_RETRY.max_attempts


# -- persistent failures ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(500, openai.InternalServerError), (429, openai.RateLimitError)],
    ids=["500", "429"],
)
def test_persistent_failure_saves_the_turn_and_resume_finishes_it(
    server: OpenAILoopback, sensor: EmotionSensor, status: int, error_type: type[openai.APIStatusError]
) -> None:
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))
    negotiator.send("fail-1", "Hi, I want to sort this out.")
    assert len(server.completions) == 1
    server.fail_always(status, message="the upstream model is unavailable")
    client_text = "I'm really worried, I can't afford this right now."

    with pytest.raises(ReplyError) as caught:
        negotiator.send("fail-1", client_text)

    cause = caught.value.__cause__
    assert isinstance(cause, error_type) and cause.status_code == status
    message = str(caught.value)
    assert type(cause).__name__ in message and f"Error code: {status}" in message
    assert "the upstream model is unavailable" in message
    assert "client's message is saved" in message and "resuming thread 'fail-1'" in message
    assert [r.status for r in server.completions[1:]] == [status] * FAST_RETRY.max_attempts

    # Everything before the reply is checkpointed: the message, this turn's reading and decision.
    assert negotiator.pending("fail-1")
    state = negotiator.state("fail-1")
    assert isinstance(state["messages"][-1], HumanMessage) and state["messages"][-1].text == client_text
    assert state["turn"] == 2
    assert len(state["readings"]) == 2 and state["reading"] == state["readings"][-1]
    assert len(state["decisions"]) == 2 and state["decision"] == state["decisions"][-1]
    decision = state["decision"]
    assert message_kinds(negotiator, "fail-1") == ["HumanMessage", "AIMessage", "HumanMessage"]

    with pytest.raises(PendingTurnError):
        negotiator.send("fail-1", "Hello? Anyone there?")
    assert len(server.completions) == 1 + FAST_RETRY.max_attempts  # refused before any request
    assert message_kinds(negotiator, "fail-1") == ["HumanMessage", "AIMessage", "HumanMessage"]

    server.recover()
    server.queue_reply("I understand your worry. The timeline we are asking for is 30 days.")
    result = negotiator.resume("fail-1")

    assert result.reply == "I understand your worry. The timeline we are asking for is 30 days."
    assert result.client == client_text and result.turn == 2
    assert result.offline is False and result.model == MODEL
    assert not negotiator.pending("fail-1")
    retried = server.completions[-1]
    assert retried.status == 200 and retried.message_text("user") == [client_text]
    state = negotiator.state("fail-1")
    assert message_kinds(negotiator, "fail-1") == ["HumanMessage", "AIMessage", "HumanMessage", "AIMessage"]
    assert [str(m.text) for m in state["messages"] if isinstance(m, HumanMessage)].count(client_text) == 1
    assert isinstance(state["messages"][-1], AIMessage) and state["messages"][-1].text == result.reply
    assert len(state["readings"]) == 2 and len(state["decisions"]) == 2  # resuming did not re-run earlier nodes
    assert state["decision"] == decision
    # The thread goes on normally afterwards.
    assert negotiator.send("fail-1", "OK, thank you.").turn == 3


# -- authentication --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client", ["strict", "default"])
def test_auth_error_is_not_retried_and_names_the_failure(
    server: OpenAILoopback, sensor: EmotionSensor, client: str
) -> None:
    server.fail_always(401, message="Incorrect API key provided: not-needed.")
    model = strict_client(server) if client == "strict" else None
    negotiator = graph_negotiator(server, sensor, model=model)

    with pytest.raises(ReplyError) as caught:
        negotiator.send("auth-1", "Hello, I got your letter.")

    assert len(server.completions) == 1  # neither the graph nor the SDK retried
    message = str(caught.value)
    assert "AuthenticationError" in message and "401" in message and "Incorrect API key" in message
    assert isinstance(caught.value.__cause__, openai.AuthenticationError)
    assert negotiator.pending("auth-1")

    server.recover()
    assert negotiator.resume("auth-1").reply
    assert message_kinds(negotiator, "auth-1") == ["HumanMessage", "AIMessage"]


# -- streaming failures ----------------------------------------------------------------------------------------------


def test_a_failed_stream_leaves_the_turn_pending_and_resume_finishes_it(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    server.fail_always(500)
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    with pytest.raises(ReplyError):
        list(negotiator.stream("stream-fail", "Why do you keep calling me?"))

    assert len(server.completions) == FAST_RETRY.max_attempts
    assert all(r.body is not None and r.body["stream"] is True for r in server.completions)
    assert negotiator.pending("stream-fail")
    server.recover()
    server.queue_reply("I understand. We are asking for 30 days.")
    assert negotiator.resume("stream-fail").reply == "I understand. We are asking for 30 days."
    assert message_kinds(negotiator, "stream-fail") == ["HumanMessage", "AIMessage"]


def test_a_failed_stream_raises_reply_error(server: OpenAILoopback, sensor: EmotionSensor) -> None:
    server.fail_always(500)
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    with pytest.raises(ReplyError, match="resuming thread 'stream-fail'"):
        list(negotiator.stream("stream-fail", "Why do you keep calling me?"))


# -- connection failures ---------------------------------------------------------------------------------------------


def test_a_dropped_connection_is_retried_by_the_graph(server: OpenAILoopback, sensor: EmotionSensor) -> None:
    server.script(Drop())
    server.queue_reply("Sorry about that. We are asking for 30 days.")
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    result = negotiator.send("drop-1", "Hello, I got your letter.")

    assert result.reply == "Sorry about that. We are asking for 30 days."
    assert [r.status for r in server.completions] == [0, 200]


def test_a_timeout_is_retried_by_the_graph(server: OpenAILoopback, sensor: EmotionSensor) -> None:
    server.script(Delay(0.6))
    server.queue_reply("Too slow, ignored.", "Thanks for waiting. We are asking for 30 days.")
    negotiator = graph_negotiator(server, sensor, model=strict_client(server, timeout=0.2))

    result = negotiator.send("timeout-1", "Hello, I got your letter.")

    assert result.reply == "Thanks for waiting. We are asking for 30 days."
    assert len(server.completions) == 2


def test_a_stream_cut_mid_reply_stops_with_reply_error_and_the_full_reply_is_kept(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    """Text already streamed cannot be taken back, so a restarted reply ends the stream instead of splicing."""
    text = "I hear you. We are asking for the full balance within 30 days."
    server.script(CutStream(3))
    server.queue_reply(text, text)
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    chunks: list[str] = []
    with pytest.raises(ReplyError, match="restarted"):
        for chunk in negotiator.stream("cut-1", "Why do you keep calling me?"):
            chunks.append(chunk)

    assert text.startswith("".join(chunks)) and "".join(chunks) != text
    # Depending on whether the retried reply finished before the stream was closed, the turn is complete or resumable.
    result = negotiator.resume("cut-1") if negotiator.pending("cut-1") else negotiator.last_turn("cut-1")
    assert result.reply == text
    assert message_kinds(negotiator, "cut-1") == ["HumanMessage", "AIMessage"]
