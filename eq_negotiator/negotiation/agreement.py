"""When a negotiation ends: agreement, breakdown or the round limit, and the client-progress signal.

Rules (assessed after every move, in this order)
------------------------------------------------
0. **Doubt asks, it never agrees.** A move whose terms are in doubt (a garbled or implausible number, two different
   timelines, an acceptance naming other terms: the offer parser's ``doubt``) settles nothing and counts as no
   rejection: the negotiation goes on, and the other side asks for the exact terms. Agreement is recorded only on an
   unambiguous statement.
1. **Agreement, explicit.** A side that accepts while the other side has a standing offer agrees to that offer.
   An acceptance that names other days is judged as a proposal of those days instead ("OK, 90 days then" against an
   offer of 60 is not agreement to 60); an acceptance with no standing offer to accept settles nothing.
2. **Agreement, within tolerance.** A ``propose`` within ``tolerance_days`` (default 5, as in the EQ-Negotiator
   papers) of the other side's standing offer closes the deal on the proposed days: it is the latest concrete term,
   and the other side already said it would go that far, give or take the tolerance. This matches
   :meth:`~eq_negotiator.negotiation.concession.ConcessionStrategy.respond_to`, which accepts a client ask within
   tolerance of its offer at the client's figure.
3. **Breakdown.** A ``walk_away`` by either side (the caller decided the speaker refuses to go on, e.g. "I'm not
   negotiating with you") ends the negotiation at once. So do ``max_consecutive_rejections`` (default 3) ``reject``
   moves by the client in a row; any other client move resets the count, and the creditor's moves leave it alone
   (the creditor never walks away on its own: its strategy always has an offer within its limit).
4. **Round limit.** A round is a client message and the creditor's reply, so 15 rounds are 30 messages, as in the
   papers. If the creditor's move in round ``max_rounds`` closes nothing, the status is ``max_rounds``. The client's
   last message still gets an answer, so the creditor can accept in the final round.

Rounds count from 1, as a person would say them ("agreed in round 4"), here and in the concession strategy alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Final, Literal, get_args

Speaker = Literal["client", "creditor"]
Act = Literal["accept", "propose", "reject", "walk_away", "other"]
SPEAKERS: Final[tuple[str, ...]] = get_args(Speaker)
ACTS: Final[tuple[str, ...]] = get_args(Act)

_OTHER_SIDE: Final[dict[str, str]] = {"client": "creditor", "creditor": "client"}


class NegotiationStatus(str, Enum):
    """Where the negotiation stands; the value is the JSON form."""

    ONGOING = "ongoing"
    AGREED = "agreed"
    BREAKDOWN = "breakdown"
    MAX_ROUNDS = "max_rounds"
    ESCALATED = "escalated"
    """Handed to a person (a client-rights or vulnerability event); the negotiation waits for the operator."""

    @property
    def finished(self) -> bool:
        """Whether the negotiation has ended."""
        return self is not NegotiationStatus.ONGOING


FAILED_STATUSES: Final[frozenset[str]] = frozenset(
    {NegotiationStatus.BREAKDOWN.value, NegotiationStatus.MAX_ROUNDS.value}
)
"""Statuses (their JSON values, as state keeps them) of a negotiation that ended without agreement."""

TERMINAL_STATUSES: Final[frozenset[str]] = frozenset({NegotiationStatus.AGREED.value, *FAILED_STATUSES})
"""Statuses after which the dialogue closes (and the policy learns) once the final reply is sent."""


@dataclass(frozen=True)
class AgreementConfig:
    """When a negotiation ends.

    Attributes:
        tolerance_days: Offers this close (in days) count as agreement.
        max_rounds: Rounds (a client message and the creditor's reply) before the negotiation stops.
        max_consecutive_rejections: Client rejections in a row that count as a breakdown.
    """

    tolerance_days: int = 5
    max_rounds: int = 15
    max_consecutive_rejections: int = 3

    def __post_init__(self) -> None:
        if self.tolerance_days < 0:
            raise ValueError(f"tolerance_days must be 0 or more, not {self.tolerance_days}")
        if self.max_rounds < 1:
            raise ValueError(f"max_rounds must be at least 1, not {self.max_rounds}")
        if self.max_consecutive_rejections < 1:
            raise ValueError(f"max_consecutive_rejections must be at least 1, not {self.max_consecutive_rejections}")


@dataclass(frozen=True)
class Move:
    """One message's negotiating content.

    Attributes:
        speaker: ``client`` or ``creditor``.
        act: ``accept`` (the other side's standing offer), ``propose`` (``days``), ``reject`` (the other side's
            offer, without a counter-offer), ``walk_away`` (refuses to negotiate any further) or ``other``.
        days: The days the message names, if any.
        doubt: Why the move's terms must be confirmed before anyone acts on them (the offer parser's
            :data:`~eq_negotiator.negotiation.offers.Doubt`), or ``None`` when they are clear.
    """

    speaker: Speaker
    act: Act
    days: int | None = None
    doubt: str | None = None

    def __post_init__(self) -> None:
        if self.speaker not in SPEAKERS:
            raise ValueError(f"speaker {self.speaker!r} is not one of {', '.join(SPEAKERS)}")
        if self.act not in ACTS:
            raise ValueError(f"act {self.act!r} is not one of {', '.join(ACTS)}")
        if self.days is not None and self.days < 1:
            raise ValueError(f"days must be at least 1, not {self.days}")


@dataclass(frozen=True)
class Outcome:
    """The status after a move, and what closed the negotiation if it ended.

    Attributes:
        status: Where the negotiation stands.
        round: The 1-based round of the move assessed.
        agreed_days: The agreed timeline, only when ``status`` is ``agreed``.
        closed_by: Who ended it (``client`` or ``creditor``); ``None`` while ongoing and at the round limit.
        consecutive_rejections: Client rejections in a row so far; pass it to the next :func:`assess`.
        sentence: What happened, as a person would say it.
    """

    status: NegotiationStatus
    round: int
    agreed_days: int | None
    closed_by: Speaker | None
    consecutive_rejections: int
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        """Return the outcome as JSON-safe data."""
        return {
            "status": self.status.value,
            "round": self.round,
            "agreed_days": self.agreed_days,
            "closed_by": self.closed_by,
            "consecutive_rejections": self.consecutive_rejections,
            "sentence": self.sentence,
        }


def assess(
    move: Move,
    *,
    round: int,
    standing_offer: int | None,
    consecutive_rejections: int = 0,
    config: AgreementConfig | None = None,
) -> Outcome:
    """The negotiation's status after one move (see the module docstring for the rules).

    Args:
        move: What the speaker did.
        round: The 1-based round the move belongs to.
        standing_offer: The other side's current offer in days (for a client move, the creditor's offer), if any.
        consecutive_rejections: Client rejections in a row before this move (from the previous outcome).
        config: Tolerance and limits; defaults when omitted.

    Returns:
        The new status and what closed it.

    Raises:
        ValueError: If ``round`` is outside ``1..max_rounds`` (the negotiation has already ended at the limit),
            ``standing_offer`` is not positive, or ``consecutive_rejections`` is negative.
    """
    config = config if config is not None else AgreementConfig()
    if not 1 <= round <= config.max_rounds:
        raise ValueError(f"round must be between 1 and max_rounds ({config.max_rounds}), not {round}")
    if standing_offer is not None and standing_offer < 1:
        raise ValueError(f"standing_offer must be at least 1, not {standing_offer}")
    if consecutive_rejections < 0:
        raise ValueError(f"consecutive_rejections must be 0 or more, not {consecutive_rejections}")

    speaker, other = move.speaker, _OTHER_SIDE[move.speaker]
    act = move.act
    if move.doubt is not None:
        # Rule 0: nothing unclear is agreed, proposed or refused; the round limit still applies.
        rejections = 0 if speaker == "client" else consecutive_rejections
        if round == config.max_rounds and speaker == "creditor":
            sentence = f"No agreement within the maximum of {config.max_rounds} rounds."
            return Outcome(NegotiationStatus.MAX_ROUNDS, round, None, None, rejections, sentence)
        sentence = (
            f"Round {round} continues; the {speaker}'s terms are unclear ({move.doubt.replace('_', ' ')}), "
            f"so the {other} asks for the exact terms."
        )
        return Outcome(NegotiationStatus.ONGOING, round, None, None, rejections, sentence)
    if act == "accept" and move.days is not None and move.days != standing_offer:
        # "Fine, 90 days" against an offer of 60 names its own terms: judge it as a proposal (rule 2 may still close
        # it within tolerance, at the days named).
        act = "propose"

    if speaker == "client":
        # Only a rejection of an offer on the table counts toward a breakdown; "no" before any offer rejects nothing.
        rejects_offer = act == "reject" and standing_offer is not None
        rejections = consecutive_rejections + 1 if rejects_offer else 0
    else:
        rejections = consecutive_rejections

    def outcome(status: NegotiationStatus, sentence: str, agreed: int | None = None) -> Outcome:
        closed_by: Speaker | None = (
            speaker if status in (NegotiationStatus.AGREED, NegotiationStatus.BREAKDOWN) else None
        )
        return Outcome(status, round, agreed, closed_by, rejections, sentence)

    if act == "accept" and standing_offer is not None:
        return outcome(
            NegotiationStatus.AGREED,
            f"Agreed on {_days(standing_offer)} in round {round}; the {speaker} accepted the {other}'s offer.",
            standing_offer,
        )
    close_enough = (
        move.days is not None
        and standing_offer is not None
        and abs(move.days - standing_offer) <= config.tolerance_days
    )
    if act == "propose" and close_enough:
        return outcome(
            NegotiationStatus.AGREED,
            f"Agreed on {_days(move.days)} in round {round}; the {speaker}'s offer was within "
            f"{config.tolerance_days} days of the {other}'s {standing_offer}.",
            move.days,
        )
    if act == "walk_away":
        return outcome(
            NegotiationStatus.BREAKDOWN, f"The negotiation broke down in round {round}; the {speaker} walked away."
        )
    if rejections >= config.max_consecutive_rejections:
        return outcome(
            NegotiationStatus.BREAKDOWN,
            f"The negotiation broke down in round {round}; the client rejected {rejections} offers in a row.",
        )
    if round == config.max_rounds and speaker == "creditor":
        return outcome(NegotiationStatus.MAX_ROUNDS, f"No agreement within the maximum of {config.max_rounds} rounds.")
    return outcome(NegotiationStatus.ONGOING, _ongoing_sentence(move, act, round, standing_offer, other))


def _days(days: int | None) -> str:
    return "1 day" if days == 1 else f"{days} days"


def _ongoing_sentence(move: Move, act: str, round: int, standing_offer: int | None, other: str) -> str:
    if act == "propose" and move.days is not None:
        against = f" against the {other}'s {standing_offer}" if standing_offer is not None else ""
        return f"Round {round} continues; the {move.speaker} proposed {move.days} days{against}."
    if act == "reject":
        return f"Round {round} continues; the {move.speaker} rejected the {other}'s offer."
    return f"Round {round} continues; no terms were settled."


def client_progress(
    previous_client_days: int | None,
    current_client_days: int | None,
    creditor_offer_days: int | None,
    act: Act | None = None,
) -> bool | None:
    """Whether the client moved toward the creditor's position this turn: the reasoning policies' progress signal.

    Args:
        previous_client_days: The client's previous ask, if any.
        current_client_days: The client's ask this turn, if any.
        creditor_offer_days: The creditor's standing offer, if any.
        act: The client's act this turn, if known.

    Returns:
        ``True`` if the client accepted, asked for no more than the creditor's offer, or asked for fewer days than
        before; ``False`` if they rejected, walked away or asked for more days than before; ``None`` when there is
        nothing to compare (no numbers, or a first ask above the creditor's offer) or the ask did not change. Holding
        still is neither a win nor a loss, so the policy falls back on other evidence (the client's emotion).
    """
    if act == "accept":
        return True
    if act in ("reject", "walk_away"):
        return False
    if current_client_days is None:
        return None
    if creditor_offer_days is not None and current_client_days <= creditor_offer_days:
        return True
    if previous_client_days is None or current_client_days == previous_client_days:
        return None
    return current_client_days < previous_client_days
