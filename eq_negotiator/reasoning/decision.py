"""What a policy decides each turn, and the dialogue history it decides from.

Both are JSON-safe through ``to_dict``/``from_dict`` because the graph keeps them in checkpointed state, and both are
immutable: a policy never edits the history it is given.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from eq_negotiator.emotions import LABELS, EmotionReading

JSONScalar: TypeAlias = str | int | float | bool | None

Progress: TypeAlias = bool | None
"""Did the client move toward agreement this turn? ``None`` when unknown (no offers yet, or not tracked)."""


@dataclass(frozen=True)
class StrategyDecision:
    """One turn's choice of emotional stance and the evidence behind it.

    Attributes:
        policy: Name of the policy that decided.
        turn: Client turn this answers, counting from 1.
        stance: The agent's stance (one of :data:`LABELS`), or ``None`` for no stance instruction (``vanilla``).
        expected_payoffs: Score of each stance the policy compared (expected payoff for game-based policies).
        belief: Belief over the client's latent stances after this turn (empty if the policy keeps none).
        forecast: Forecast distribution of the client's next emotion (empty if the policy makes none).
        gate: Which branch decided and the counters that opened or closed it (JSON scalars only).
        reason: One sentence a person can read.
    """

    policy: str
    turn: int
    stance: str | None
    reason: str
    expected_payoffs: dict[str, float] = field(default_factory=dict)
    belief: dict[str, float] = field(default_factory=dict)
    forecast: dict[str, float] = field(default_factory=dict)
    gate: dict[str, JSONScalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.stance is not None and self.stance not in LABELS:
            raise ValueError(f"stance {self.stance!r} is not one of {', '.join(LABELS)}")

    @property
    def branch(self) -> str:
        """The branch that decided (``gate["branch"]``), or an empty string."""
        branch = self.gate.get("branch")
        return branch if isinstance(branch, str) else ""

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as plain dicts, lists, strings and floats."""
        return {
            "policy": self.policy,
            "turn": self.turn,
            "stance": self.stance,
            "reason": self.reason,
            "expected_payoffs": dict(self.expected_payoffs),
            "belief": dict(self.belief),
            "forecast": dict(self.forecast),
            "gate": dict(self.gate),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StrategyDecision:
        """Rebuild a decision from :meth:`to_dict` output."""
        return cls(
            policy=str(data["policy"]),
            turn=int(data["turn"]),
            stance=data.get("stance"),
            reason=str(data.get("reason", "")),
            expected_payoffs={k: float(v) for k, v in data.get("expected_payoffs", {}).items()},
            belief={k: float(v) for k, v in data.get("belief", {}).items()},
            forecast={k: float(v) for k, v in data.get("forecast", {}).items()},
            gate=dict(data.get("gate", {})),
        )


@dataclass(frozen=True)
class History:
    """A dialogue so far: the client's reading each turn and the decision that answered it.

    Attributes:
        readings: The client's emotion reading per turn, oldest first.
        decisions: The decision per turn; same length as ``readings``.
        progress: The progress signal per turn (see :data:`Progress`); same length as ``readings``.
    """

    readings: tuple[EmotionReading, ...] = ()
    decisions: tuple[StrategyDecision, ...] = ()
    progress: tuple[Progress, ...] = ()

    def __post_init__(self) -> None:
        if not len(self.readings) == len(self.decisions) == len(self.progress):
            raise ValueError(
                f"history is out of step: {len(self.readings)} readings, {len(self.decisions)} decisions, "
                f"{len(self.progress)} progress signals"
            )

    def __len__(self) -> int:
        return len(self.readings)

    @property
    def next_turn(self) -> int:
        """The number of the turn about to be decided (1 for a new dialogue)."""
        return len(self.readings) + 1

    @property
    def last_decision(self) -> StrategyDecision | None:
        """The previous turn's decision, if any."""
        return self.decisions[-1] if self.decisions else None

    def labels(self) -> list[str]:
        """The client's most probable emotion per turn."""
        return [reading.label for reading in self.readings]

    def stances(self) -> list[str | None]:
        """The agent's stance per turn."""
        return [decision.stance for decision in self.decisions]

    def append(self, reading: EmotionReading, decision: StrategyDecision, progress: Progress = None) -> History:
        """Return a new history with one more turn."""
        return History((*self.readings, reading), (*self.decisions, decision), (*self.progress, progress))

    def to_dict(self) -> dict[str, Any]:
        """Return the history as JSON-safe data."""
        return {
            "readings": [reading.to_dict() for reading in self.readings],
            "decisions": [decision.to_dict() for decision in self.decisions],
            "progress": list(self.progress),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> History:
        """Rebuild a history from :meth:`to_dict` output."""
        readings = tuple(EmotionReading.from_dict(r) for r in data.get("readings", []))
        decisions = tuple(StrategyDecision.from_dict(d) for d in data.get("decisions", []))
        progress: Sequence[Progress] = data.get("progress", [None] * len(readings))
        return cls(readings, decisions, tuple(progress))
