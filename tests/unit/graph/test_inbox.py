"""Escalations in the Agent Inbox format: the interrupt a person sees, and the answers the graph takes.

The raw graph is driven the way LangGraph Studio or Agent Inbox drive it (``Command(resume=[HumanResponse])``); the
Negotiator and two operators racing on one SQLite thread check that the session API maps onto the same answers.
"""

from __future__ import annotations

import re
import threading
import time
import typing
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from eq_negotiator.graph import Context, build_graph, open_negotiator
from eq_negotiator.graph.session import Negotiator
from eq_negotiator.nodes import escalate
from eq_negotiator.nodes.escalate import OperatorAnswerError, read_answer
from tests.unit.graph.fakes import close_connections, keyword_sensor, say

CRISIS = "Honestly I just want to end it all."
WORK = "Don't call me at work, my boss is listening."
CLEAN_REPLY = "This is Dana from the support team. Please take care of yourself; we will not contact you for now."
THREAT_REPLY = "Pay today or we will have you arrested."


@pytest.fixture(scope="module")
def graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    return build_graph("memory", "memory", sensor=keyword_sensor())


def escalated(graph: CompiledStateGraph[Any, Any, Any, Any], thread_id: str, text: str = CRISIS) -> RunnableConfig:
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    graph.invoke(say(text), config, context=Context())
    assert graph.get_state(config).next == ("escalate",)
    return config


def request_of(graph: CompiledStateGraph[Any, Any, Any, Any], config: RunnableConfig) -> dict[str, Any]:
    (task,) = graph.get_state(config).tasks
    (pending,) = task.interrupts
    assert isinstance(pending.value, list) and len(pending.value) == 1
    request: dict[str, Any] = pending.value[0]
    return request


def answer(graph: CompiledStateGraph[Any, Any, Any, Any], config: RunnableConfig, *value: Any) -> dict[str, Any]:
    result: dict[str, Any] = graph.invoke(Command(resume=list(value)), config, context=Context())
    return result


def test_the_interrupt_is_one_human_interrupt_with_the_case_in_args_and_description(graph: Any) -> None:
    config = escalated(graph, "shape", "Stop calling me. *Really* [now] <b>")
    request = request_of(graph, config)
    assert set(request) == {"action_request", "config", "description"}
    assert request["config"] == {"allow_ignore": True, "allow_respond": True, "allow_edit": False, "allow_accept": True}
    action = request["action_request"]
    assert action["action"] == "Client asked us to stop contact"
    args = action["args"]
    sent = graph.get_state(config).values["messages"][-1].text
    assert args["event"] == "cease_contact" and args["reason"]
    assert args["client_message"] == "Stop calling me. *Really* [now] <b>"
    assert args["reply_sent"] == sent and "stop contacting you" in sent
    assert "Alex Morgan owes Northwind Lending USD 4,850.00" in args["scenario"]
    assert args["then"] == "close" and "error" not in args
    assert all(isinstance(value, str) for value in args.values())  # Agent Inbox sends them back as strings
    description = request["description"]
    assert r"> Stop calling me. \*Really\* \[now\] \<b\>" in description  # the client's words shown, not rendered
    assert f"> {sent[:40]}" in description and args["scenario"][:40] in description


def test_the_schema_matches_langgraphs_agent_inbox_types() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated there since LangGraph 1.0 (see eq_negotiator.nodes.escalate)
        prebuilt = pytest.importorskip("langgraph.prebuilt.interrupt")
    for name in ("ActionRequest", "HumanInterruptConfig", "HumanInterrupt", "HumanResponse"):
        ours, theirs = getattr(escalate, name), getattr(prebuilt, name)
        assert set(typing.get_type_hints(ours)) == set(typing.get_type_hints(theirs)), name


def test_accept_without_then_does_what_the_events_reply_promised(graph: Any) -> None:
    crisis = escalated(graph, "accept-crisis")
    values = answer(graph, crisis, {"type": "accept", "args": None})
    assert values["closed"] is True and values["status"] == "closed"
    work = escalated(graph, "accept-work", WORK)
    values = answer(graph, work, {"type": "accept", "args": None})
    assert values["status"] == "ongoing" and not values.get("closed")
    assert values["escalation"]["decision"] == {"action": "continue", "operator": None, "note": ""}
    assert len(values["messages"]) == 2  # accepting sends nothing more: the fixed reply already went out


def test_accept_with_the_action_request_agent_inbox_sends_back(graph: Any) -> None:
    config = escalated(graph, "accept-inbox")
    echoed = request_of(graph, config)["action_request"] | {}
    echoed["args"] = echoed["args"] | {"then": "continue"}
    values = answer(graph, config, {"type": "accept", "args": echoed})
    assert values["status"] == "ongoing"
    assert graph.get_state(config).next == ()


def test_a_response_is_guarded_then_sent_and_the_dialogue_continues(graph: Any) -> None:
    config = escalated(graph, "respond")
    before = graph.get_state(config).values
    refused = answer(graph, config, {"type": "response", "args": THREAT_REPLY, "operator": "dana"})
    # Refused: nothing sent, nothing decided, the thread waits with the reason in the request.
    assert graph.get_state(config).next == ("escalate",)
    assert refused["messages"] == before["messages"] and refused["escalation"]["decision"] is None
    request = request_of(graph, config)
    error = request["action_request"]["args"]["error"]
    assert error.startswith("the compliance guard refused the reply, so it was not sent: threat arrest in 'arrested'")
    assert request["description"].startswith("**Your last answer was refused:** the compliance guard refused")

    values = answer(graph, config, {"type": "response", "args": f"  {CLEAN_REPLY}\n", "operator": "dana", "note": "n"})
    assert values["status"] == "ongoing" and graph.get_state(config).next == ()
    last = values["messages"][-1]
    assert isinstance(last, AIMessage) and last.text == CLEAN_REPLY
    assert last.response_metadata == {"operator": "dana", "escalation_reply": True}
    assert values["escalation"]["decision"] == {
        "action": "continue",
        "operator": "dana",
        "note": "n",
        "reply": CLEAN_REPLY,
    }
    assert values["messages"][:-1] == before["messages"]
    values = graph.invoke(say("I can do 60 days"), config, context=Context())
    assert values["status"] == "ongoing" and values["client_offer"]["days"] == 60  # the agent answers again


def test_ignore_closes_the_dialogue_and_sends_nothing(graph: Any) -> None:
    config = escalated(graph, "ignore", WORK)
    values = answer(graph, config, {"type": "ignore", "args": None})
    assert values["closed"] is True and len(values["messages"]) == 2
    assert values["escalation"]["decision"]["action"] == "close"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"action": "continue", "operator": "ops"}, "the {'action': ...} answer of earlier versions is no longer read"),
        ({"type": "accept", "args": None}, "must be a list holding one HumanResponse"),
        ([], "must be a list holding one HumanResponse"),
        ([{"type": "accept"}, {"type": "ignore"}], "must be a list holding one HumanResponse"),
        (["accept"], "must be a list holding one HumanResponse"),
        ([{"type": "edit", "args": {"action": "x", "args": {}}}], "edit is not offered on an escalation"),
        ([{"type": "approve", "args": None}], "type must be one of accept, response, ignore, got 'approve'"),
        ([{"type": "response", "args": "   "}], "the reply is empty"),
        ([{"type": "response", "args": None}], "a response's args must be the reply's text, not NoneType"),
        ([{"type": "response", "args": "x" * 4001}], "the reply is 4,001 characters; the limit is 4,000"),
        ([{"type": "accept", "args": {"then": "reopen"}}], "then must be one of continue, close, got 'reopen'"),
        ([{"type": "accept", "args": "yes"}], "an accept's args must be None or an object, not str"),
        ([{"type": "ignore", "args": None, "opertor": "x"}], "unknown key(s) 'opertor' in the answer"),
        ([{"type": "ignore", "args": None, "operator": " "}], "operator must name who answers"),
    ],
)
def test_a_bad_answer_is_refused_with_a_specific_reason(value: Any, message: str) -> None:
    with pytest.raises(OperatorAnswerError) as refused:
        read_answer(value)
    assert message in str(refused.value)


def test_a_bad_answer_on_the_graph_keeps_the_thread_waiting_then_a_good_one_resumes_it(graph: Any) -> None:
    config = escalated(graph, "bad-then-good")
    for bad in ([{"type": "edit", "args": None}], {"action": "close"}):
        graph.invoke(Command(resume=bad), config, context=Context())
        assert graph.get_state(config).next == ("escalate",)
    assert "no longer read" in request_of(graph, config)["action_request"]["args"]["error"]
    assert answer(graph, config, {"type": "ignore", "args": None})["closed"] is True


# ----------------------------------------------------------------------------------------------------------------
# The session API


@pytest.fixture()
def negotiator() -> Negotiator:
    n = open_negotiator("memory", sensor=keyword_sensor())
    n.send("t", CRISIS)
    return n


def test_resume_escalation_with_a_reply_sends_it_and_continues(negotiator: Negotiator) -> None:
    request = negotiator.escalation_request("t")
    assert request is not None and request["action_request"]["args"]["event"] == "crisis"
    values = negotiator.resume_escalation("t", operator="dana", reply=CLEAN_REPLY, note="called her back")
    assert values["messages"][-1].text == CLEAN_REPLY and values["status"] == "ongoing"
    assert values["escalation"]["decision"]["reply"] == CLEAN_REPLY
    assert negotiator.escalation_request("t") is None and not negotiator.escalated("t")


def test_a_reply_the_guard_refuses_raises_and_the_thread_keeps_waiting(negotiator: Negotiator) -> None:
    messages = negotiator.state("t")["messages"]
    with pytest.raises(OperatorAnswerError, match="compliance guard refused the reply, so it was not sent"):
        negotiator.resume_escalation("t", operator="dana", reply=THREAT_REPLY)
    assert negotiator.escalated("t") and negotiator.state("t")["messages"] == messages
    negotiator.resume_escalation("t", operator="dana", action="close")  # the thread still takes an answer
    assert negotiator.state("t")["closed"] is True


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reply": "  "}, "the reply is empty"),
        ({"reply": "Hello.", "action": "close"}, "a reply leaves the dialogue open"),
        ({}, "say what to do: an action (continue or close) or a reply"),
    ],
)
def test_a_bad_reply_is_refused_before_anything_is_written(
    negotiator: Negotiator, kwargs: dict[str, Any], message: str
) -> None:
    before = negotiator.graph.get_state(negotiator.config("t"))
    with pytest.raises(ValueError, match=re.escape(message)):
        negotiator.resume_escalation("t", operator="dana", **kwargs)
    after = negotiator.graph.get_state(negotiator.config("t"))
    assert after.config == before.config and after.values == before.values and after.tasks == before.tasks


@pytest.fixture()
def two_desks(tmp_path: Path) -> Iterator[tuple[Negotiator, Negotiator]]:
    """Two operators' Negotiators on one SQLite file (as two console processes), with a crisis waiting."""
    db = f"sqlite:///{tmp_path / 'desk.db'}"
    desks = (open_negotiator(db, sensor=keyword_sensor()), open_negotiator(db, sensor=keyword_sensor()))
    desks[0].send("t", CRISIS)
    yield desks
    for desk in desks:
        close_connections(desk.graph)


def test_two_operators_answering_at_once_one_wins_and_the_other_is_told(
    two_desks: tuple[Negotiator, Negotiator],
) -> None:
    first, second = two_desks
    started = threading.Barrier(3)

    def reply(desk: Negotiator, who: str) -> str:
        started.wait()
        try:
            desk.resume_escalation("t", operator=who, reply=f"{CLEAN_REPLY} ({who})")
        except ValueError as error:
            return str(error)
        return "sent"

    # Hold the thread's lock while both start, so that they most likely contend for it (whichever way they
    # interleave, the outcome must be the same). The lock is released before the pool is waited for.
    with ThreadPoolExecutor(2) as pool, first.locks.hold("t"):
        runs = [pool.submit(reply, first, "ana"), pool.submit(reply, second, "bob")]
        started.wait()
        time.sleep(0.2)
    sent, told = sorted(run.result(30) for run in runs)  # "sent" sorts before "thread ..."
    assert sent == "sent"
    winner = first.state("t")["escalation"]["decision"]["operator"]
    assert told == f"thread 't' is not waiting for an operator: {winner} already answered it (continue)"
    replies = [m.text for m in first.state("t")["messages"] if m.response_metadata.get("escalation_reply")]
    assert replies == [f"{CLEAN_REPLY} ({winner})"]  # one answer sent, the loser's never
