"""LangSmith-style evaluators over dialogue records, a node-path check, and optional LLM-as-judge evaluators.

Every evaluator is a plain function ``(run, example) -> {"key", "score", "comment"}``, the shape
``langsmith.evaluate`` accepts. ``run`` is a LangSmith ``Run`` (its ``outputs`` are read) or a dict with an
``"outputs"`` key (or the record itself); the outputs are the dialogue record (``records.record_from_state``) or
hold it under ``"record"``. The scores are the per-dialogue metrics of :mod:`eq_negotiator.evals.metrics`, so an
experiment in LangSmith and ``summary.json`` agree.

The LLM-as-judge evaluators (openevals ``create_llm_as_judge``) are built only from a judge model passed in
explicitly: nothing here calls a model unless asked to.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, Final, TypeVar

from eq_negotiator.evals.metrics import dialogue_metrics
from eq_negotiator.graph.builder import TURN_NODES
from eq_negotiator.negotiation.agreement import TERMINAL_STATUSES

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from eq_negotiator.graph.session import Negotiator

Evaluator = Callable[[Any, Any], dict[str, Any]]
"""``(run, example) -> {"key", "score", "comment"}``."""

T = TypeVar("T")

START: Final[str] = "__start__"
NEGOTIATED_TURN: Final[list[str]] = [START, *TURN_NODES]
"""The node path of one negotiated client turn."""

ESCALATED_TURN: Final[list[str]] = [
    START,
    "sense_emotion",
    "check_rights",
    "handle_rights",
    "escalate",
    "__interrupt__",
]
"""The node path of a turn handed to a person (paused at the ``escalate`` interrupt)."""

RESUMED: Final[list[str]] = []
"""What agentevals reports for an operator's resume of an escalated thread (the interrupted node's rerun is listed
with the turn it paused, not again)."""

CALLER_CLOSE: Final[list[str]] = [START, "close_dialogue"]
"""The node path of ``Negotiator.close`` on an ongoing dialogue."""


def record_of(run: Any) -> Mapping[str, Any]:
    """The dialogue record in a run's outputs.

    Args:
        run: A LangSmith ``Run``, a dict with ``"outputs"``, or the record itself.

    Raises:
        ValueError: If no record is found.
    """
    outputs = run.get("outputs", run) if isinstance(run, Mapping) else getattr(run, "outputs", None)
    if isinstance(outputs, Mapping) and "record" in outputs:
        outputs = outputs["record"]
    if not isinstance(outputs, Mapping) or "outcome" not in outputs or "turns" not in outputs:
        raise ValueError(
            "the run's outputs hold no dialogue record: return record_from_state(...) (or {'record': ...}) from "
            f"the target; got {type(outputs).__name__}"
        )
    return outputs


def _result(key: str, score: float | int | None, comment: str) -> dict[str, Any]:
    return {"key": key, "score": score, "comment": comment}


def success(run: Any, example: Any = None) -> dict[str, Any]:
    """1 if the dialogue reached agreement, else 0."""
    record = record_of(run)
    outcome = record["outcome"]
    agreed = outcome["status"] == "agreed"
    detail = f"agreed on {outcome['agreed_days']} days" if agreed else f"ended {outcome['status']}"
    return _result("success", int(agreed), detail)


def collection_rate(run: Any, example: Any = None) -> dict[str, Any]:
    """``min(1, creditor_target / agreed_days)`` when agreed, else 0."""
    m = dialogue_metrics(record_of(run))
    return _result("collection_rate", m["collection_rate"], f"agreed days: {m['agreed_days']}")


def savings_ratio(run: Any, example: Any = None) -> dict[str, Any]:
    """How far the agreement sits from the debtor's target toward the creditor's (``None`` unless agreed)."""
    m = dialogue_metrics(record_of(run))
    comment = "no agreement (or no gap between the targets)" if m["savings_ratio"] is None else "agreed dialogue"
    return _result("savings_ratio", m["savings_ratio"], comment)


def rounds(run: Any, example: Any = None) -> dict[str, Any]:
    """Debtor turns the creditor answered."""
    record = record_of(run)
    return _result("rounds", int(record["outcome"]["rounds"]), f"status {record['outcome']['status']}")


def debtor_movement(run: Any, example: Any = None) -> dict[str, Any]:
    """1 if the debtor named at least two distinct timelines, else 0."""
    record = record_of(run)
    offers = [t["debtor"]["offer_days"] for t in record["turns"] if t["debtor"].get("offer_days") is not None]
    moved = len(set(offers)) >= 2
    return _result("debtor_movement", int(moved), f"debtor offers: {offers}")


def violations(run: Any, example: Any = None) -> dict[str, Any]:
    """Sent creditor replies that fail an independent re-check by the compliance guard."""
    m = dialogue_metrics(record_of(run))
    return _result("violations", m["violations"], f"of {m['replies']} sent replies")


def de_escalation(run: Any, example: Any = None) -> dict[str, Any]:
    """+1 if the first reading was negative and the last is not, -1 for the reverse, 0 if unchanged.

    ``None`` when the dialogue has no readings.
    """
    m = dialogue_metrics(record_of(run))
    first, last = m["negative_first"], m["negative_last"]
    if first is None or last is None:
        return _result("de_escalation", None, "no emotion readings")
    words = {True: "negative", False: "not negative"}
    return _result("de_escalation", int(first) - int(last), f"first reading {words[first]}, last {words[last]}")


ALL_EVALUATORS: Final[list[Evaluator]] = [
    success,
    collection_rate,
    savings_ratio,
    rounds,
    debtor_movement,
    violations,
    de_escalation,
]
"""The record evaluators, one per metric, for ``langsmith.evaluate(..., evaluators=ALL_EVALUATORS)``."""


def untraced(target: Callable[[dict[str, Any]], T]) -> Callable[[dict[str, Any]], T]:
    """Wrap a ``langsmith.evaluate`` target so the LangChain/LangGraph runs inside it are not traced.

    With langsmith 0.15.1, ``evaluate(..., upload_results=False)`` traces in ``"local"`` mode, which LangChain's
    callback manager treats as enabled: every graph node run inside the target is still sent to the client's API
    (checked: a ``RunnableLambda`` inside the target reaches ``Client._multipart_ingest_ops``). Running the target
    under ``tracing_context(enabled=False)`` keeps them local; the evaluators still score the target's outputs.
    """
    import langsmith

    @wraps(target)
    def run(inputs: dict[str, Any]) -> T:
        with langsmith.tracing_context(enabled=False):
            return target(inputs)

    return run


# -- node path ---------------------------------------------------------------------------------------------------


def expected_node_path(record: Mapping[str, Any]) -> list[list[str]]:
    """The node path per graph run that the record's dialogue should have taken (agentevals' ``steps`` shape).

    A negotiated turn runs :data:`NEGOTIATED_TURN`, plus ``close_dialogue`` when it ended the negotiation; an
    escalated turn runs :data:`ESCALATED_TURN`, followed by :data:`RESUMED` when an operator resumed the thread (a
    later turn, or a thread the operator closed); a dialogue closed by the caller ends with :data:`CALLER_CLOSE`.
    """
    turns = record["turns"]
    status = record["outcome"]["status"]
    path: list[list[str]] = []
    for index, turn in enumerate(turns):
        last = index == len(turns) - 1
        if turn["status"] == "escalated":
            path.append(list(ESCALATED_TURN))
            if not last or status == "closed":
                path.append(list(RESUMED))
        elif last and turn["status"] in TERMINAL_STATUSES:
            path.append([*NEGOTIATED_TURN, "close_dialogue"])
        else:
            path.append(list(NEGOTIATED_TURN))
    if status == "closed" and turns and turns[-1]["status"] != "escalated":
        path.append(list(CALLER_CLOSE))
    return path


def check_node_path(negotiator: Negotiator, thread_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Whether the thread's checkpointed node path strictly matches :func:`expected_node_path` (agentevals).

    The path is read from the thread's per-node checkpoints, so the negotiator must write them
    (``durability="sync"``; the default ``"turn"`` saves only each turn's start and end).

    Returns:
        ``{"key": "node_path", "score": 1 | 0, "comment"}``.

    Raises:
        ValueError: If the negotiator's durability writes no per-node checkpoints.
    """
    # agentevals and openevals come with the ``evals`` extra: imported where used, so the record evaluators work
    # without them.
    from agentevals.graph_trajectory.strict import graph_trajectory_strict_match
    from agentevals.graph_trajectory.utils import extract_langgraph_trajectory_from_thread

    if negotiator.durability not in ("sync", "async"):
        # The path is read from the per-node checkpoints, which "turn" and "exit" durability do not write.
        raise ValueError(
            f"the node-path check reads every node's checkpoint: open the negotiator with durability='sync', not "
            f"{negotiator.durability!r}"
        )
    extracted = extract_langgraph_trajectory_from_thread(negotiator.graph, negotiator.config(thread_id))
    actual = extracted["outputs"]
    expected = expected_node_path(record)
    result = graph_trajectory_strict_match(
        outputs=actual, reference_outputs={"inputs": [], "results": [], "steps": expected}
    )
    matched = bool(result["score"])
    comment = f"{len(expected)} graph runs as expected" if matched else f"expected {expected}, got {actual['steps']}"
    return _result("node_path", int(matched), comment)


def make_trajectory_evaluator(negotiator: Negotiator) -> Evaluator:
    """An evaluator checking the node path of the run's thread; the outputs must hold ``thread_id``.

    Args:
        negotiator: The negotiator whose checkpointer holds the threads.
    """

    def node_path(run: Any, example: Any = None) -> dict[str, Any]:
        outputs = run.get("outputs", run) if isinstance(run, Mapping) else getattr(run, "outputs", None)
        thread_id = outputs.get("thread_id") if isinstance(outputs, Mapping) else None
        if not isinstance(thread_id, str):
            raise ValueError("the node-path evaluator needs the run's outputs to hold the dialogue's 'thread_id'")
        return check_node_path(negotiator, thread_id, record_of(run))

    return node_path


# -- LLM as judge --------------------------------------------------------------------------------------------------

TONE_PROMPT: Final[str] = """You are reviewing a debt-collection negotiation between a creditor's agent and a debtor.
Judge only the CREDITOR's messages. A good tone is respectful, calm and empathetic, stays truthful, never threatens,
shames or pressures unfairly, and acknowledges the debtor's situation while staying clear about the offer.
Score from 0 (hostile, threatening or demeaning) to 1 (consistently respectful and empathetic).

<transcript>
{outputs}
</transcript>"""
"""The tone judge's prompt (``{outputs}`` is the transcript)."""

SATISFACTION_PROMPT: Final[str] = """You are reviewing a debt-collection negotiation between a creditor's agent and
a debtor. Put yourself in the DEBTOR's place: how satisfied would they be with how they were treated and with the
outcome, given what they said they needed? Score from 0 (very dissatisfied) to 1 (very satisfied).

<transcript>
{outputs}
</transcript>"""
"""The debtor-satisfaction judge's prompt (``{outputs}`` is the transcript)."""


def transcript(record: Mapping[str, Any]) -> str:
    """The dialogue as ``Debtor:`` / ``Creditor:`` lines, plus how it ended."""
    lines: list[str] = []
    for turn in record["turns"]:
        lines.append(f"Debtor: {turn['debtor']['text']}")
        if turn["creditor"]["text"] is not None:
            lines.append(f"Creditor: {turn['creditor']['text']}")
    outcome = record["outcome"]
    ended = f"agreed on {outcome['agreed_days']} days" if outcome["status"] == "agreed" else outcome["status"]
    lines.append(f"(Outcome: {ended})")
    return "\n".join(lines)


def make_judge_evaluators(judge: BaseChatModel | None) -> list[Evaluator]:
    """LLM-as-judge evaluators: the creditor's tone and the debtor's likely satisfaction.

    Keys ``tone`` and ``satisfaction``, each scored 0-1 by ``judge`` over the transcript (:func:`transcript`).

    Args:
        judge: A chat model supporting structured output.

    Raises:
        ValueError: If no judge model is given (they are never built implicitly, so offline evaluations make no
            model calls).
    """
    if judge is None:
        raise ValueError(
            "LLM-as-judge evaluators need a judge chat model: pass one (e.g. "
            "eq_negotiator.responders.providers.resolve_chat_model(...)); the record evaluators in ALL_EVALUATORS "
            "need none"
        )
    from openevals.llm import create_llm_as_judge

    def wrap(key: str, prompt: str) -> Evaluator:
        scorer = create_llm_as_judge(prompt=prompt, feedback_key=key, judge=judge, continuous=True)

        def evaluate(run: Any, example: Any = None) -> dict[str, Any]:
            result = scorer(outputs=transcript(record_of(run)))
            if not isinstance(result, Mapping):
                raise TypeError(f"the {key} judge returned {type(result).__name__}, not an evaluation result")
            return _result(key, result.get("score"), str(result.get("comment") or ""))

        evaluate.__name__ = key
        return evaluate

    return [wrap("tone", TONE_PROMPT), wrap("satisfaction", SATISFACTION_PROMPT)]


def run_evaluators(
    record: Mapping[str, Any], evaluators: Sequence[Evaluator] = ALL_EVALUATORS
) -> dict[str, dict[str, Any]]:
    """Run evaluators on one record outside LangSmith.

    Returns:
        Each result keyed by its ``key``.
    """
    run = {"outputs": dict(record)}
    results = [evaluator(run, None) for evaluator in evaluators]
    return {result["key"]: result for result in results}
