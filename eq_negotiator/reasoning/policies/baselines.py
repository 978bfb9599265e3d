"""Baseline policies: no stance, a fixed stance, a random stance, and the classic repeated-game strategies."""

from __future__ import annotations

from eq_negotiator.emotions import LABELS, EmotionReading, label_index
from eq_negotiator.reasoning.decision import History, JSONScalar, Progress, StrategyDecision
from eq_negotiator.reasoning.game import EmotionGame
from eq_negotiator.reasoning.policies.base import Policy, as_label_dict
from eq_negotiator.reasoning.repeated import generous_tit_for_tat, rank_stances, tit_for_tat, win_stay_lose_shift


class VanillaPolicy(Policy):
    """No stance instruction at all: the responder speaks with no emotional guidance."""

    name = "vanilla"

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Return a decision with no stance."""
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=None,
            reason="Vanilla baseline: no emotional stance is instructed.",
            gate={"branch": "none"},
        )


class FixedPolicy(Policy):
    """Always the same stance.

    Args:
        stance: One of the seven labels.
        seed: Unused.

    Raises:
        ValueError: If ``stance`` is not a label.
    """

    def __init__(self, stance: str, *, seed: int = 0) -> None:
        super().__init__(seed=seed)
        label_index(stance)
        self.stance = stance
        self.name = f"fixed:{stance}"

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Return the fixed stance."""
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=self.stance,
            reason=f"Fixed baseline: always {self.stance}.",
            gate={"branch": "fixed"},
        )


class RandomPolicy(Policy):
    """A uniformly random stance each turn, reproducible under the seed."""

    name = "random"

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Draw a stance."""
        stance = LABELS[int(self.rng(history.next_turn).integers(len(LABELS)))]
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=f"Random baseline: drew {stance}.",
            gate={"branch": "random"},
        )


class TitForTatPolicy(Policy):
    """Mirror the client's emotion this turn."""

    name = "tft"

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Mirror the reading."""
        stance = tit_for_tat(reading.label)
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=f"Tit-for-tat: the client reads {reading.label}, so the agent mirrors it.",
            gate={"branch": "mirror"},
        )


class GenerousTitForTatPolicy(Policy):
    """Mirror the client's emotion, but forgive a negative one with probability ``forgiveness``.

    Args:
        forgiveness: Probability of answering a negative emotion with neutral.
        seed: Seed for the forgiveness draws.
    """

    name = "gtft"

    def __init__(self, *, forgiveness: float = 0.3, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.forgiveness = forgiveness

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Mirror or forgive."""
        stance, forgave = generous_tit_for_tat(reading.label, self.rng(history.next_turn), forgiveness=self.forgiveness)
        reason = (
            f"Generous tit-for-tat: the client reads {reading.label}; the agent forgives with {stance}."
            if forgave
            else f"Generous tit-for-tat: the client reads {reading.label}, so the agent mirrors with {stance}."
        )
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=reason,
            gate={"branch": "forgive" if forgave else "mirror", "forgiveness": self.forgiveness},
        )


class WinStayLoseShiftPolicy(Policy):
    """Pavlov on the payoff table: keep last turn's stance if it earned at least ``aspiration``, else shift.

    The payoff earned by last turn's stance is the agent's payoff in the cell (client's emotion now, that stance).
    A shift goes to the best response to the client's emotion now, other than last turn's stance.

    Args:
        game: The emotion game; the paper's table when omitted.
        aspiration: Payoff that counts as a win.
        seed: Unused.
    """

    name = "wsls"

    def __init__(self, *, game: EmotionGame | None = None, aspiration: float = 3.0, seed: int = 0) -> None:
        super().__init__(seed=seed)
        self.game = game or EmotionGame()
        self.aspiration = aspiration

    def decide(self, reading: EmotionReading, history: History, progress: Progress = None) -> StrategyDecision:
        """Stay after a win, shift after a loss."""
        payoffs = self.game.table.agent[LABELS.index(reading.label)]
        previous = history.last_decision
        last = previous.stance if previous is not None else None
        earned = float(payoffs[LABELS.index(last)]) if last is not None else None
        won = None if earned is None else earned >= self.aspiration
        stance = win_stay_lose_shift(last, won, rank_stances(payoffs))
        branch = "first" if won is None else ("win_stay" if won else "lose_shift")
        gate: dict[str, JSONScalar] = {"branch": branch, "earned": earned, "aspiration": self.aspiration}
        if won is None:
            reason = f"Win-stay/lose-shift: first turn, so the best response to {reading.label}, {stance}."
        elif won:
            reason = f"Win-stay/lose-shift: {last} earned {earned:g} against {reading.label}, so the agent stays."
        else:
            reason = f"Win-stay/lose-shift: {last} earned only {earned:g} against {reading.label}; shift to {stance}."
        return StrategyDecision(
            policy=self.name,
            turn=history.next_turn,
            stance=stance,
            reason=reason,
            expected_payoffs=as_label_dict(payoffs),
            gate=gate,
        )
