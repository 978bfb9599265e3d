"""The real ``langchain-openai`` client path, end to end, against an OpenAI-protocol server on 127.0.0.1.

Nothing here is mocked below the HTTP socket: the turn graph renders its prompt, ``ChatOpenAI`` and the ``openai`` SDK
send it, and a loopback server (``openai_server.OpenAILoopback``) answers, streams or fails as scripted, and records
what it received. Retries are exercised with a fast ``RetryPolicy`` so the file stays quick.

Every reply is checked before the client sees it: a draft that misstates the offer is redrafted once (a second
request), then replaced by the safe template. Scripted replies therefore state the turn's offer (30 days on a first
turn; later offers are taken from the request with ``openai_server.offering``) unless redrafting is the subject.
Streaming yields that checked reply in one piece, however the server streamed the draft.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
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
from eq_negotiator.graph.persistence import open_checkpointer
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.session import Negotiator, PendingTurnError, ReplyError, open_negotiator
from eq_negotiator.negotiation.guard import safe_template
from eq_negotiator.prompts import load_prompts
from eq_negotiator.responders import is_transient_error
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing import EmotionSensor, load_sensor
from tests.integration.openai_server import CutStream, Delay, Drop, OpenAILoopback, offering
from tests.unit.graph.fakes import close_connections

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
    first_reply = "I understand this is hard. We are asking for the balance to be settled within 30 days."
    second_reply = "Thank you for telling me. The timeline we can put forward is {days} days."
    server.queue_reply(first_reply, offering(second_reply))
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)

    first = negotiator.send("loop-1", "I lost my job last month and I'm scared I can't pay any of this.")
    second = negotiator.send("loop-1", "This is outrageous, I am furious about it!")

    assert first.offer is not None and second.offer is not None
    assert (first.offer["days"], second.offer["round"]) == (30, 2)
    assert second.offer["days"] >= 30
    assert (first.reply, second.reply) == (first_reply, second_reply.format(days=second.offer["days"]))
    assert [turn.guard["action"] for turn in (first, second) if turn.guard] == ["passed", "passed"]
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
        assert result.offer is not None and f"State exactly {result.offer['days']} days" in system
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


# -- the offer check -------------------------------------------------------------------------------------------------


def test_a_reply_that_misstates_the_offer_is_redrafted_once_then_templated(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    server.queue_reply("We can give you 60 days.", "All right, 45 days it is.")
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    result = negotiator.send("offer-1", "Hello, I got your letter.")

    assert len(server.completions) == 2  # the draft and one redraft, never a third request
    assert result.reply == safe_template(Scenario(), 30)
    assert negotiator.state("offer-1")["draft"]["offer_check"] == "template"
    assert result.offline is False and result.model == MODEL
    assert message_kinds(negotiator, "offer-1") == ["HumanMessage", "AIMessage"]


def test_a_rights_event_is_answered_without_a_request_to_the_model(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)
    negotiator.send("rights-1", "Hello, I got your letter.")
    assert len(server.completions) == 1

    chunks = list(negotiator.stream("rights-1", "This is outrageous, stop calling me about it!"))

    assert len(server.completions) == 1  # the fixed reply for the event; nothing was sent to the model
    turn = negotiator.last_turn("rights-1")
    assert chunks == [turn.reply]
    assert turn.status == "escalated" and turn.escalation is not None
    assert turn.escalation["event"]["kind"] == "cease_contact"
    assert negotiator.escalated("rights-1")
    with pytest.raises(PendingTurnError, match="handed to a person"):
        negotiator.send("rights-1", "Hello?")
    assert len(server.completions) == 1


# -- streaming -------------------------------------------------------------------------------------------------------


def test_a_streamed_draft_reaches_the_client_only_as_the_checked_reply(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    text = "I hear how stressful this is. We are asking for the full balance within 30 days, and I can help plan it."
    server.queue_reply(text)
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)

    chunks = list(negotiator.stream("stream-1", "Why do you keep calling me? I already told you I can't pay."))

    # The server streamed the draft in 8-character chunks; the client gets the checked reply once, whole.
    assert len(text) > server.chunk_size
    assert chunks == [text]
    (request,) = server.completions
    assert request.body is not None
    assert request.body["stream"] is True
    assert request.body["model"] == MODEL
    assert request.body["temperature"] == pytest.approx(scheduled(1), abs=1e-12)
    turn = negotiator.last_turn("stream-1")
    assert turn.reply == text
    assert turn.offline is False and turn.model == MODEL and turn.turn == 1
    assert turn.guard is not None and turn.guard["action"] == "passed"
    assert not negotiator.pending("stream-1")
    assert message_kinds(negotiator, "stream-1") == ["HumanMessage", "AIMessage"]


def test_a_streamed_draft_that_misstates_the_offer_is_never_streamed(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    wrong = "Fine, we can do 90 days to repay the balance."
    right = "Thanks for bearing with me. We are asking for the balance within 30 days."
    server.queue_reply(wrong, right)
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)

    chunks = list(negotiator.stream("stream-2", "Hello, I got your letter."))

    assert chunks == [right]
    first, second = server.completions
    assert first.body is not None and second.body is not None
    assert first.body["stream"] is True and second.body["stream"] is True
    # The redraft is the same prompt with the mistake named in a last system message.
    assert second.messages[:-1] == first.messages
    assert second.messages[-1]["role"] == "system" and "exactly 30 days" in second.message_text("system")[-1]
    assert negotiator.state("stream-2")["draft"]["offer_check"] == "redrafted"


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
    server.queue_reply("First reply, 30 days.", offering("Second reply, {days} days."))
    negotiator = open_negotiator("memory", context=context_for(server), sensor=sensor)
    negotiator.send("ids-1", "Hello.")
    negotiator.send("ids-1", "Hello again.")

    replies = [m for m in negotiator.state("ids-1")["messages"] if isinstance(m, AIMessage)]
    assert len({m.id for m in replies}) == 2
    # langchain-openai puts the completion id in response_metadata["id"] and gives the message a run id of its own
    # ("lc_run-..."), which names no provider message, so no provider_message_id is recorded.
    assert [m.response_metadata["id"] for m in replies] == ["chatcmpl-loopback-1", "chatcmpl-loopback-2"]
    assert len(server.completions) == 2  # both drafts passed: the ids are those of the replies sent
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
    server.queue_reply(offering("I understand your worry. The timeline we are asking for is {days} days."))
    result = negotiator.resume("fail-1")

    assert result.offer is not None and result.offer["round"] == 2
    assert result.reply == f"I understand your worry. The timeline we are asking for is {result.offer['days']} days."
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


def test_a_stream_cut_mid_reply_is_retried_and_the_client_gets_only_the_whole_reply(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    """No draft text is passed on before the check, so a cut stream is retried without anything to take back."""
    partial = "I hear you. We are asking for 90 days"  # what the cut draft had sent; never seen by the client
    text = "I hear you. We are asking for the full balance within 30 days."
    server.script(CutStream(3))
    server.queue_reply(partial, text)
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    chunks = list(negotiator.stream("cut-1", "Why do you keep calling me?"))

    assert chunks == [text]
    assert [r.status for r in server.completions] == [200, 200]  # the cut answer, then the graph's retry
    assert not negotiator.pending("cut-1")
    assert negotiator.last_turn("cut-1").reply == text
    assert message_kinds(negotiator, "cut-1") == ["HumanMessage", "AIMessage"]


def test_a_stream_that_keeps_failing_raises_reply_error_and_streams_nothing(
    server: OpenAILoopback, sensor: EmotionSensor
) -> None:
    server.script(*[CutStream(2)] * FAST_RETRY.max_attempts)
    negotiator = graph_negotiator(server, sensor, model=strict_client(server))

    chunks: list[str] = []
    with pytest.raises(ReplyError, match="resuming thread 'cut-2' retries the reply"):
        for chunk in negotiator.stream("cut-2", "Why do you keep calling me?"):
            chunks.append(chunk)

    assert chunks == []  # no partial draft reached the client
    assert len(server.completions) == FAST_RETRY.max_attempts
    assert negotiator.pending("cut-2")
    result = negotiator.resume("cut-2")
    assert result.reply == "Loopback reply: we can offer 30 days to settle this."
    assert message_kinds(negotiator, "cut-2") == ["HumanMessage", "AIMessage"]


# -- state after the final failure -----------------------------------------------------------------------------------


def test_persistent_timeouts_leave_the_saved_turn_unchanged_by_failed_resumes(
    server: OpenAILoopback, sensor: EmotionSensor, tmp_path: Path
) -> None:
    """After retries run out, the checkpointed turn stays as it was, however often resuming fails, and a new process
    (a new graph over the same SQLite file) finishes it once."""
    spec = f"sqlite:///{tmp_path}/c.db"

    def negotiator_over_file() -> Negotiator:
        model = strict_client(server, timeout=0.1)
        graph = make_builder(Services(sensor=sensor, model=model), retry=FAST_RETRY).compile(
            checkpointer=open_checkpointer(spec)
        )
        return Negotiator(graph, context_for(server))

    negotiator = negotiator_over_file()
    server.script(*[Delay(0.3)] * (2 * FAST_RETRY.max_attempts))
    client_text = "Hello, I got your letter."

    with pytest.raises(ReplyError, match="TimeoutError: Request timed out") as caught:
        negotiator.send("timeout-2", client_text)
    assert isinstance(caught.value.__cause__, openai.APITimeoutError)
    assert len(server.completions) == FAST_RETRY.max_attempts
    saved = negotiator.state("timeout-2")
    assert negotiator.pending("timeout-2")
    assert [type(m) for m in saved["messages"]] == [HumanMessage] and saved["messages"][0].text == client_text

    with pytest.raises(ReplyError, match="TimeoutError: Request timed out"):
        negotiator.resume("timeout-2")  # fails the same way, all retries spent again
    assert len(server.completions) == 2 * FAST_RETRY.max_attempts
    assert negotiator.state("timeout-2") == saved  # nothing added, nothing lost, nothing doubled
    assert negotiator.pending("timeout-2")
    close_connections(negotiator.graph)

    server.recover()
    server.queue_reply("Thanks for waiting. We are asking for 30 days.")
    restarted = negotiator_over_file()
    result = restarted.resume("timeout-2")

    assert result.reply == "Thanks for waiting. We are asking for 30 days." and result.turn == 1
    state = restarted.state("timeout-2")
    assert [type(m) for m in state["messages"]] == [HumanMessage, AIMessage]
    assert state["messages"][0] == saved["messages"][0]
    assert state["readings"] == saved["readings"] and state["decisions"] == saved["decisions"]
    close_connections(restarted.graph)
