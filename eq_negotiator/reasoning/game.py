"""The creditor x client emotion game (EQ-Negotiator, arXiv 2503.21080 v3, payoff table).

The client (row player) shows an emotion, the agent (column player) answers with an emotional stance; each cell holds
(client payoff, agent payoff). Equilibria come from :mod:`nashpy`; the per-turn path (best response to a forecast) is
plain numpy because it runs on every turn and is a single matrix-vector product.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from eq_negotiator.emotions import LABELS
from eq_negotiator.reasoning.tables import FloatArray, as_distribution, as_matrix

N_LABELS = len(LABELS)

# Rows: client emotion; columns: agent stance; both in LABELS order (J, S, A, F, Su, D, N).
# Source: the payoff table of EQ-Negotiator (arXiv 2503.21080 v3), reproduced in both papers' code.
PAPER_CLIENT_PAYOFFS: tuple[tuple[int, ...], ...] = (
    (4, 2, 1, 2, 3, 2, 3),
    (3, 3, 1, 2, 2, 1, 2),
    (2, 2, 1, 1, 1, 0, 1),
    (1, 1, 0, 2, 1, 0, 2),
    (3, 2, 2, 2, 4, 1, 3),
    (2, 1, 1, 1, 2, 2, 2),
    (3, 2, 2, 3, 3, 2, 3),
)
PAPER_AGENT_PAYOFFS: tuple[tuple[int, ...], ...] = (
    (4, 3, 2, 1, 3, 2, 3),
    (2, 3, 2, 1, 2, 1, 3),
    (1, 1, 1, 0, 2, 1, 2),
    (2, 2, 1, 2, 2, 1, 3),
    (3, 2, 1, 1, 4, 2, 3),
    (2, 1, 0, 0, 1, 2, 2),
    (3, 3, 1, 2, 3, 2, 3),
)


@dataclass(frozen=True)
class PayoffTable:
    """Both players' payoffs, rows = client emotion, columns = agent stance, in :data:`LABELS` order.

    Attributes:
        client: 7x7 client payoffs.
        agent: 7x7 agent payoffs (the agent maximises these).
    """

    client: FloatArray
    agent: FloatArray

    def __post_init__(self) -> None:
        shape = (N_LABELS, N_LABELS)
        row_names = [f"client {label}" for label in LABELS]
        object.__setattr__(self, "client", as_matrix("payoff table 'client'", self.client, shape, row_names))
        object.__setattr__(self, "agent", as_matrix("payoff table 'agent'", self.agent, shape, row_names))
        self.client.setflags(write=False)
        self.agent.setflags(write=False)

    @classmethod
    def paper(cls) -> PayoffTable:
        """Return the published EQ-Negotiator payoff table."""
        return cls(np.array(PAPER_CLIENT_PAYOFFS, dtype=np.float64), np.array(PAPER_AGENT_PAYOFFS, dtype=np.float64))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PayoffTable:
        """Build a table from ``{"client": [[...]], "agent": [[...]]}`` (optionally with ``"labels"``).

        Raises:
            ValueError: If a key is missing, ``labels`` is not :data:`LABELS`, or a table is malformed.
        """
        labels = data.get("labels")
        if labels is not None and tuple(labels) != LABELS:
            raise ValueError(f"payoff table labels must be {list(LABELS)} in that order, got {list(labels)}")
        missing = [key for key in ("client", "agent") if key not in data]
        if missing:
            raise ValueError(f"payoff table lacks {', '.join(missing)}; expected keys 'client' and 'agent'")
        return cls(np.asarray(data["client"]), np.asarray(data["agent"]))

    @classmethod
    def from_file(cls, path: str | Path) -> PayoffTable:
        """Load a table from a JSON file shaped like :meth:`to_dict`.

        Raises:
            ValueError: If the file is not JSON or the table is malformed (the message names the file).
            FileNotFoundError: If the file does not exist.
        """
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}: not valid JSON ({error})") from None
        if not isinstance(data, Mapping):
            raise ValueError(f"{path}: expected a JSON object with 'client' and 'agent' tables")
        try:
            return cls.from_dict(data)
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None

    def to_dict(self) -> dict[str, Any]:
        """Return the table as JSON-safe data (``labels``, ``client``, ``agent``)."""
        return {"labels": list(LABELS), "client": self.client.tolist(), "agent": self.agent.tolist()}

    def cell(self, client_emotion: str, agent_stance: str) -> tuple[float, float]:
        """Return (client payoff, agent payoff) for one cell."""
        row, column = LABELS.index(client_emotion), LABELS.index(agent_stance)
        return float(self.client[row, column]), float(self.agent[row, column])


@dataclass(frozen=True)
class Equilibrium:
    """A Nash equilibrium: each player's mixed strategy over the seven labels."""

    client: tuple[float, ...]
    agent: tuple[float, ...]

    @property
    def is_pure(self) -> bool:
        """Whether both players put all weight on one label."""
        return max(self.client) > 1 - 1e-9 and max(self.agent) > 1 - 1e-9

    def labels(self) -> tuple[str, str]:
        """Return the (client, agent) labels with the most weight."""
        return LABELS[int(np.argmax(self.client))], LABELS[int(np.argmax(self.agent))]


@dataclass(frozen=True)
class EmotionGame:
    """The bimatrix emotion game over a :class:`PayoffTable`.

    Attributes:
        table: The payoffs.
    """

    table: PayoffTable = field(default_factory=PayoffTable.paper)

    @cached_property
    def nash(self) -> Any:
        """The game as a :class:`nashpy.Game` (row player = client, column player = agent)."""
        # Imported here: nashpy pulls in scipy, which the per-turn path never needs.
        import nashpy

        return nashpy.Game(self.table.client, self.table.agent)

    def pure_equilibria(self) -> list[tuple[str, str]]:
        """Return every pure equilibrium as (client emotion, agent stance).

        Checked cell by cell (each move a best response to the other), which is exact even where the game is
        degenerate and support enumeration would miss ties.
        """
        client_best = self.table.client >= self.table.client.max(axis=0, keepdims=True)
        agent_best = self.table.agent >= self.table.agent.max(axis=1, keepdims=True)
        rows, columns = np.nonzero(client_best & agent_best)
        return [(LABELS[int(r)], LABELS[int(c)]) for r, c in zip(rows, columns, strict=True)]

    @cached_property
    def _equilibria(self) -> tuple[Equilibrium, ...]:
        found: list[Equilibrium] = []
        # The paper's table is degenerate (many tied payoffs): nashpy warns and may return an even number of
        # equilibria. That is expected here, so the warning is silenced; the pure ones are also found exactly above.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            for client, agent in self.nash.support_enumeration(non_degenerate=False):
                candidate = Equilibrium(tuple(np.round(client, 12)), tuple(np.round(agent, 12)))
                if not any(_same_equilibrium(candidate, seen) for seen in found):
                    found.append(candidate)
        return tuple(found)

    def equilibria(self) -> list[Equilibrium]:
        """Return pure and mixed equilibria found by support enumeration (about a second; cached).

        In a degenerate game equilibria can form continua; support enumeration returns the extreme points it meets,
        which is what an analyst needs to see the structure. Duplicates are removed.
        """
        return list(self._equilibria)

    def expected_agent_payoffs(self, forecast: Sequence[float] | FloatArray) -> FloatArray:
        """Expected agent payoff of each stance when the client's next emotion follows ``forecast``.

        Args:
            forecast: Probability of each client emotion, in :data:`LABELS` order.

        Returns:
            Seven expected payoffs, one per agent stance.

        Raises:
            ValueError: If ``forecast`` is not a probability vector over the seven labels.
        """
        vector = as_distribution("client emotion forecast", forecast, N_LABELS)
        return vector @ self.table.agent

    def agent_best_response(self, forecast: Sequence[float] | FloatArray) -> tuple[str, FloatArray]:
        """Return the agent's best stance against ``forecast`` and the expected payoff of every stance.

        Ties go to the earliest label in :data:`LABELS` order, so the choice is deterministic.
        """
        payoffs = self.expected_agent_payoffs(forecast)
        return LABELS[int(np.argmax(payoffs))], payoffs

    def client_best_responses(self) -> dict[str, list[str]]:
        """For each agent stance, the client emotions that maximise the client's payoff (all ties listed)."""
        best: dict[str, list[str]] = {}
        for column, stance in enumerate(LABELS):
            payoffs = self.table.client[:, column]
            best[stance] = [LABELS[row] for row in np.flatnonzero(payoffs >= payoffs.max())]
        return best


def _same_equilibrium(a: Equilibrium, b: Equilibrium) -> bool:
    return bool(np.allclose(a.client, b.client, atol=1e-9) and np.allclose(a.agent, b.agent, atol=1e-9))
