"""Scripted fakes for the turn-graph tests: an emotion sensor and a chat model that both run out loudly."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langgraph.runtime import Runtime
from langgraph.store.base import BaseStore
from pydantic import Field

from eq_negotiator.emotions import LABELS
from eq_negotiator.graph.context import Context
from eq_negotiator.sensing.base import EmotionSensor

TURN_STEPS = [
    "__start__",
    "sense_emotion",
    "check_rights",
    "track_offers",
    "update_history",
    "select_strategy",
    "answer_offer",
    "respond",
    "check_compliance",
]
"""The node path agentevals reports for one client turn that is negotiated (no rights event, no ending)."""

FIRST_OFFER = "We can offer 30 days to repay."
"""A reply that states the creditor's first offer for the default scenario (its 30-day target)."""

OFFER_IN_PROMPT = re.compile(r"State exactly (\d+) days")
"""Where the packaged system prompt names the timeline the reply must state."""

Reply = Callable[[Sequence[BaseMessage]], str | AIMessage]
"""A scripted reply written from the prompt it answers."""


class ScriptExhaustedError(RuntimeError):
    """A scripted fake was asked for more than its script holds."""


def probabilities(label: str, confidence: float = 0.9) -> list[float]:
    """A distribution with ``confidence`` on ``label`` and the rest spread evenly."""
    rest = (1.0 - confidence) / (len(LABELS) - 1)
    return [confidence if name == label else rest for name in LABELS]


class ScriptedSensor(EmotionSensor):
    """An emotion sensor whose readings are scripted.

    Args:
        labels: Labels to return in order, one per utterance; reading past the end raises.
        keywords: Instead of a queue: the first keyword (lower-case substring) found picks the label.
        default: Label when no keyword matches (keyword mode only).
        confidence: Probability put on the chosen label.
    """

    spec = "scripted"

    def __init__(
        self,
        labels: Iterable[str] | None = None,
        *,
        keywords: Mapping[str, str] | None = None,
        default: str = "neutral",
        confidence: float = 0.9,
    ) -> None:
        if (labels is None) == (keywords is None):
            raise ValueError("give exactly one of labels or keywords")
        self.queue: deque[str] | None = deque(labels) if labels is not None else None
        self.keywords = dict(keywords or {})
        self.default = default
        self.confidence = confidence
        self.texts: list[str] = []

    def _label_for(self, text: str) -> str:
        if self.queue is not None:
            if not self.queue:
                raise ScriptExhaustedError(f"sensor script exhausted at {text!r}")
            return self.queue.popleft()
        lowered = text.lower()
        return next((label for word, label in self.keywords.items() if word in lowered), self.default)

    def _probabilities(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        self.texts.extend(texts)
        rows = [probabilities(self._label_for(text), self.confidence) for text in texts]
        return np.array(rows, dtype=np.float64), np.zeros(len(texts), dtype=bool)


def keyword_sensor() -> ScriptedSensor:
    """The sensor most graph tests use: angry/furious -> anger, sad/lost -> sadness, great -> joy, else neutral."""
    return ScriptedSensor(
        keywords={"angry": "anger", "furious": "anger", "sad": "sadness", "lost": "sadness", "great": "joy"}
    )


def prompt_offer_days(messages: Sequence[BaseMessage]) -> int:
    """The timeline the (packaged) system prompt of ``messages`` tells the model to state."""
    match = OFFER_IN_PROMPT.search(messages[0].text)
    if match is None:
        raise AssertionError(f"the system prompt names no timeline to state: {messages[0].text[:200]!r}")
    return int(match.group(1))


def offering(template: str = "We can offer {days} days to repay.", *, message_id: str | None = None) -> Reply:
    """A scripted reply that states the offer its prompt asks for: ``{days}`` is filled from the system prompt.

    The creditor's offer after the first turn depends on the belief about the client, so tests that are not about
    the numbers script this rather than a fixed figure. A test that checks the figure compares the reply with the
    ``offer`` in state, which is where the prompt's number must come from.
    """

    def reply(messages: Sequence[BaseMessage]) -> str | AIMessage:
        text = template.format(days=prompt_offer_days(messages))
        return AIMessage(text, id=message_id) if message_id is not None else text

    return reply


class ScriptedChatModel(BaseChatModel):
    """A chat model that answers from a script and records every call.

    ``replies`` items are strings, ``AIMessage`` objects, callables of the prompt messages returning either (see
    :func:`offering`), or exceptions (raised when their turn comes). Calling past the end raises
    :class:`ScriptExhaustedError`, so a test never passes on a reply it did not script.
    """

    replies: list[Any] = Field(default_factory=list)
    answer: Callable[[list[BaseMessage]], str | AIMessage] | None = None
    """Answers every call once ``replies`` is used up (a model that never runs out); ``None`` raises instead."""
    calls: list[dict[str, Any]] = Field(default_factory=list)
    model_name: str = "scripted-model"

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.calls.append({"messages": list(messages), "kwargs": dict(kwargs)})
        if not self.replies and self.answer is None:
            raise ScriptExhaustedError(f"chat model script exhausted at call {len(self.calls)}")
        item = self.replies.pop(0) if self.replies else self.answer
        if isinstance(item, BaseException):
            raise item
        if callable(item):
            item = item(messages)
        message = item if isinstance(item, AIMessage) else AIMessage(content=item)
        return ChatResult(generations=[ChatGeneration(message=message)])

    @property
    def seen(self) -> list[list[BaseMessage]]:
        """The messages of every call, oldest first."""
        return [call["messages"] for call in self.calls]

    @property
    def last_system_prompt(self) -> str:
        """The system prompt of the latest call."""
        return self.calls[-1]["messages"][0].text


class StatusError(Exception):
    """An SDK-like error carrying an HTTP status code."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"HTTP {status_code}")
        self.status_code = status_code


def runtime(context: Context | None = None, store: BaseStore | None = None) -> Runtime[Context]:
    """A LangGraph runtime for calling a node function directly."""
    return Runtime(context=context if context is not None else Context(), store=store)


def thread(thread_id: str) -> dict[str, Any]:
    """A run config for ``thread_id``."""
    return {"configurable": {"thread_id": thread_id}}


def say(text: str) -> dict[str, Any]:
    """Graph input for one client message."""
    return {"messages": [HumanMessage(text)]}


def close_connections(graph: Any) -> None:
    """Close the SQLite connections a compiled graph's checkpointer and store hold (if any)."""
    for part in (graph.checkpointer, graph.store):
        connection = getattr(part, "conn", None)
        if connection is not None and hasattr(connection, "close"):
            connection.close()
