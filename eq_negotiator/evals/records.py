"""One simulated dialogue as a ``dialogues.jsonl`` record, built from the final graph state of its thread.

The graph keeps per-turn append-only lists, but not every list gets an entry on every turn:

* a turn handed to a person (a client-rights event: ``handle_rights`` -> ``escalate``) appends nothing to
  ``readings``, ``decisions``, ``client_offers`` or ``guard_events``; it appends to ``rights_events`` (with its
  ``turn``) and increments ``turn``;
* a turn whose message is in a language the agent does not read (``unsupported_language``) appends nothing to
  ``readings``, ``decisions`` or ``client_offers``; it appends to ``unsupported_languages`` and ``guard_events``
  (both with its ``turn``) and increments ``turn``;
* ``offers`` gets an entry only on turns where the creditor made a (new) offer: not when the client's move or the
  creditor's acceptance settled the negotiation;
* a turn that failed part-way (a model error) may have a reading and a decision but no guard record or reply.

So entries are matched to client messages by their own turn numbers where they carry one (``client_offers`` and
``offers`` by ``round``, ``guard_events`` and ``rights_events`` by ``turn``), and ``readings``/``decisions`` in
order over the turns that were negotiated (not escalated, and in a language the agent reads). The record format
is the issue-6 contract, plus each turn's ``unsupported_language`` (the language of a message the agent did not
read, else ``None``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, Final

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from eq_negotiator.emotions import LABELS
from eq_negotiator.graph.session import thread_status

STATUSES: Final[tuple[str, ...]] = ("agreed", "breakdown", "max_rounds", "escalated", "closed", "error", "ongoing")
"""Every ``outcome.status`` a record may hold (``ongoing`` only for a dialogue cut short without an error)."""

DEBTOR_FIELDS: Final[tuple[str, ...]] = ("text", "offer_days", "act", "intent")
"""The fields of a record's ``debtor`` entry (the simulated debtor's ground truth when known)."""


class RecordError(ValueError):
    """A graph state (or ground truth) that cannot be turned into a consistent dialogue record."""


def dialogue_id_for(scenario_id: str, persona: str, policy: str, seed: int) -> str:
    """The contract's dialogue id: ``<scenario_id>|<persona>|<policy>|s<seed>``."""
    return f"{scenario_id}|{persona}|{policy}|s{seed}"


def record_from_state(
    state: Mapping[str, Any],
    *,
    dialogue_id: str | None = None,
    scenario_id: str,
    persona: str,
    policy: str,
    seed: int,
    creditor_model: str,
    debtor: str,
    debtor_turns: Sequence[Mapping[str, Any] | Any] | None = None,
    elapsed_s: float | None = None,
    error: str | None = None,
    scenario: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Build the ``dialogues.jsonl`` record of one dialogue from its thread's final state.

    Args:
        state: The thread's state values (``Negotiator.state(thread_id)``); may be empty when the dialogue failed
            before its first turn (pass ``error`` and ``scenario`` then).
        dialogue_id: The record's id; default :func:`dialogue_id_for` of the other fields.
        scenario_id: The scenario's id (``scenario.id or "scenario"``).
        persona: The simulated debtor's persona.
        policy: The creditor's stance policy.
        seed: The dialogue's seed.
        creditor_model: Which model wrote the creditor's replies (``offline`` for the offline responder).
        debtor: What played the debtor (``scripted`` or ``llm:<model>``).
        debtor_turns: Ground truth from a simulated debtor, one per client message in the thread, each with
            ``text``, ``offer_days``, ``act`` and ``intent`` (dicts or dataclasses such as ``DebtorTurn``). It
            replaces what the record would otherwise infer from the state (the parsed client offers). It may lack
            the thread's last client message when that one was never answered (a turn that failed part-way): that
            entry is then read from the state.
        elapsed_s: Wall time of the dialogue.
        error: Why the dialogue failed; the record's status is then ``error``.
        scenario: The scenario the dialogue was run with, used only when the state has none (a dialogue whose
            first turn was escalated or failed never fixes it in state).

    Returns:
        The record as JSON-native data.

    Raises:
        RecordError: If the state's lists disagree with its messages, ``debtor_turns`` has another length than the
            thread's client messages (or another text), or no scenario is known.
    """
    messages: list[BaseMessage] = list(state.get("messages") or [])
    exchanges = _exchanges(messages)
    truth = _debtor_truth(debtor_turns, exchanges)
    scenario_data = state.get("scenario") or (dict(scenario) if scenario is not None else None)
    if not scenario_data:
        raise RecordError(
            "the state has no scenario (its first turn never reached update_history); pass scenario=... to "
            "record_from_state"
        )
    turns = _turns(state, exchanges, truth, scenario_data)
    status, agreed_days = _outcome(state, error)
    record_id = dialogue_id if dialogue_id is not None else dialogue_id_for(scenario_id, persona, policy, seed)
    return {
        "id": record_id,
        "scenario_id": scenario_id,
        "persona": persona,
        "policy": policy,
        "seed": seed,
        "creditor_model": creditor_model,
        "debtor": debtor,
        "scenario": dict(scenario_data),
        "outcome": {
            "status": status,
            "agreed_days": agreed_days,
            "rounds": sum(1 for turn in turns if turn["creditor"]["text"] is not None),
            "error": error,
        },
        "turns": turns,
        "elapsed_s": elapsed_s,
    }


def _exchanges(messages: Sequence[BaseMessage]) -> list[tuple[str, str | None]]:
    """Each client message with the agent's reply to it (the last agent message before the next client message)."""
    exchanges: list[tuple[str, str | None]] = []
    for message in messages:
        if isinstance(message, HumanMessage):
            exchanges.append((message.text, None))
        elif isinstance(message, AIMessage):
            if not exchanges:
                raise RecordError("the thread starts with an agent message: there is no client message it answers")
            exchanges[-1] = (exchanges[-1][0], message.text)
    return exchanges


def _debtor_truth(
    debtor_turns: Sequence[Mapping[str, Any] | Any] | None, exchanges: list[tuple[str, str | None]]
) -> list[dict[str, Any]] | None:
    """The ground-truth debtor entries, checked against the thread's client messages."""
    if debtor_turns is None:
        return None
    # A turn that failed part-way leaves its client message unanswered in the thread; a caller that records the
    # debtor's move only once it was answered has one entry fewer.
    unanswered_last = bool(exchanges) and exchanges[-1][1] is None
    if len(debtor_turns) != len(exchanges) and not (unanswered_last and len(debtor_turns) == len(exchanges) - 1):
        raise RecordError(
            f"debtor_turns has {len(debtor_turns)} entries but the thread has {len(exchanges)} client messages; "
            "pass one ground-truth turn per message the debtor sent"
        )
    truth: list[dict[str, Any]] = []
    for number, (item, (text, _)) in enumerate(zip(debtor_turns, exchanges, strict=False), start=1):
        entry = dataclasses.asdict(item) if dataclasses.is_dataclass(item) and not isinstance(item, type) else item
        if not isinstance(entry, Mapping):
            raise RecordError(f"debtor turn {number} must be a mapping or a dataclass, got {type(item).__name__}")
        missing = [name for name in DEBTOR_FIELDS if name not in entry]
        if missing:
            raise RecordError(f"debtor turn {number} lacks {', '.join(missing)}")
        if str(entry["text"]).strip() != text.strip():
            raise RecordError(
                f"debtor turn {number} says {str(entry['text'])[:60]!r} but the thread's client message {number} is "
                f"{text[:60]!r}: the ground truth is not aligned with the thread"
            )
        truth.append({name: entry[name] for name in DEBTOR_FIELDS})
    return truth


def _by_key(entries: Sequence[Mapping[str, Any]], key: str, what: str) -> dict[int, Mapping[str, Any]]:
    """Entries indexed by their turn number, refusing duplicates."""
    indexed: dict[int, Mapping[str, Any]] = {}
    for entry in entries:
        number = entry.get(key)
        if not isinstance(number, int):
            raise RecordError(f"a {what} entry has no integer {key!r}: {dict(entry)}")
        if number in indexed:
            raise RecordError(f"two {what} entries for turn {number}")
        indexed[number] = entry
    return indexed


def _reading(reading: Mapping[str, Any]) -> dict[str, Any]:
    """A reading with its distribution as a list in ``LABELS`` order."""
    distribution = reading.get("distribution") or {}
    values = [float(distribution[label]) for label in LABELS] if isinstance(distribution, Mapping) else distribution
    return {"label": reading["label"], "confidence": float(reading["confidence"]), "distribution": list(values)}


def _turns(
    state: Mapping[str, Any],
    exchanges: list[tuple[str, str | None]],
    truth: list[dict[str, Any]] | None,
    scenario: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The per-turn entries of the record."""
    rights = state.get("rights_events") or []
    escalated = {int(event["turn"]) for event in rights if event.get("escalates")}
    unread = _by_key(state.get("unsupported_languages") or [], "turn", "unsupported_languages")
    negotiated = [number for number in range(1, len(exchanges) + 1) if number not in escalated and number not in unread]
    readings, decisions = list(state.get("readings") or []), list(state.get("decisions") or [])
    for name, entries in (("readings", readings), ("decisions", decisions)):
        if len(entries) > len(negotiated):
            raise RecordError(
                f"the state has {len(entries)} {name} but only {len(negotiated)} negotiated client messages"
            )
    reading_of = dict(zip(negotiated, readings, strict=False))
    decision_of = dict(zip(negotiated, decisions, strict=False))
    client_offer_of = _by_key(state.get("client_offers") or [], "round", "client_offers")
    offer_of = _by_key(state.get("offers") or [], "round", "offers")
    guard_of = _by_key(state.get("guard_events") or [], "turn", "guard_events")
    numbered = set(client_offer_of) | set(offer_of) | set(guard_of) | set(unread)
    stray = sorted(number for number in numbered if not 1 <= number <= len(exchanges))
    if stray:
        raise RecordError(f"the state has entries for turn {stray[0]} but only {len(exchanges)} client messages")
    agreement = state.get("agreement") or {}
    last = len(exchanges)
    final = thread_status(state)
    # The latest escalated turn's reading is still in state["reading"] when it is the thread's last turn.
    if last in escalated and state.get("reading") and last not in reading_of:
        reading_of[last] = state["reading"]

    turns: list[dict[str, Any]] = []
    standing: int | None = None
    for number, (text, reply) in enumerate(exchanges, start=1):
        client_offer = client_offer_of.get(number)
        if number in offer_of:
            standing = int(offer_of[number]["days"])
        if truth is not None and number <= len(truth):
            debtor_entry = dict(truth[number - 1])
        else:
            debtor_entry = {
                "text": text,
                "offer_days": client_offer.get("days") if client_offer else None,
                "act": client_offer.get("act") if client_offer else None,
                "intent": None,
            }
        decision = decision_of.get(number)
        reading = reading_of.get(number)
        is_escalated = number in escalated
        language = unread.get(number)
        turns.append(
            {
                "turn": number,
                "debtor": debtor_entry,
                "reading": _reading(reading) if reading else None,
                "stance": decision.get("stance") if decision else None,
                "decision": dict(decision) if decision else None,
                "creditor": {
                    "text": reply,
                    "offer_days": _stated_days(
                        number,
                        reply,
                        is_escalated or language is not None,
                        agreement,
                        standing,
                        int(scenario["creditor_target_days"]),
                    ),
                },
                "client_offer": {k: v for k, v in client_offer.items() if k != "round"} if client_offer else None,
                "guard": dict(guard_of[number]) if number in guard_of else None,
                "rights_events": [dict(event) for event in rights if event.get("turn") == number],
                "unsupported_language": {k: v for k, v in language.items() if k != "turn"} if language else None,
                "status": "escalated" if is_escalated else final if number == last else "ongoing",
            }
        )
    return turns


def _stated_days(
    number: int,
    reply: str | None,
    fixed_reply: bool,
    agreement: Mapping[str, Any],
    standing: int | None,
    target: int,
) -> int | None:
    """The timeline the creditor's reply stated: what the ``respond`` node was told to state on that turn.

    The agreed days on the turn that reached agreement, else the standing offer (made this turn or earlier), else
    the creditor's target. A fixed reply (to an escalated turn, or to a message the agent could not read) states no
    timeline.
    """
    if reply is None or fixed_reply:
        return None
    if agreement and agreement.get("round") == number:
        return int(agreement["days"])
    return standing if standing is not None else target


def _outcome(state: Mapping[str, Any], error: str | None) -> tuple[str, int | None]:
    """The record's status and agreed days (``None`` unless agreed)."""
    if error is not None:
        return "error", None
    status = thread_status(state)
    if status == "agreed":
        agreement = state.get("agreement") or {}
        if agreement.get("days") is None:
            raise RecordError("the state's status is 'agreed' but it holds no agreement")
        return status, int(agreement["days"])
    return status, None
