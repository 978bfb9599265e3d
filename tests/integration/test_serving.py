"""The graph as ``langgraph dev`` serves it from the repository's ``langgraph.json``, driven through the SDK.

The server runs as a subprocess on a free loopback port (no browser, no reload, no tracing, no analytics), and
three turns of one thread go through ``langgraph_sdk``: two, then a fresh look at the thread's state, then a third
on the same thread id; then a thread handed to a person is answered as Agent Inbox answers one (the request read
from the thread's state, the answer sent as ``Command(resume=[HumanResponse])``). Run settings travel as the run's
``context`` (the graph's ``context_schema`` is :class:`~eq_negotiator.graph.context.Context`; the server turns the
JSON object into one). The server keeps its threads in its own in-memory checkpointer, so this checks that the state
round-trips through a checkpointer the project does not configure.

The server's working folder is a temporary one holding a copy of ``langgraph.json`` whose relative paths are made
absolute: the in-memory server writes its ``.langgraph_api`` folder into its working folder, which must not be the
repository.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.local_servers import free_port, stop_process_group, wait_until_ok

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 120.0
LINES = (
    "Hi, I got your letter. I lost some hours at work and I'm scared I can't pay it all at once.",
    "Thirty days is impossible. Could we do ninety days instead?",
    "Okay, I'm a bit calmer now. What about seventy-five days, with no extra fees?",
)
CONTEXT = {"sensor": "tfidf", "policy": "fixed:joy", "seed": 3}
"""Run settings sent with every run: the light TF-IDF sensor keeps the server's first turn quick, and a policy that
is not the default shows in every decision that the context reached the graph."""

QUIET_ENV = {
    "LANGSMITH_TRACING": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGCHAIN_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "NO_PROXY": "127.0.0.1,localhost",
    "no_proxy": "127.0.0.1,localhost",
}
"""No tracing, no CLI analytics, no model downloads: the server must not need the network."""

DROPPED_ENV = ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGSMITH_ENDPOINT", "OPENAI_API_KEY", "OPENAI_BASE_URL")


def _cli() -> str:
    """The ``langgraph`` executable beside this interpreter (else on PATH); skips when langgraph-cli is missing."""
    if importlib.util.find_spec("langgraph_cli") is None or importlib.util.find_spec("langgraph_api") is None:
        pytest.skip("langgraph-cli[inmem] is not installed")
    beside = Path(sys.executable).with_name("langgraph")
    found = str(beside) if beside.is_file() else shutil.which("langgraph")
    if found is None:
        pytest.skip("the langgraph executable is not installed")
    return found


def _served_config(folder: Path) -> Path:
    """A copy of the repository's ``langgraph.json`` in ``folder`` with its relative paths made absolute."""
    config = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))
    config["dependencies"] = [str((ROOT / dep).resolve()) for dep in config["dependencies"]]
    graphs: dict[str, str] = config["graphs"]
    for name, target in graphs.items():
        path, _, variable = target.rpartition(":")
        graphs[name] = f"{(ROOT / path).resolve()}:{variable}"
    written = folder / "langgraph.json"
    written.write_text(json.dumps(config), encoding="utf-8")
    return written


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running ``langgraph dev`` for the repository's graph; killed when the module is done."""
    cli = _cli()
    folder = tmp_path_factory.mktemp("langgraph-dev")
    config = _served_config(folder)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in DROPPED_ENV} | QUIET_ENV
    log = folder / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                cli,
                "dev",
                "--config",
                str(config),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-browser",
                "--no-reload",
                "--server-log-level",
                "WARNING",
            ],
            cwd=folder,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_ok("langgraph dev", f"{url}/ok", server, log, interval_s=0.5)
        yield url
    finally:
        stop_process_group(server)


def _graph_id() -> str:
    graphs: dict[str, str] = json.loads((ROOT / "langgraph.json").read_text(encoding="utf-8"))["graphs"]
    assert len(graphs) == 1, graphs
    return next(iter(graphs))


def _turn(client: Any, thread_id: str, text: str) -> dict[str, Any]:
    values = client.runs.wait(
        thread_id,
        _graph_id(),
        input={"messages": [{"role": "user", "content": text}]},
        context=CONTEXT,
        raise_error=True,
    )
    assert isinstance(values, dict), values
    return values


def _check_state(values: dict[str, Any], turns: int) -> None:
    messages = values["messages"]
    assert [message["type"] for message in messages] == ["human", "ai"] * turns
    assert [message["content"] for message in messages[::2]] == list(LINES[:turns])
    assert all(message["content"].strip() for message in messages[1::2])
    assert values["turn"] == turns
    assert len(values["readings"]) == turns and len(values["decisions"]) == turns
    assert all(reading["label"] for reading in values["readings"])
    assert [decision["policy"] for decision in values["decisions"]] == [CONTEXT["policy"]] * turns
    assert values["stance"] == "joy"
    assert values["status"] == "ongoing"


def test_the_served_graph_keeps_a_thread_over_three_turns(server_url: str) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server_url, timeout=RUN_TIMEOUT_S)
    assert [graph["graph_id"] for graph in client.assistants.search()] == [_graph_id()]
    thread_id = client.threads.create()["thread_id"]
    for turns in (1, 2):
        _check_state(_turn(client, thread_id, LINES[turns - 1]), turns)

    # Resume the dialogue as a later client would: read the thread back, then send the next line on its id.
    state = client.threads.get_state(thread_id)
    assert state["next"] == []  # no turn left unfinished
    assert isinstance(state["values"], dict)
    _check_state(state["values"], 2)
    _check_state(_turn(client, thread_id, LINES[2]), 3)
    history = client.threads.get_history(thread_id, limit=100)
    newest = history[0]["values"]
    assert isinstance(newest, dict) and newest["turn"] == 3  # newest first: the saved thread ends on the third turn
    final = client.threads.get_state(thread_id)["values"]
    assert isinstance(final, dict)
    _check_state(final, 3)


def test_an_escalation_is_answered_through_the_sdk_as_agent_inbox_answers_it(server_url: str) -> None:
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=server_url, timeout=RUN_TIMEOUT_S)
    thread_id = client.threads.create()["thread_id"]
    _turn(client, thread_id, "Honestly I just want to end it all.")

    # Agent Inbox lists the interrupted threads, then reads the request from the thread's state.
    waiting = client.threads.search(status="interrupted", limit=100)
    assert thread_id in [thread["thread_id"] for thread in waiting]
    request = _request(client, thread_id)
    assert request["config"] == {"allow_ignore": True, "allow_respond": True, "allow_edit": False, "allow_accept": True}
    assert request["action_request"]["args"]["event"] == "crisis"
    assert "988" in request["action_request"]["args"]["reply_sent"]

    refused = _resume(client, thread_id, {"type": "response", "args": "Pay now or we will have you arrested."})
    assert refused["status"] == "escalated" and len(refused["messages"]) == 2  # nothing sent
    assert "compliance guard refused the reply" in _request(client, thread_id)["action_request"]["args"]["error"]

    reply = "This is Dana from our support team. Please look after yourself; we will not contact you for now."
    values = _resume(client, thread_id, {"type": "response", "args": reply})
    assert values["status"] == "ongoing"
    assert values["messages"][-1]["type"] == "ai" and values["messages"][-1]["content"] == reply
    assert values["escalation"]["decision"]["reply"] == reply
    state = client.threads.get_state(thread_id)
    assert state["next"] == [] and client.threads.get(thread_id)["status"] == "idle"


def _request(client: Any, thread_id: str) -> dict[str, Any]:
    """The one HumanInterrupt the thread waits on, read from its state as Agent Inbox reads it."""
    state = client.threads.get_state(thread_id)
    assert state["next"] == ["escalate"]
    (task,) = state["tasks"]
    (pending,) = task["interrupts"]
    (request,) = pending["value"]
    assert set(request) == {"action_request", "config", "description"}
    assert isinstance(request, dict)
    return request


def _resume(client: Any, thread_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    values = client.runs.wait(thread_id, _graph_id(), command={"resume": [answer]}, context=CONTEXT, raise_error=True)
    assert isinstance(values, dict), values
    return values
