"""Run settings of the turn graph, passed per run as ``context=Context(...)`` (LangGraph ``context_schema``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from eq_negotiator.reasoning import DEFAULT_POLICY
from eq_negotiator.redaction import check_trace_privacy
from eq_negotiator.sensing import DEFAULT_SENSOR_SPEC

DEFAULT_MAX_MESSAGE_CHARS: Final[int] = 4000
"""Longest client message accepted (characters); longer ones are refused, not truncated."""

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True)
class Context:
    """Settings for one run of the graph. Every field has an offline default.

    Attributes:
        model: ``provider:model`` for :func:`init_chat_model`, or ``None`` for the offline responder. A chat model
            instance given to ``build_graph(model=...)`` takes precedence.
        base_url: URL of an OpenAI-compatible server for ``model``.
        policy: Stance-selection policy name (see ``eq_negotiator.reasoning.POLICY_NAMES``).
        sensor: Emotion sensor spec (``embedded``, ``tfidf``, ``hf:<id|path>``, ...).
        prompt_dir: Directory of prompt templates replacing the packaged ones.
        temperature: A fixed sampling temperature; overrides the schedule.
        temperature_schedule: Use ``max(0.1, 0.7 * 0.95**turn)``; when off (and no fixed temperature) the
            provider's default applies.
        scenario: Scenario fields for a new dialogue (``Scenario`` defaults where omitted).
        segment: Client segment: what the policy learns is kept per segment.
        seed: Seed for the policy and the offline responder's phrasing.
        max_message_chars: Longest client message accepted.
        concession_curve: ``boulware`` (concede late), ``linear`` or ``conceder`` (concede early).
        max_rounds: Client turns before the negotiation ends without agreement (15 rounds = 30 messages).
        accept_tolerance_days: Offers this close count as agreement (5 days, as in the papers).
        disclosure: Open the first reply with the debt-collector disclosure (FDCPA §1692e(11)).
        learn: Update the policy's cross-dialogue learning when a dialogue ends. Simulations turn it off so that
            every dialogue is independent of the order (and the worker) it ran in.
        model_checks: Run the embedded perception model beside the word rules for client rights and reply
            compliance (either layer escalates or flags). Off by default for now: on fresh hard negatives the
            model's rights layer false-escalates one message in five and reads some plain anger ("I am angry
            about this.") as a cease request, which would hand ordinary negotiations to a person; turn it on where
            recall matters more than that (a person reviews every escalation). ``eqn rights check`` and ``eqn
            guard check`` run both layers by default.
        trace_privacy: What LangSmith traces (when tracing is on) may hold of the dialogue: ``full`` (everything),
            ``redacted`` (emails, phone, card and account numbers, amounts and the parties' names masked) or
            ``hidden`` (no inputs or outputs). See :mod:`eq_negotiator.redaction`.
    """

    model: str | None = None
    base_url: str | None = None
    policy: str = DEFAULT_POLICY
    sensor: str = DEFAULT_SENSOR_SPEC
    prompt_dir: str | None = None
    temperature: float | None = None
    temperature_schedule: bool = True
    scenario: dict[str, Any] = field(default_factory=dict)
    segment: str = "default"
    seed: int = 0
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS
    concession_curve: str = "linear"
    max_rounds: int = 15
    accept_tolerance_days: int = 5
    disclosure: bool = False
    learn: bool = True
    model_checks: bool = False
    trace_privacy: str = "full"

    def __post_init__(self) -> None:
        if not _SEGMENT.match(self.segment):
            raise ValueError(f"segment {self.segment!r} must be 1-64 letters, digits, '_' or '-'")
        if self.max_message_chars < 1:
            raise ValueError(f"max_message_chars must be positive, got {self.max_message_chars}")
        if self.concession_curve not in ("boulware", "linear", "conceder"):
            raise ValueError(f"concession_curve must be boulware, linear or conceder, got {self.concession_curve!r}")
        if self.max_rounds < 2:
            raise ValueError(f"max_rounds must be at least 2 (a first offer and a last one), got {self.max_rounds}")
        if self.accept_tolerance_days < 0:
            raise ValueError(f"accept_tolerance_days must be non-negative, got {self.accept_tolerance_days}")
        if self.temperature is not None and not 0 <= self.temperature <= 2:
            raise ValueError(f"temperature must be between 0 and 2, got {self.temperature}")
        check_trace_privacy(self.trace_privacy)
