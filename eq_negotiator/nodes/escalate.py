"""Nodes ``handle_rights`` and ``escalate``: answer a rights event with care, then hand the thread to a person.

``handle_rights`` sends the fixed reply for the event at once (support resources for a crisis, confirmation of a
cease or work-contact request, a request for the attorney's details, the dispute procedure: never payment talk): a
client in crisis must not wait for a person to be free. ``escalate`` then pauses the thread with a LangGraph
``interrupt`` in the Agent Inbox format, which LangGraph Studio and Agent Inbox display and answer: the value is a
list with one :class:`HumanInterrupt` (the event, the client's words, the case and the reply already sent, in
``action_request.args`` and as Markdown in ``description``). The thread is resumed with
``Command(resume=[answer])``, one :class:`HumanResponse`:

* ``{"type": "accept", "args": ...}``: the reply sent stands; nothing more is sent, and the dialogue continues or
  closes as ``args["then"]`` says (``args`` may be ``None``, ``{"then": ...}`` or the interrupt's own
  ``action_request``, which is what Agent Inbox sends back; without ``then``, the event's suggestion applies).
* ``{"type": "response", "args": "<text>"}``: a person's own reply to the client. It passes the compliance guard
  first; a reply the guard refuses is not sent. The dialogue then continues (the agent answers the client's next
  message).
* ``{"type": "ignore", "args": None}``: close the dialogue; nothing more is sent.

``edit`` is not offered (``config.allow_edit`` is false): there is no drafted action to edit, only a reply already
sent. Two optional keys outside the standard, ``operator`` and ``note``, are kept in the thread's record (Agent Inbox
sends neither). Until the thread is answered nothing more is said on it.

A malformed answer, or a reply the guard refuses, is not an error to raise: LangGraph would keep it as this
interrupt's answer and the thread could never be resumed. The node asks again instead, with the reason in
``action_request.args["error"]`` and at the top of the description, and the thread keeps waiting.

They are two nodes because an interrupted node runs again from its start when resumed: the reply must already have
been sent and saved by then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from langchain_core.messages import AIMessage, HumanMessage
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from typing_extensions import TypedDict

from eq_negotiator.graph.context import Context
from eq_negotiator.graph.services import Services
from eq_negotiator.graph.state import NegotiationState
from eq_negotiator.negotiation.agreement import NegotiationStatus
from eq_negotiator.negotiation.guard import ComplianceGuard, ComplianceModel
from eq_negotiator.negotiation.rights import RightsEvent, appropriate_reply
from eq_negotiator.nodes.common import context_of, scenario_of
from eq_negotiator.scenario import Scenario

# ----------------------------------------------------------------------------------------------------------------
# The Agent Inbox schema. langgraph.prebuilt.interrupt has these types, but deprecated since LangGraph 1.0 in favour
# of langchain.agents.interrupt, which the langchain release this project pins does not ship; the schema is a wire
# format, so it is kept here (tests/unit/graph/test_inbox.py checks it against langgraph's copy while that exists).


class ActionRequest(TypedDict):
    """What the person is asked to act on: ``action`` is the header Agent Inbox shows, ``args`` its fields."""

    action: str
    args: dict[str, Any]


class HumanInterruptConfig(TypedDict):
    """Which answers the person may give."""

    allow_ignore: bool
    allow_respond: bool
    allow_edit: bool
    allow_accept: bool


class HumanInterrupt(TypedDict):
    """One request for a person, as Agent Inbox reads it (``description`` is Markdown)."""

    action_request: ActionRequest
    config: HumanInterruptConfig
    description: str | None


class HumanResponse(TypedDict):
    """A person's answer: ``type`` accept, ignore, response or edit; ``args`` ``None``, text or an action request."""

    type: Literal["accept", "ignore", "response", "edit"]
    args: str | ActionRequest | dict[str, Any] | None


RESUME_ACTIONS: Final[tuple[str, ...]] = ("continue", "close")
"""What happens to the dialogue after an answer: the agent continues the thread, or it is closed."""

ANSWER_TYPES: Final[tuple[str, ...]] = ("accept", "response", "ignore")
"""The :class:`HumanResponse` types an escalation takes (``edit`` is not offered)."""

INBOX_CONFIG: Final[HumanInterruptConfig] = {
    "allow_ignore": True,
    "allow_respond": True,
    "allow_edit": False,
    "allow_accept": True,
}

SUGGESTED_THEN: Final[dict[str, str]] = {
    "crisis": "close",
    "cease_contact": "close",
    "attorney": "close",
    "dispute": "close",
    "no_work_contact": "continue",
}
"""What accepting an event's fixed reply does by default: what that reply promised the client. The crisis reply
says the conversation stops, the cease reply that contact stops, the attorney reply that we talk to the attorney,
the dispute reply that collection pauses; only the work-contact reply leaves the negotiation open."""

HEADERS: Final[dict[str, str]] = {
    "crisis": "Client may be in crisis",
    "cease_contact": "Client asked us to stop contact",
    "attorney": "Client is represented by an attorney",
    "dispute": "Client disputes the debt",
    "no_work_contact": "Client asked not to be contacted at work",
}
"""The ``action`` of each event's request: the header a person sees first."""

ANSWER_KEYS: Final[frozenset[str]] = frozenset({"type", "args", "operator", "note"})


class OperatorAnswerError(ValueError):
    """An answer to an escalation that cannot be applied: malformed, empty, or a reply the guard refused."""


@dataclass(frozen=True)
class OperatorAnswer:
    """A person's answer to an escalation, read from a :class:`HumanResponse`.

    Attributes:
        type: ``accept``, ``response`` or ``ignore``.
        then: ``continue`` or ``close``: what happens to the dialogue.
        reply: The person's reply to the client (``response`` only).
        operator: Who answered, when the answer says.
        note: Why, for the record.
    """

    type: str
    then: str
    reply: str | None = None
    operator: str | None = None
    note: str = ""

    def decision(self) -> dict[str, Any]:
        """The record kept in ``state["escalation"]["decision"]``."""
        record: dict[str, Any] = {"action": self.then, "operator": self.operator, "note": self.note}
        if self.reply is not None:
            record["reply"] = self.reply
        return record


def human_response(
    *, action: str | None = None, reply: str | None = None, operator: str | None = None, note: str = ""
) -> list[dict[str, Any]]:
    """The resume value for an operator's decision: ``reply`` -> response, ``continue`` -> accept, ``close`` -> ignore.

    This is how :meth:`~eq_negotiator.graph.session.Negotiator.resume_escalation`, ``eqn operator resume`` and the
    console answer; a LangGraph SDK client or Agent Inbox sends the same list.

    Raises:
        OperatorAnswerError: If neither or an unknown action is given, or a reply with ``close``.
    """
    if action is not None and action not in RESUME_ACTIONS:
        raise OperatorAnswerError(f"action must be one of {', '.join(RESUME_ACTIONS)}, got {action!r}")
    if reply is not None:
        if action == "close":
            raise OperatorAnswerError(
                "a reply leaves the dialogue open for the client's answer: send it without 'close' (close the "
                "thread later if need be)"
            )
        answer: dict[str, Any] = {"type": "response", "args": reply}
    elif action == "continue":
        answer = {"type": "accept", "args": {"then": "continue"}}
    elif action == "close":
        answer = {"type": "ignore", "args": None}
    else:
        raise OperatorAnswerError("say what to do: an action (continue or close) or a reply to the client")
    if operator is not None:
        answer["operator"] = operator
    if note:
        answer["note"] = note
    return [answer]


def read_answer(value: Any, *, suggested_then: str = "continue", max_chars: int = 4000) -> OperatorAnswer:
    """Read a resume value: a list with one :class:`HumanResponse` (see the module docstring).

    Args:
        value: What ``Command(resume=...)`` carried.
        suggested_then: What an ``accept`` without ``then`` does (the event's :data:`SUGGESTED_THEN`).
        max_chars: The longest reply accepted (the context's ``max_message_chars``).

    Raises:
        OperatorAnswerError: Saying what is wrong with the value (the compliance guard is not applied here).
    """
    if isinstance(value, Mapping) and "action" in value and "type" not in value:
        raise OperatorAnswerError(
            "the {'action': ...} answer of earlier versions is no longer read: answer with a list holding one "
            "HumanResponse, e.g. [{'type': 'accept', 'args': {'then': 'continue'}}] or [{'type': 'ignore', "
            "'args': None}]"
        )
    if not isinstance(value, list | tuple) or len(value) != 1 or not isinstance(value[0], Mapping):
        raise OperatorAnswerError(
            f"the answer must be a list holding one HumanResponse ({{'type': ..., 'args': ...}}), not {value!r:.200}"
        )
    answer = value[0]
    unknown = sorted(str(key) for key in answer if key not in ANSWER_KEYS)
    if unknown:
        raise OperatorAnswerError(
            f"unknown key(s) {', '.join(map(repr, unknown))} in the answer; it takes type, args, and optionally "
            "operator and note"
        )
    kind, args = answer.get("type"), answer.get("args")
    if kind == "edit":
        raise OperatorAnswerError(
            "edit is not offered on an escalation (config.allow_edit is false): answer with your own reply "
            "(type 'response'), accept or ignore"
        )
    if kind not in ANSWER_TYPES:
        raise OperatorAnswerError(f"the answer's type must be one of {', '.join(ANSWER_TYPES)}, got {kind!r:.100}")
    operator, note = answer.get("operator"), answer.get("note", "")
    if operator is not None and (not isinstance(operator, str) or not operator.strip()):
        raise OperatorAnswerError("the answer's operator must name who answers (non-empty text)")
    if not isinstance(note, str):
        raise OperatorAnswerError(f"the answer's note must be text, not {type(note).__name__}")
    if kind == "response":
        return OperatorAnswer("response", "continue", _checked_reply(args, max_chars), operator, note)
    if kind == "ignore":
        return OperatorAnswer("ignore", "close", None, operator, note)
    return OperatorAnswer("accept", _then_of(args, suggested_then), None, operator, note)


def _checked_reply(args: Any, max_chars: int) -> str:
    if not isinstance(args, str):
        raise OperatorAnswerError(f"a response's args must be the reply's text, not {type(args).__name__}")
    if not args.strip():
        raise OperatorAnswerError("the reply is empty: write what the client should read")
    if "\x00" in args:
        raise OperatorAnswerError("the reply contains a NUL character")
    if len(args) > max_chars:
        raise OperatorAnswerError(f"the reply is {len(args):,} characters; the limit is {max_chars:,}")
    return args.strip()


def _then_of(args: Any, suggested: str) -> str:
    """``then`` of an accept: from ``{"then": ...}``, from an action request's args, else ``suggested``."""
    if args is None:
        return suggested
    if not isinstance(args, Mapping):
        raise OperatorAnswerError(f"an accept's args must be None or an object, not {type(args).__name__}")
    inner = args.get("args")
    then = args.get("then", inner.get("then") if isinstance(inner, Mapping) else None)
    if then is None:
        return suggested
    if then not in RESUME_ACTIONS:
        raise OperatorAnswerError(f"an accept's then must be one of {', '.join(RESUME_ACTIONS)}, got {then!r:.100}")
    return str(then)


def guard_operator_reply(reply: str, scenario: Scenario, model: ComplianceModel | None, client_text: str) -> None:
    """Check a person's reply with the compliance guard, as every agent reply is checked.

    Raises:
        OperatorAnswerError: Naming each violation found; such a reply is not sent.
    """
    result = ComplianceGuard(scenario, model).check(reply, client_message=client_text)
    if result.compliant:
        return
    found = "; ".join(f"{v.type.replace('_', ' ')} in '{v.span}' ({v.detail})" for v in result.violations)
    raise OperatorAnswerError(f"the compliance guard refused the reply, so it was not sent: {found}")


# ----------------------------------------------------------------------------------------------------------------
# The request


def escalation_request(state: NegotiationState, scenario: Scenario, *, error: str | None = None) -> HumanInterrupt:
    """The :class:`HumanInterrupt` for the thread's escalation; ``error`` says why the last answer was refused."""
    event = (state.get("escalation") or {}).get("event") or {}
    kind = str(event.get("kind", "client_rights"))
    messages = state.get("messages") or []
    client = next((m.text for m in reversed(messages) if isinstance(m, HumanMessage)), "")
    sent = messages[-1].text if messages and isinstance(messages[-1], AIMessage) else ""
    summary = scenario_summary(scenario, state.get("offer"))
    then = SUGGESTED_THEN.get(kind, "continue")
    args: dict[str, Any] = {
        "event": kind,
        "reason": str(event.get("reason", "")),
        "client_message": client,
        "reply_sent": sent,
        "scenario": summary,
        "then": then,
    }
    if error is not None:
        args["error"] = error
    lines = [f"**Your last answer was refused:** {_md(error)}", ""] if error is not None else []
    lines += [
        f"**Why this thread waits for you:** {_md(args['reason'])}",
        "",
        f"**The client wrote** (turn {state.get('turn', 0)}):",
        "",
        _quote(client),
        "",
        "**Already sent to the client** (the fixed reply for this event; it went out at once):",
        "",
        _quote(sent),
        "",
        f"**Case:** {_md(summary)}",
        "",
        "**Answer with one of:**",
        "",
        f"- **Accept**: the reply above stands, nothing more is sent, and the dialogue "
        f"{'closes' if then == 'close' else 'continues'} (`then`: `continue` or `close`).",
        "- **Respond**: your own reply to the client. It passes the compliance guard first (a refused reply is "
        "not sent and the thread keeps waiting); then the agent answers the client's next message.",
        "- **Ignore**: close the dialogue; nothing more is sent.",
    ]
    return {
        "action_request": {"action": HEADERS.get(kind, kind.replace("_", " ").capitalize()), "args": args},
        "config": INBOX_CONFIG.copy(),  # a copy: a caller that changes its request leaves the constant alone
        "description": "\n".join(lines),
    }


def scenario_summary(scenario: Scenario, offer: Mapping[str, Any] | None) -> str:
    """The case in a sentence or two, for the person who reviews the thread."""
    arrears = f" ({scenario.reason_for_arrears})" if scenario.reason_for_arrears else ""
    standing = f"{offer['days']} days (round {offer.get('round', '?')})" if offer else "none yet"
    return (
        f"{scenario.debtor} owes {scenario.creditor} {scenario.balance_text()}, {scenario.days_overdue} days "
        f"overdue{arrears}. The creditor asks for {scenario.creditor_target_days} days and may agree to up to "
        f"{scenario.authorised_limit_days}; standing offer: {standing}."
    )


_MARKDOWN = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<>#|~"})


def _md(text: str) -> str:
    """``text`` with Markdown's active characters escaped: a client's words are shown, never rendered."""
    return text.translate(_MARKDOWN)


def _quote(text: str) -> str:
    return "\n".join(f"> {_md(line)}" for line in (text or "(nothing)").splitlines() or [""])


# ----------------------------------------------------------------------------------------------------------------
# The nodes


def make_handle_rights(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def handle_rights(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Send the event's fixed reply and mark the thread escalated."""
        event = state["rights_event"] or {}
        rights_event = RightsEvent(kind=event["kind"], span=tuple(event["span"]), reason=event["reason"])
        reply = appropriate_reply(rights_event, scenario_of(state, context_of(runtime)))
        return {
            "messages": [AIMessage(content=reply, response_metadata={"rights_event": event.get("kind")})],
            "status": NegotiationStatus.ESCALATED.value,
            "turn": state.get("turn", 0) + 1,
            "escalation": {"event": event, "decision": None},
        }

    return handle_rights


def make_escalate(services: Services) -> Callable[..., dict[str, Any]]:
    """Build the node over ``services``."""

    def escalate(state: NegotiationState, runtime: Runtime[Context]) -> dict[str, Any]:
        """Pause for a person; apply their answer when they resume the thread."""
        context = context_of(runtime)
        scenario = scenario_of(state, context)
        escalation = state.get("escalation") or {}
        suggested = SUGGESTED_THEN.get(str((escalation.get("event") or {}).get("kind")), "continue")
        client = next((m.text for m in reversed(state["messages"]) if isinstance(m, HumanMessage)), "")
        value = interrupt([escalation_request(state, scenario)])
        while True:
            try:
                answer = read_answer(value, suggested_then=suggested, max_chars=context.max_message_chars)
                if answer.reply is not None:
                    guard_operator_reply(answer.reply, scenario, services.perception(context), client)
                break
            except OperatorAnswerError as error:  # ask again, saying what was wrong (see the module docstring)
                value = interrupt([escalation_request(state, scenario, error=str(error))])
        update: dict[str, Any] = {
            "escalation": {**escalation, "decision": answer.decision()},
            "rights_event": None,
            "status": "ongoing" if answer.then == "continue" else "closed",
        }
        if answer.reply is not None:
            metadata = {"operator": answer.operator, "escalation_reply": True}
            update["messages"] = [AIMessage(content=answer.reply, response_metadata=metadata)]
        if answer.then == "close":
            update["closed"] = True
        return update

    return escalate
