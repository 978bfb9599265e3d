"""Temperature schedule, transient-error classification, and model resolution."""

from __future__ import annotations

import itertools

import httpx
import openai
import pytest
from langchain_core.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from eq_negotiator.graph.builder import MODEL_RETRY
from eq_negotiator.responders import (
    ModelConfigError,
    OfflineResponder,
    TemperatureSchedule,
    is_transient_error,
    model_name,
    resolve_chat_model,
)
from tests.unit.graph.fakes import ScriptedChatModel, StatusError

REQUEST = httpx.Request("POST", "https://api.example.invalid/v1/chat/completions")


def response(status: int) -> httpx.Response:
    return httpx.Response(status, request=REQUEST, json={"error": {"message": "x"}})


# -- temperature schedule ---------------------------------------------------------------------------------------


def test_first_reply_gets_0_665() -> None:
    assert TemperatureSchedule().at(1) == pytest.approx(0.665)


def test_schedule_decays_to_the_floor_and_stays() -> None:
    schedule = TemperatureSchedule()
    values = [schedule.at(turn) for turn in range(1, 101)]
    assert all(a >= b for a, b in itertools.pairwise(values))
    assert values[36] > 0.1  # turn 37: 0.7 * 0.95**37 = 0.105
    assert values[37] == 0.1  # turn 38: floor reached
    assert set(values[37:]) == {0.1}


def test_custom_schedule() -> None:
    schedule = TemperatureSchedule(initial=1.0, decay=0.5, floor=0.2)
    assert [schedule.at(turn) for turn in (0, 1, 2, 3)] == [1.0, 0.5, 0.25, 0.2]
    assert TemperatureSchedule(decay=1.0).at(50) == 0.7


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"floor": 0.8}, "floor <= initial"),
        ({"floor": -0.1}, "floor <= initial"),
        ({"decay": 0.0}, "decay"),
        ({"decay": 1.5}, "decay"),
        ({"decay": -0.5}, "decay"),
        ({"initial": 0.05}, "floor <= initial"),
    ],
)
def test_invalid_schedules_raise(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TemperatureSchedule(**kwargs)


# -- transient errors -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 409, 429, 500, 502, 503, 504, 529])
def test_retryable_statuses(status: int) -> None:
    assert is_transient_error(StatusError(status)) is True


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_non_retryable_statuses(status: int) -> None:
    assert is_transient_error(StatusError(status)) is False


def test_status_on_the_response_attribute() -> None:
    class ResponseError(Exception):
        def __init__(self, status: int) -> None:
            super().__init__(status)
            self.response = response(status)

    assert is_transient_error(ResponseError(503)) is True
    assert is_transient_error(ResponseError(401)) is False


@pytest.mark.parametrize(
    "error", [TimeoutError("slow"), ConnectionError("reset"), ConnectionResetError(), httpx.ReadTimeout("slow")]
)
def test_timeouts_and_dropped_connections_are_transient(error: BaseException) -> None:
    assert is_transient_error(error) is True


@pytest.mark.parametrize("error", [ValueError("bad"), KeyError("k"), RuntimeError("boom")])
def test_plain_errors_are_not_transient(error: BaseException) -> None:
    assert is_transient_error(error) is False


def test_real_openai_errors() -> None:
    assert is_transient_error(openai.RateLimitError("slow down", response=response(429), body=None)) is True
    assert is_transient_error(openai.InternalServerError("oops", response=response(500), body=None)) is True
    assert is_transient_error(openai.APITimeoutError(request=REQUEST)) is True
    assert is_transient_error(openai.APIConnectionError(request=REQUEST)) is True
    assert is_transient_error(openai.AuthenticationError("bad key", response=response(401), body=None)) is False
    assert is_transient_error(openai.BadRequestError("bad", response=response(400), body=None)) is False
    assert is_transient_error(openai.PermissionDeniedError("no", response=response(403), body=None)) is False


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ModelRateLimitError("slow down"), True),
        (ModelTimeoutError("slow"), True),
        (ModelConnectionError("reset"), True),
        (ModelAPIError("server"), True),
        (ModelAuthenticationError("bad key"), False),
        (ModelInvalidRequestError("bad request"), False),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_langchain_model_errors_say_whether_they_are_retryable(error: BaseException, expected: bool) -> None:
    assert is_transient_error(error) is expected


def test_the_respond_retry_policy_uses_the_classifier() -> None:
    assert MODEL_RETRY.retry_on is is_transient_error
    assert MODEL_RETRY.max_attempts == 4


# -- model resolution -------------------------------------------------------------------------------------------


def test_no_model_means_the_offline_responder() -> None:
    assert isinstance(resolve_chat_model(None), OfflineResponder)
    assert isinstance(resolve_chat_model("offline"), OfflineResponder)


def test_an_instance_is_used_as_is() -> None:
    model = ScriptedChatModel()
    assert resolve_chat_model(model) is model
    assert model_name(model) == "scripted-model"


@pytest.mark.parametrize("spec", ["foo:bar", "nocolon"])
def test_an_unknown_provider_is_explained(spec: str) -> None:
    with pytest.raises(ModelConfigError, match="provider:model"):
        resolve_chat_model(spec)


def test_provider_sdk_retries_are_off_so_the_graph_owns_retrying(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-used")
    direct = resolve_chat_model("openai:gpt-4o-mini")
    served = resolve_chat_model("llama3", base_url="http://127.0.0.1:1/v1")
    assert direct.max_retries == 0  # type: ignore[attr-defined]
    assert served.max_retries == 0  # type: ignore[attr-defined]
    assert model_name(served) == "llama3"
