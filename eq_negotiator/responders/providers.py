"""Which chat model writes the agent's replies, at what temperature, and which of its failures are worth a retry.

A model is chosen by a ``provider:model`` string (anything :func:`langchain.chat_models.init_chat_model` knows:
``openai:gpt-4o-mini``, ``anthropic:claude-...``, ``ollama:llama3``, ...), by a base URL of an OpenAI-compatible
server, or by passing a :class:`BaseChatModel` instance. No model (or ``"offline"``) means the offline responder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Final

from langchain_core.exceptions import ModelError
from langchain_core.language_models.chat_models import BaseChatModel

from eq_negotiator.responders.offline import OFFLINE_MODEL_NAME, OfflineResponder

OFFLINE: Final[str] = "offline"
"""The model spec that selects the offline responder (also the default)."""

TRANSIENT_STATUS: Final[frozenset[int]] = frozenset({408, 409, 429, 500, 502, 503, 504})
TRANSIENT_ERROR_NAMES: Final[frozenset[str]] = frozenset(
    {"APITimeoutError", "APIConnectionError", "ReadTimeout", "ConnectTimeout", "RemoteProtocolError"}
)

RETRYING_PROVIDERS: Final[frozenset[str]] = frozenset({"openai", "azure_openai", "anthropic"})
"""Providers whose SDK retries on its own; the graph's retry policy owns retries, so theirs is turned off."""


class ModelConfigError(ValueError):
    """A model spec that cannot be turned into a chat model (unknown provider, missing package or credentials)."""


@dataclass(frozen=True)
class TemperatureSchedule:
    """Sampling temperature per turn: ``max(floor, initial * decay ** turn)`` (arXiv 2511.03370).

    Replies start varied and settle as the negotiation converges. Turn numbers count from 1, as in the papers'
    code (the first reply gets 0.665).

    Attributes:
        initial: Temperature before any decay.
        decay: Factor applied per turn.
        floor: Lowest temperature.
    """

    initial: float = 0.7
    decay: float = 0.95
    floor: float = 0.1

    def __post_init__(self) -> None:
        if not 0 <= self.floor <= self.initial:
            raise ValueError(f"temperature schedule needs 0 <= floor <= initial, got {self.floor}, {self.initial}")
        if not 0 < self.decay <= 1:
            raise ValueError(f"temperature decay must be in (0, 1], got {self.decay}")

    def at(self, turn: int) -> float:
        """The temperature for ``turn`` (counting from 1)."""
        return max(self.floor, self.initial * self.decay**turn)


def resolve_chat_model(model: str | BaseChatModel | None, *, base_url: str | None = None) -> BaseChatModel:
    """Turn a model spec into a chat model.

    Args:
        model: ``None`` or ``"offline"`` for the offline responder; a ``provider:model`` string; or an instance.
        base_url: URL of an OpenAI-compatible server (``/v1`` included); ``model`` is then the server's model name.
            The key is read from ``OPENAI_API_KEY`` (many local servers accept any value).

    Returns:
        The chat model.

    Raises:
        ModelConfigError: If the provider is unknown, its integration package is not installed, or it lacks
            credentials; the message says which and how to fix it.
    """
    if isinstance(model, BaseChatModel):
        return model
    if model is None or model == OFFLINE:
        if base_url is not None:
            raise ModelConfigError("a base URL needs a model name served there (e.g. --model llama3)")
        return OfflineResponder()
    from langchain.chat_models import init_chat_model

    try:
        if base_url is not None:
            name = model.split(":", 1)[1] if model.startswith("openai:") else model
            api_key = os.environ.get("OPENAI_API_KEY") or "not-needed"
            return init_chat_model(name, model_provider="openai", base_url=base_url, api_key=api_key, max_retries=0)
        provider = model.split(":", 1)[0] if ":" in model else None
        if provider in RETRYING_PROVIDERS:
            # Two retry layers would multiply (3 SDK tries x 4 graph attempts per failing turn).
            return init_chat_model(model, max_retries=0)
        return init_chat_model(model)
    except ImportError as error:
        raise ModelConfigError(f"model {model!r}: {error}") from None
    except ValueError as error:
        first_line = str(error).strip().splitlines()[0]
        raise ModelConfigError(
            f"model {model!r}: {first_line} Use 'provider:model' (e.g. openai:gpt-4o-mini, "
            "anthropic:claude-sonnet-4-5, ollama:llama3) or omit the model for the offline responder."
        ) from None
    except Exception as error:  # provider SDKs raise their own types for missing credentials
        raise ModelConfigError(f"model {model!r} could not be created: {type(error).__name__}: {error}") from None


def is_offline(model: BaseChatModel) -> bool:
    """Whether ``model`` is the offline responder."""
    return isinstance(model, OfflineResponder)


def model_name(model: BaseChatModel) -> str:
    """A short name for transcripts: the provider's model name where it has one, else the class name."""
    if is_offline(model):
        return OFFLINE_MODEL_NAME
    for attribute in ("model_name", "model", "model_id"):
        value = getattr(model, attribute, None)
        if isinstance(value, str) and value:
            return value
    return type(model).__name__


def is_transient_error(error: BaseException) -> bool:
    """Whether a chat-model failure is worth retrying: timeouts, connection drops, 408/409/429 and 5xx answers.

    Provider integrations raise LangChain's :class:`ModelError` types, which say whether they are retryable; other
    errors are judged by their HTTP status or, failing that, by the names of their classes. Authentication,
    permission and bad-request errors are not retried: a retry cannot fix them.
    """
    if isinstance(error, ModelError):
        return bool(error.is_retryable)
    if isinstance(error, (TimeoutError, ConnectionError)):
        return True
    status = getattr(error, "status_code", None)
    if status is None:
        response = getattr(error, "response", None)
        status = getattr(response, "status_code", None)
    if isinstance(status, int):
        return status in TRANSIENT_STATUS or status >= 500
    return any(cls.__name__ in TRANSIENT_ERROR_NAMES for cls in type(error).__mro__)
