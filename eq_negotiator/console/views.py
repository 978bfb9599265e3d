"""What the console's pages show, read from saved threads: plain data for the templates, no HTML.

A thread's per-turn records live in several append-only lists of its state (see
:class:`~eq_negotiator.graph.state.NegotiationState`), each keyed its own way: ``readings`` and ``decisions`` hold
one entry per turn the policy answered, in order (not the turns handed to a person or in a language the agent does
not read: those skip ``update_history``, so only the latest turn's ``reading`` is kept for them); ``offers`` and
``client_offers`` carry the ``round`` (a turn); guard records, rights events and unread languages carry the ``turn``.
:func:`turn_views` lines them up by turn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage

from eq_negotiator.graph.catalog import ThreadPage
from eq_negotiator.graph.session import Negotiator, thread_status
from eq_negotiator.nodes.escalate import HumanInterrupt, scenario_summary
from eq_negotiator.reasoning import STANCES
from eq_negotiator.scenario import Scenario

EXCERPT_CHARS = 90


@dataclass(frozen=True)
class ThreadRow:
    """One line of the thread list.

    Attributes:
        thread_id: The thread.
        status: ``waiting for a person``, ``unfinished turn`` or the thread's status (``ongoing``, ``agreed``...).
        waiting: Whether it waits for a person.
        turn: Client turns so far.
        last_client: The client's last message, cut to :data:`EXCERPT_CHARS`.
        escalation: The kind of the thread's latest hand-over to a person (``None`` if never).
        age: How long since the thread was last written, in words.
        problem: Why the thread could not be read (its other fields are then empty).
    """

    thread_id: str
    status: str
    waiting: bool
    turn: int = 0
    last_client: str = ""
    escalation: str | None = None
    age: str = ""
    problem: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message sent to the client: its text and who wrote it (``agent``, ``fixed reply`` or ``operator NAME``)."""

    text: str
    by: str


@dataclass(frozen=True)
class TurnView:
    """One client turn with everything the agent made of it (empty fields: not recorded for this turn)."""

    turn: int
    client: str
    replies: tuple[Reply, ...]
    emotion: str | None = None
    confidence: float | None = None
    belief: dict[str, float] = field(default_factory=dict)
    stance: str | None = None
    reason: str = ""
    client_offer: str = ""
    offer: str = ""
    guard: str = ""
    rights: str = ""
    escalated: bool = False


@dataclass(frozen=True)
class ThreadView:
    """One thread's page: its status, the request it waits on, the case and its turns."""

    thread_id: str
    status: str
    waiting: bool
    request: HumanInterrupt | None
    case: str
    turns: tuple[TurnView, ...]
    agreement: str | None
    decision: dict[str, Any] | None
    age: str


def thread_rows(negotiator: Negotiator, page: ThreadPage, now: dt.datetime | None = None) -> list[ThreadRow]:
    """The list page's rows for ``page``; a thread that cannot be read gets a row saying why, not an error."""
    now = now or dt.datetime.now(dt.timezone.utc)
    rows = []
    for ref in page.threads:
        try:
            snapshot = negotiator.snapshot(ref.thread_id)
        except Exception as error:  # a damaged checkpoint must not take the whole queue down
            rows.append(ThreadRow(ref.thread_id, "unreadable", ref.waiting, problem=f"{type(error).__name__}: {error}"))
            continue
        values = snapshot.values
        messages = values.get("messages") or []
        client = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
        waiting = "escalate" in snapshot.next
        rows.append(
            ThreadRow(
                thread_id=ref.thread_id,
                status=_status(values, waiting, bool(snapshot.next)),
                waiting=waiting,
                turn=int(values.get("turn") or 0),
                last_client=client if len(client) <= EXCERPT_CHARS else client[: EXCERPT_CHARS - 1] + "…",
                escalation=((values.get("escalation") or {}).get("event") or {}).get("kind"),
                age=age_text(snapshot.created_at, now),
            )
        )
    return rows


def thread_view(negotiator: Negotiator, thread_id: str, now: dt.datetime | None = None) -> ThreadView | None:
    """One thread's page, or ``None`` if the database holds no such thread.

    Raises:
        ThreadIdError: If the id is malformed.
        CheckpointIntegrityError: If its checkpoint cannot be loaded safely.
    """
    snapshot = negotiator.snapshot(thread_id)
    values = snapshot.values
    if not values:
        return None
    waiting = "escalate" in snapshot.next
    escalation = values.get("escalation") or {}
    scenario = Scenario(**(values.get("scenario") or negotiator.context.scenario))
    agreement = (values.get("agreement") or {}).get("summary")
    return ThreadView(
        thread_id=thread_id,
        status=_status(values, waiting, bool(snapshot.next)),
        waiting=waiting,
        request=negotiator.escalation_request(thread_id) if waiting else None,
        case=scenario_summary(scenario, values.get("offer")),
        turns=tuple(turn_views(values)),
        agreement=agreement,
        decision=escalation.get("decision"),
        age=age_text(snapshot.created_at, now or dt.datetime.now(dt.timezone.utc)),
    )


def turn_views(values: Mapping[str, Any]) -> list[TurnView]:
    """The thread's turns, each with its reading, decision, offers, guard record and rights event."""
    exchanges = _exchanges(values.get("messages") or [])
    by_turn = {
        name: _by_key(values.get(name) or [], key)
        for name, key in (
            ("guard_events", "turn"),
            ("rights_events", "turn"),
            ("unsupported_languages", "turn"),
            ("offers", "round"),
            ("client_offers", "round"),
        )
    }
    escalated = {turn for turn, event in by_turn["rights_events"].items() if event.get("escalates")}
    unread = set(by_turn["unsupported_languages"])
    # Readings and decisions are recorded in order on the turns the policy answered: matched to those in order.
    decided = [turn for turn in range(1, len(exchanges) + 1) if turn not in escalated | unread]
    readings = dict(zip(decided, values.get("readings") or [], strict=False))
    if exchanges and len(exchanges) not in readings and values.get("reading"):
        readings[len(exchanges)] = values["reading"]  # the latest turn's reading, kept even when it was not decided
    decisions = dict(zip(decided, values.get("decisions") or [], strict=False))
    views = []
    for turn, (client, replies) in enumerate(exchanges, start=1):
        reading = readings.get(turn) or {}
        decision = decisions.get(turn) or {}
        rights = by_turn["rights_events"].get(turn)
        language = by_turn["unsupported_languages"].get(turn)
        if rights:
            reason = str(rights.get("reason", ""))
        elif language:
            reason = f"a message in a language the agent does not read ({language.get('code')}): a fixed reply"
        else:
            reason = str(decision.get("reason", ""))
        views.append(
            TurnView(
                turn=turn,
                client=client,
                replies=tuple(replies),
                emotion=reading.get("label"),
                confidence=reading.get("confidence"),
                belief={name: float(p) for name, p in (decision.get("belief") or {}).items() if name in STANCES},
                stance=decision.get("stance"),
                reason=reason,
                client_offer=_client_offer_text(by_turn["client_offers"].get(turn)),
                offer=_offer_text(by_turn["offers"].get(turn)),
                guard=_guard_text(by_turn["guard_events"].get(turn)),
                rights=str(rights.get("kind", "")) if rights else "",
                escalated=turn in escalated,
            )
        )
    return views


def age_text(created_at: str | None, now: dt.datetime) -> str:
    """``created_at`` (ISO 8601) as "42 s ago", "5 min ago", "3 h ago" or "2 d ago"."""
    if not created_at:
        return ""
    written = dt.datetime.fromisoformat(created_at)
    if written.tzinfo is None:
        written = written.replace(tzinfo=dt.timezone.utc)
    seconds = max(0, int((now - written).total_seconds()))
    for unit, size in (("d", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _status(values: Mapping[str, Any], waiting: bool, unfinished: bool) -> str:
    if waiting:
        return "waiting for a person"
    if unfinished:
        return "unfinished turn"
    return thread_status(values)


def _exchanges(messages: Sequence[AnyMessage]) -> list[tuple[str, list[Reply]]]:
    """Each client message with the replies sent after it."""
    exchanges: list[tuple[str, list[Reply]]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            exchanges.append((message.text, []))
        elif isinstance(message, AIMessage) and exchanges:
            exchanges[-1][1].append(Reply(message.text, _author(message)))
    return exchanges


def _author(message: AIMessage) -> str:
    metadata = message.response_metadata or {}
    if metadata.get("escalation_reply"):
        return f"operator {metadata.get('operator') or ''}".strip()
    if metadata.get("rights_event"):
        return "fixed reply"
    return "agent"


def _by_key(records: Sequence[Mapping[str, Any]], key: str) -> dict[int, Mapping[str, Any]]:
    """Records by their turn or round (the last one of a turn wins)."""
    return {int(record[key]): record for record in records if isinstance(record.get(key), int)}


def _client_offer_text(offer: Mapping[str, Any] | None) -> str:
    if not offer:
        return ""
    if offer.get("doubt"):
        return f"terms unclear ({offer['doubt']}): asked to confirm"
    verb = _ACTS.get(str(offer.get("act")), "")
    if offer.get("days") is not None:
        return f"{verb or 'mentions'} {offer['days']} days"
    return "rejects the offer" if offer.get("act") == "reject" else ""


_ACTS = {"propose": "proposes", "accept": "accepts", "reject": "rejects"}


def _offer_text(offer: Mapping[str, Any] | None) -> str:
    return f"{offer['days']} days" if offer and offer.get("days") is not None else ""


def _guard_text(record: Mapping[str, Any] | None) -> str:
    if not record:
        return ""
    kinds = ", ".join(str(v.get("type")) for v in record.get("violations") or [])
    return f"{record.get('action')}" + (f" (found: {kinds})" if kinds else "")
