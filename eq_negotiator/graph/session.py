"""A session API over the compiled graph: send a client message, get the agent's turn back.

This is what the CLI uses and what most embedders want: it checks inputs before anything is written, refuses to
start a new turn while an earlier one is unanswered, and turns model failures into one clear error that says the
client's message is saved and how to retry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any, Final, Literal, cast

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tracers.langchain import LangChainTracer
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.types import Command, Durability, StateSnapshot
from langsmith.utils import tracing_is_enabled

from eq_negotiator.dialogue import DialogueClosedError, check_client_message
from eq_negotiator.graph.builder import make_builder
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.history import (
    DEFAULT_HISTORY,
    HistoryMode,
    HistoryModeError,
    can_prune,
    check_history,
    prune_thread,
    split_history,
)
from eq_negotiator.graph.locking import DEFAULT_LOCK_TIMEOUT_S, ThreadLocks
from eq_negotiator.graph.persistence import CheckpointIntegrityError, open_checkpointer, open_store, prepare_persistence
from eq_negotiator.graph.services import ModelLayer, Services
from eq_negotiator.negotiation.agreement import NegotiationStatus
from eq_negotiator.nodes.escalate import HumanInterrupt, OperatorAnswerError, human_response, read_answer
from eq_negotiator.reasoning import STANCES
from eq_negotiator.redaction import check_trace_privacy, private_tracing_client
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing import EmotionSensor

TurnDurability = Literal["turn", "sync", "async", "exit"]
"""When a turn's checkpoints are written: ``"turn"`` (ours) or one of LangGraph's modes (see :class:`Negotiator`)."""

DURABILITY_MODES: Final[tuple[TurnDurability, ...]] = ("turn", "sync", "async", "exit")
"""The checkpoint durability modes a :class:`Negotiator` accepts."""

DEFAULT_DURABILITY: Final[TurnDurability] = "turn"
"""The client's message is saved before the turn runs, the turn's result when it ends (see :class:`Negotiator`)."""

FIRST_TURN_NODE: Final[str] = "sense_emotion"
"""Where a client turn starts: ``"turn"`` durability saves the message and stops before it."""

THREAD_ID_PATTERN: Final[re.Pattern[str]] = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


class ThreadIdError(ValueError):
    """A thread id that is empty, too long or has characters outside ``A-Z a-z 0-9 . _ : -``."""


class PendingTurnError(RuntimeError):
    """A new message sent while the thread still has an unanswered client message."""


class ReplyError(RuntimeError):
    """The chat model failed to reply (after retries); the client's message is saved and the turn can be resumed."""


class EscalatedError(PendingTurnError):
    """A message sent to a thread that was handed to a person and not yet resumed by an operator."""


class NotWaitingError(ValueError):
    """An operator's answer to a thread that is not waiting for one (never escalated, or already answered)."""


def check_thread_id(thread_id: str) -> str:
    """Return ``thread_id`` if valid.

    Raises:
        ThreadIdError: If it is not 1-128 characters of letters, digits, ``.``, ``_``, ``:`` or ``-`` (starting with
            a letter or digit).
    """
    if not isinstance(thread_id, str) or not THREAD_ID_PATTERN.match(thread_id):
        raise ThreadIdError(
            f"thread id {thread_id!r} must be 1-128 characters: letters, digits, '.', '_', ':' or '-', "
            "starting with a letter or digit"
        )
    return thread_id


@dataclass(frozen=True)
class TurnResult:
    """One answered client turn, in the shape ``eqn chat --json`` prints.

    Attributes:
        thread_id: The dialogue.
        turn: Turn number over the whole thread, from 1.
        client: The client's message.
        emotion: ``label`` and ``confidence`` of the reading.
        belief: Belief over the client's latent stances (empty if the policy keeps none).
        stance: The agent's stance (``None`` for no stance).
        reason: Why the policy chose it.
        reply: The agent's message.
        offline: Whether the offline responder wrote the reply.
        model: Which model wrote it.
        offer: The creditor's standing offer (``days``, ``round``, ``reason``), ``None`` before the first.
        client_offer: What the client's message proposed (``days``, ``act``, ``amount``).
        agreement: ``None`` until agreed, then the agreed terms (``days``, ``round``, ``closed_by``, ``summary``).
        guard: The compliance check of this reply (``violations`` found in the draft, ``action`` taken).
        status: ``ongoing``, ``agreed``, ``breakdown``, ``max_rounds``, ``escalated`` or ``closed``.
        escalation: When the thread was handed to a person: the event and, once resumed, the operator's decision.
        language: The language of the client's message (``code``, ``confidence``, ``supported``); when
            ``supported`` is false the message was not read: the reply is a fixed one asking for English and
            offering a person, and no stance, client offer or agreement came from it. ``None`` for a turn saved
            before languages were read.
    """

    thread_id: str
    turn: int
    client: str
    emotion: dict[str, Any]
    belief: dict[str, float]
    stance: str | None
    reason: str
    reply: str
    offline: bool
    model: str = ""
    offer: dict[str, Any] | None = None
    client_offer: dict[str, Any] | None = None
    agreement: dict[str, Any] | None = None
    guard: dict[str, Any] | None = None
    status: str = "ongoing"
    escalation: dict[str, Any] | None = None
    language: dict[str, Any] | None = None
    decision: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_state(cls, thread_id: str, state: dict[str, Any]) -> TurnResult:
        """Read the latest turn from graph state."""
        messages = state["messages"]
        reading, reply = state["reading"], state.get("reply", {})
        client = next(m.text for m in reversed(messages) if isinstance(m, HumanMessage))
        escalated = state.get("status") == NegotiationStatus.ESCALATED.value
        language: dict[str, Any] | None = state.get("language")
        unread = not escalated and not (language or {}).get("supported", True)
        event = (state.get("escalation") or {}).get("event") or {}
        # A turn handed to a person, or in a language the agent does not read, was answered with a fixed reply, not
        # by the policy: the state's decision, stance and client offer are an earlier turn's.
        fixed = escalated or unread
        decision = {} if fixed else (state.get("decision") or {})
        if escalated:
            reason = str(event.get("reason", ""))
        elif unread:
            code = (language or {}).get("code")
            reason = f"a message in a language the agent does not read ({code}): asked for English, offered a person"
        else:
            reason = str(decision.get("reason", ""))
        belief = state.get("belief") or []
        return cls(
            thread_id=thread_id,
            turn=int(state["turn"]),
            client=client,
            emotion={"label": reading["label"], "confidence": reading["confidence"]},
            belief=dict(zip(STANCES, belief, strict=True)) if belief else {},
            stance=None if fixed else state.get("stance"),
            reason=reason,
            reply=messages[-1].text,
            offline=False if fixed else bool(reply.get("offline")),
            model="" if fixed else str(reply.get("model", "")),
            offer=state.get("offer"),
            client_offer=None if fixed else state.get("client_offer"),
            agreement=state.get("agreement"),
            guard=None if escalated else state.get("guard"),
            status=thread_status(state),
            escalation=state.get("escalation") if escalated else None,
            language=language,
            decision=decision,
        )

    def to_json(self) -> dict[str, Any]:
        """The ``eqn chat --json`` object for this turn."""
        data = asdict(self)
        data.pop("decision")
        return data


def thread_status(state: Mapping[str, Any]) -> str:
    """The thread's status; ``closed`` for a dialogue the caller or an operator closed while it was ongoing."""
    status = str(state.get("status") or "ongoing")
    return "closed" if state.get("closed") and status in ("ongoing", "escalated") else status


class Negotiator:
    """Turn-by-turn access to persisted dialogues.

    Durability: by default (``"turn"``) each client turn is two runs. The first saves the client's message and
    stops before the turn's first node; the second runs the whole turn and saves its result when it ends, whether
    it finished, failed or was handed to a person. A process killed part-way therefore leaves the message saved and
    the turn pending, and :meth:`resume` runs the turn again from the message: nothing is lost and nothing is said
    twice, since no reply is saved until the turn ends. That is two checkpoint writes per turn where ``"sync"``
    (a write after every node, resuming from the last finished node) makes about nine; on PostgreSQL a turn takes
    about 40 % less time (see ``benchmarks/load.py``). The price: a turn resumed after a crash redoes its steps,
    and a retried reply calls the model again.

    Args:
        graph: A compiled graph with a checkpointer (see :func:`open_negotiator` to build one from specs).
        context: Run settings for every turn.
        durability: When checkpoints are written: ``"turn"`` (the message before the turn, the result after it),
            ``"sync"`` (after every step), ``"async"`` (in the background while the next step runs) or ``"exit"``
            (only when the run ends, so a crash mid-turn loses the client's message too).
        lock_timeout: Seconds a run waits while another worker advances the same thread before raising
            :class:`~eq_negotiator.graph.locking.ThreadBusyError` (0: fail at once). Every run that writes holds
            the thread's lock (:mod:`eq_negotiator.graph.locking`), so one dialogue has one writer at a time.
        locks: The per-thread locks; by default those of the graph's checkpointer (PostgreSQL advisory locks,
            SQLite lock files, or in-process locks for memory).
        history: ``"full"`` keeps every checkpoint (time travel; a thread's bytes grow with the square of its
            turns); ``"latest"`` deletes a thread's older checkpoints after each finished run, so it grows linearly
            and keeps only what resuming needs (see :mod:`eq_negotiator.graph.history`).

    Raises:
        ValueError: If the graph has no checkpointer, the context's scenario is invalid, ``durability`` is not
            one of :data:`DURABILITY_MODES`, or ``history`` is unknown or ``"latest"`` with a checkpointer that
            cannot prune.
    """

    def __init__(
        self,
        graph: CompiledStateGraph[Any, Any, Any, Any],
        context: Context | None = None,
        *,
        durability: TurnDurability = DEFAULT_DURABILITY,
        lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
        locks: ThreadLocks | None = None,
        history: HistoryMode = DEFAULT_HISTORY,
    ) -> None:
        if graph.checkpointer is None:
            raise ValueError("a Negotiator needs a graph compiled with a checkpointer (e.g. build_graph('memory'))")
        if durability not in DURABILITY_MODES:
            raise ValueError(f"durability must be one of {', '.join(DURABILITY_MODES)}, not {durability!r}")
        self.graph = graph
        self.context = context or Context()
        self.durability: TurnDurability = durability
        if not lock_timeout >= 0:
            raise ValueError(f"lock_timeout must be a non-negative number of seconds, not {lock_timeout!r}")
        self.lock_timeout = lock_timeout
        self.locks = locks or ThreadLocks.for_checkpointer(graph.checkpointer)
        self.history: HistoryMode = check_history(history)
        if history == "latest" and not can_prune(graph.checkpointer):
            raise HistoryModeError(
                f"history='latest' needs a memory, SQLite or PostgreSQL checkpointer, not "
                f"{type(graph.checkpointer).__name__}"
            )
        scenario = Scenario(**self.context.scenario)  # a bad scenario is refused before any dialogue starts
        self._traced_names = (scenario.debtor, scenario.creditor)
        self._trace_client: Any = None  # the private LangSmith client, built on the first traced run

    def _run_config(self, thread_id: str) -> RunnableConfig:
        """The thread's config for a run, with a masking LangSmith tracer when tracing is on and the context asks.

        An explicit ``LangChainTracer`` in the callbacks replaces the one LangChain would build from the environment,
        so runs are traced once, through the private client (:func:`~eq_negotiator.redaction.private_tracing_client`).
        """
        config = self.config(thread_id)
        mode = self.context.trace_privacy
        if mode == "full" or not tracing_is_enabled():
            return config
        if self._trace_client is None:
            self._trace_client = private_tracing_client(check_trace_privacy(mode), self._traced_names)
        config["callbacks"] = [LangChainTracer(client=self._trace_client)]
        return config

    @staticmethod
    def config(thread_id: str) -> RunnableConfig:
        """The run config of a thread."""
        return {"configurable": {"thread_id": check_thread_id(thread_id)}}

    def snapshot(self, thread_id: str) -> StateSnapshot:
        """The thread's saved state: its values, what runs next, the pending interrupts, when it was written.

        Raises:
            CheckpointIntegrityError: If its checkpoint cannot be loaded safely (naming the thread).
        """
        try:
            return self.graph.get_state(self.config(thread_id))
        except CheckpointIntegrityError as error:
            raise error.for_thread(thread_id) from error.__cause__

    def _writer(self, thread_id: str) -> AbstractContextManager[None]:
        """Hold the thread's writer lock: the checks that a run may start, and the run, go inside it.

        Raises:
            ThreadIdError: If the thread id is malformed.
            ThreadBusyError: If another worker holds the lock past :attr:`lock_timeout`.
        """
        return self.locks.hold(check_thread_id(thread_id), self.lock_timeout)

    def state(self, thread_id: str) -> dict[str, Any]:
        """The thread's current state values (empty for a new thread).

        Raises:
            CheckpointIntegrityError: If its checkpoint is corrupt, names a foreign type or does not decrypt.
        """
        return dict(self.snapshot(thread_id).values)

    def pending(self, thread_id: str) -> bool:
        """Whether the thread has a client message whose turn did not finish.

        A thread waiting for an operator is not pending: see :meth:`escalated`. Read without the thread's lock, so
        ``True`` may be another worker's turn in flight: to act on it, call :meth:`finish_pending`, which decides
        under the lock.
        """
        waiting = self.snapshot(thread_id).next
        return bool(waiting) and "escalate" not in waiting

    def _check_open(self, thread_id: str) -> None:
        """Refuse a new run on a thread with an unfinished turn or one that has ended (nothing is written)."""
        snapshot = self.snapshot(thread_id)
        if "escalate" in snapshot.next:
            event = (snapshot.values.get("escalation") or {}).get("event") or {}
            raise EscalatedError(
                f"thread {thread_id!r} was handed to a person ({event.get('kind', 'client rights')}); nothing more is "
                "said on it until an operator answers it (eqn console, eqn operator resume or "
                "Negotiator.resume_escalation)"
            )
        if snapshot.next:
            raise PendingTurnError(
                f"thread {thread_id!r} has an unanswered client message; resume it before sending another"
            )
        if snapshot.values.get("closed"):
            outcome = (snapshot.values.get("outcome") or {}).get("sentence")
            ended = f" ({outcome})" if outcome else ""
            raise DialogueClosedError(f"thread {thread_id!r} has ended{ended}; start a new thread")

    def _check_can_send(self, thread_id: str, text: str) -> dict[str, Any]:
        # The message itself was checked by send() or stream() before they took the lock (and sense_emotion checks
        # it again for embedders that run the bare graph); only the thread can have changed since.
        self._check_open(thread_id)
        return {"messages": [HumanMessage(text)]}

    def _save_message(self, thread_id: str, payload: dict[str, Any] | None) -> tuple[dict[str, Any] | None, Durability]:
        """For ``"turn"`` durability, save a client message on its own; return what the turn's run then takes.

        Returns:
            The run's input (``None`` once the message is saved: the run continues the thread) and its durability.
        """
        if self.durability != "turn":
            return payload, self.durability
        if payload is not None and "messages" in payload:
            self.graph.invoke(
                payload,
                self._run_config(thread_id),
                context=self.context,
                durability="sync",
                interrupt_before=[FIRST_TURN_NODE],
            )
            payload = None
        return payload, "exit"

    def _invoke(self, thread_id: str, payload: dict[str, Any] | None) -> dict[str, Any]:
        try:
            payload, durability = self._save_message(thread_id, payload)
            values: dict[str, Any] = self.graph.invoke(
                payload, self._run_config(thread_id), context=self.context, durability=durability
            )
        except CheckpointIntegrityError as error:
            raise error.for_thread(thread_id) from error.__cause__
        self._prune(thread_id)
        return values

    def _prune(self, thread_id: str) -> None:
        """After a run that finished, and under the thread's writer lock: drop older checkpoints if so set."""
        if self.history == "latest":
            prune_thread(self.graph.checkpointer, thread_id)

    def _run(self, thread_id: str, payload: dict[str, Any] | None) -> TurnResult:
        try:
            values = self._invoke(thread_id, payload)
        except Exception as error:
            raise self._reply_error(thread_id, error) from error
        return TurnResult.from_state(thread_id, values)

    def _reply_error(self, thread_id: str, error: Exception) -> Exception:
        """A failure of the reply step as :class:`ReplyError`; any other failure unchanged."""
        if isinstance(error, CheckpointIntegrityError):  # the checkpoint cannot be read back, so no state to ask
            return error.for_thread(thread_id)
        waiting = set(self.snapshot(thread_id).next)
        if isinstance(error, ReplyError) or not waiting & {"respond", "check_compliance"}:
            return error
        return ReplyError(
            f"the reply failed ({type(error).__name__}: {error}); the client's message is saved, and resuming "
            f"thread {thread_id!r} retries the reply"
        )

    def send(self, thread_id: str, text: str) -> TurnResult:
        """Answer one client message on ``thread_id``.

        Raises:
            ClientMessageError: If the message is empty or too long (nothing is written).
            PendingTurnError: If an earlier turn of this thread is unanswered.
            DialogueClosedError: If the thread has ended.
            ReplyError: If the model failed after retries (the message is saved; call :meth:`resume`).
            ThreadBusyError: If another worker is advancing the thread (nothing is written).
        """
        check_client_message(text, self.context.max_message_chars)  # a bad message is refused without waiting
        with self._writer(thread_id):
            return self._run(thread_id, self._check_can_send(thread_id, text))

    def resume(self, thread_id: str) -> TurnResult:
        """Finish a turn that stopped part-way (a failed reply, a crash).

        Raises:
            ValueError: If nothing is pending on the thread.
            ThreadBusyError: If another worker is advancing the thread.
            ReplyError: If the model failed again (the message stays saved).
        """
        result = self.finish_pending(thread_id)
        if result is None:
            raise ValueError(f"thread {thread_id!r} has no unfinished turn to resume")
        return result

    def finish_pending(self, thread_id: str) -> TurnResult | None:
        """Finish the thread's unfinished turn if it has one; ``None`` if it has none.

        The question is asked under the thread's lock, where the answer is final: a turn another worker is running
        holds the lock, so this waits for it to end and then finds nothing to finish, while a turn still unfinished
        under the lock was left by a worker that crashed or whose reply failed. Call this, not :meth:`pending`
        followed by :meth:`resume`, where other workers may write the thread: that pair can mistake another
        worker's turn in flight for an unfinished one.

        Raises:
            ThreadBusyError: If another worker holds the thread past :attr:`lock_timeout`.
            ReplyError: If the model failed again (the message stays saved).
        """
        with self._writer(thread_id):
            if not self.pending(thread_id):
                return None
            return self._run(thread_id, None)

    def stream(self, thread_id: str, text: str) -> Iterator[str]:
        """Answer one client message, yielding the reply once it has passed the compliance guard.

        The message and thread are checked when this is called, not when iteration starts, so a refused input
        raises here and nothing runs. The thread is checked under its lock, so a turn another worker is running is
        waited for (up to :attr:`lock_timeout`), not taken for an unanswered message. The finished turn is then
        available from :meth:`last_turn`.

        Raises:
            ClientMessageError: If the message is empty or too long (nothing is written).
            ThreadIdError: If the thread id is malformed.
            PendingTurnError: If an earlier turn of this thread is unanswered.
            DialogueClosedError: If the thread has ended.
            ThreadBusyError: If another worker holds the thread past :attr:`lock_timeout` (nothing is written).

        The iterator raises :class:`ReplyError` if the model fails after retries, and
        :class:`~eq_negotiator.graph.locking.ThreadBusyError` if another worker is advancing the thread: it takes
        the thread's lock again when iteration starts (checking the thread again under it) and holds it until the
        turn ends or the iterator is closed.
        """
        check_client_message(text, self.context.max_message_chars)  # a bad message is refused without waiting
        with self._writer(thread_id):
            payload = self._check_can_send(thread_id, text)
        return self._stream(thread_id, payload)

    def _stream(self, thread_id: str, payload: dict[str, Any]) -> Iterator[str]:
        """The generator behind :meth:`stream`, for input that was already checked."""
        config = self._run_config(thread_id)
        with self._writer(thread_id):
            self._check_open(thread_id)  # another worker may have advanced the thread since stream() checked it
            try:
                run_input, durability = self._save_message(thread_id, payload)
                yield from stream_reply(self.graph, run_input, config, self.context, durability=durability)
            except Exception as error:
                raise self._reply_error(thread_id, error) from error
            self._prune(thread_id)

    def last_turn(self, thread_id: str) -> TurnResult:
        """The thread's most recent answered turn."""
        return TurnResult.from_state(thread_id, self.state(thread_id))

    def escalated(self, thread_id: str) -> bool:
        """Whether the thread is waiting for an operator."""
        return "escalate" in self.snapshot(thread_id).next

    def escalation_request(self, thread_id: str) -> HumanInterrupt | None:
        """The Agent Inbox request the thread waits on (see :mod:`eq_negotiator.nodes.escalate`); ``None`` if none.

        Its ``action_request.args["error"]`` says why the last answer was refused, when one was.
        """
        snapshot = self.snapshot(thread_id)
        for task in snapshot.tasks:
            if task.name == "escalate" and task.interrupts:
                value = task.interrupts[-1].value
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    return cast(HumanInterrupt, value[0])
        return None

    def resume_escalation(
        self,
        thread_id: str,
        *,
        action: str | None = None,
        operator: str,
        note: str = "",
        reply: str | None = None,
    ) -> dict[str, Any]:
        """An operator's answer to a thread that was handed to a person.

        It is sent as the Agent Inbox answer a LangGraph client would send (:func:`human_response`): ``reply`` is
        a ``response``, ``continue`` an ``accept`` and ``close`` an ``ignore``.

        Args:
            thread_id: The escalated thread.
            action: ``continue`` lets the agent answer the client's next messages; ``close`` ends the dialogue.
            operator: Who decided (kept in the thread's record).
            note: Why, for the record.
            reply: The operator's own reply to the client instead of an action: it passes the compliance guard,
                is sent, and the dialogue continues.

        Returns:
            The thread's state after the answer.

        Raises:
            NotWaitingError: A :class:`ValueError`, if the thread is not waiting for an operator (another operator
                may have answered it: answers are taken one at a time, under the thread's lock).
            ValueError: If the action is unknown, neither an action nor a reply is given, or the operator is empty.
            OperatorAnswerError: A :class:`ValueError` for a reply that is empty or too long (nothing is written),
                or that the compliance guard refused (it is not sent; the thread keeps waiting).
            ThreadBusyError: If another worker holds the thread past :attr:`lock_timeout`.
        """
        if not operator.strip():
            raise ValueError("name the operator who resumes the thread")
        answer = human_response(action=action, reply=reply, operator=operator, note=note)
        read_answer(answer, max_chars=self.context.max_message_chars)  # refused before anything is written
        with self._writer(thread_id):
            if not self.escalated(thread_id):
                raise NotWaitingError(self._not_waiting(thread_id))
            values: dict[str, Any] = self.graph.invoke(
                Command(resume=answer),
                self._run_config(thread_id),
                context=self.context,
                durability="exit" if self.durability == "turn" else self.durability,
            )
            self._prune(thread_id)
            request = self.escalation_request(thread_id)
        if request is not None:  # the graph asked again: the answer was refused, and the thread keeps waiting
            raise OperatorAnswerError(str(request["action_request"]["args"].get("error", "the answer was refused")))
        return values

    def _not_waiting(self, thread_id: str) -> str:
        """Why a thread cannot take an operator's answer, saying who answered it when one did."""
        message = f"thread {thread_id!r} is not waiting for an operator"
        decision = (self.state(thread_id).get("escalation") or {}).get("decision")
        if decision:
            who = decision.get("operator") or "another operator"
            message += f": {who} already answered it ({decision.get('action')})"
        return message

    def close(self, thread_id: str, *, succeeded: bool | None = None) -> None:
        """End the dialogue and let the policy learn from it (kept in the graph's store).

        Raises:
            ThreadIdError: If the thread id is malformed.
            DialogueClosedError: If the thread has already ended (nothing is written).
            PendingTurnError: If a turn of this thread is unfinished: resume it first (nothing is written).
        """
        # Checked here rather than left to the close node: a refused run would still save its input and leave the
        # thread pending on that node, so every later send would be refused as pending.
        with self._writer(thread_id):
            self._check_open(thread_id)
            self._invoke(thread_id, {"close_request": {"succeeded": succeeded}})


REPLY_NODES: Final[frozenset[str]] = frozenset({"check_compliance", "handle_rights"})
"""The nodes whose message is the reply the client actually receives."""


def stream_reply(
    graph: CompiledStateGraph[Any, Any, Any, Any],
    payload: dict[str, Any] | None,
    config: RunnableConfig,
    context: Context,
    *,
    durability: Durability = "sync",
) -> Iterator[str]:
    """Run one turn and yield the reply the client receives, once it has passed the compliance guard.

    The guard judges whole replies, so the model's draft tokens are never passed on: text that a later check could
    still replace must not reach a client. The checked reply is yielded in one piece (``stream_mode="messages"``,
    from ``check_compliance``, or from ``handle_rights`` when the turn was handed to a person).

    Args:
        graph: The compiled turn graph.
        payload: The run's input (``None`` resumes a pending turn).
        config: The thread's run config.
        context: Run settings.
        durability: When each step's checkpoint is written (see :class:`Negotiator`).
    """
    stream = graph.stream(payload, config, context=context, stream_mode="messages", durability=durability)
    for message, metadata in stream:
        node = metadata.get("langgraph_node") if isinstance(metadata, dict) else None
        if node not in REPLY_NODES or not isinstance(message, AIMessage) or isinstance(message, AIMessageChunk):
            continue
        if message.text:
            yield message.text


def open_negotiator(
    db: str | BaseCheckpointSaver[Any] = "memory",
    *,
    context: Context | None = None,
    store: str | BaseStore | None = None,
    model: BaseChatModel | None = None,
    sensor: EmotionSensor | None = None,
    perception: ModelLayer | None = None,
    durability: TurnDurability = DEFAULT_DURABILITY,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    history: HistoryMode | None = None,
    encryption_key: str | bytes | None = None,
    encrypt: bool | None = None,
) -> Negotiator:
    """Build a graph over ``db`` and wrap it in a :class:`Negotiator`, checking the context first.

    This is the start-up path: the settings are checked, then the database is opened and made ready
    (:func:`~eq_negotiator.graph.persistence.prepare_persistence`), so a bad setting or an unreachable database
    fails here rather than on the first client message.

    Args:
        db: Checkpointer spec or instance; also the store for policy learning when ``store`` is omitted and ``db``
            is a spec.
        context: Run settings.
        store: Store spec or instance for policy learning.
        model: Chat model instance (overrides ``context.model``).
        sensor: Emotion sensor instance (overrides ``context.sensor``).
        perception: Model layer for the rights and compliance checks (default: the embedded perception
            model; ``Context.model_checks=False`` turns it off).
        durability: When checkpoints are written (see :class:`Negotiator`).
        lock_timeout: Seconds a run waits for another worker's run on the same thread (see :class:`Negotiator`).
        history: ``"full"`` or ``"latest"`` checkpoints kept per thread (see :class:`Negotiator`); when omitted, the
            spec's ``?history=`` query parameter, else ``"full"``.
        encryption_key: Key (raw bytes, or hex/base64 text of 16, 24 or 32 bytes) to encrypt checkpoints with; when
            omitted, the ``EQN_CHECKPOINT_KEY`` environment variable (see
            :func:`~eq_negotiator.graph.persistence.strict_serializer`).
        encrypt: ``True`` requires a key; ``False`` stores plaintext whatever the environment says.

    Raises:
        ValueError: For a bad spec, policy, sensor, model, prompt directory or history mode (before anything is
            written).
        PersistenceError: If the database cannot be opened or reached.
    """
    context = context or Context()
    services = Services(model=model, sensor=sensor, perception=perception)
    services.check(context)
    if isinstance(db, str):
        db, spec_history = split_history(db)
        history = history or spec_history
    if isinstance(store, str):
        store = split_history(store)[0]  # history is a checkpointer setting; the store keeps no checkpoints
    if store is None and isinstance(db, str):
        store = db
    checkpointer = open_checkpointer(db, encryption_key=encryption_key, encrypt=encrypt)
    # One PostgreSQL pool for both when they name the same database.
    opened_store = open_store(store, share_with=checkpointer) if store is not None else None
    prepare_persistence(checkpointer, opened_store)
    graph = make_builder(services).compile(checkpointer=checkpointer, store=opened_store, name="eq-negotiator")
    return Negotiator(
        graph, context, durability=durability, lock_timeout=lock_timeout, history=history or DEFAULT_HISTORY
    )
