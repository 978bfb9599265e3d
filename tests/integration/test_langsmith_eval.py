"""langsmith.evaluate over real offline dialogues with our evaluators: no account, no uploads, nothing off loopback."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import langsmith
import pytest
from langsmith.schemas import Example

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.evals.evaluators import ALL_EVALUATORS, make_trajectory_evaluator, untraced
from eq_negotiator.evals.records import record_from_state
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.session import Negotiator, open_negotiator

pytestmark = pytest.mark.integration

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _free_port() -> int:
    """A loopback port with nothing listening on it (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture()
def outbound(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every host a connection or lookup was attempted to; any non-loopback attempt is refused."""
    attempts: list[Any] = []
    connect, lookup = socket.socket.connect, socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: Any) -> Any:
        attempts.append(address)
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in LOOPBACK:
            raise OSError(f"test refused a connection to {address!r}")
        return connect(self, address)

    def guarded_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        if host not in LOOPBACK and host is not None:
            raise OSError(f"test refused a lookup of {host!r}")
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_lookup)
    yield attempts


@pytest.fixture(scope="module")
def negotiator() -> Negotiator:
    # durability="sync": the node-path evaluator reads every node's checkpoint.
    return open_negotiator("memory", context=Context(policy="eq", seed=0, learn=False), durability="sync")


def test_evaluate_offline_with_our_evaluators(
    negotiator: Negotiator, outbound: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    for name in ("LANGSMITH_API_KEY", "LANGCHAIN_API_KEY", "LANGSMITH_ENDPOINT", "LANGCHAIN_TRACING_V2"):
        monkeypatch.delenv(name, raising=False)
    dataset = uuid.uuid4()
    examples = [
        Example(id=uuid.uuid4(), dataset_id=dataset, inputs={"lines": list(DEMO_SCRIPT), "name": "demo"}),
        Example(id=uuid.uuid4(), dataset_id=dataset, inputs={"lines": list(DEMO_SCRIPT[:2]), "name": "short"}),
    ]

    def target(inputs: dict[str, Any]) -> dict[str, Any]:
        thread_id = f"ls-{inputs['name']}-{uuid.uuid4().hex[:8]}"
        for line in inputs["lines"]:
            negotiator.send(thread_id, line)
        record = record_from_state(
            negotiator.state(thread_id),
            scenario_id="default",
            persona=inputs["name"],
            policy="eq",
            seed=0,
            creditor_model="offline",
            debtor="static",
        )
        return {"record": record, "thread_id": thread_id}

    client = langsmith.Client(api_url=f"http://127.0.0.1:{_free_port()}", api_key="offline-test")
    requests: list[tuple[str, str]] = []
    send = client.session.request

    def recorded(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        requests.append((method, url))
        return send(method, url, *args, **kwargs)

    monkeypatch.setattr(client.session, "request", recorded)
    results = langsmith.evaluate(
        untraced(target),
        data=examples,
        evaluators=[*ALL_EVALUATORS, make_trajectory_evaluator(negotiator)],
        client=client,
        upload_results=False,
        max_concurrency=0,
    )

    rows = list(results)
    assert len(rows) == 2
    by_name: dict[str, dict[str, Any]] = {}
    for row in rows:
        assert row["run"].error is None
        scores = {r.key: r.score for r in row["evaluation_results"]["results"]}
        by_name[(row["example"].inputs or {})["name"]] = scores
    expected_keys = {e.__name__ for e in ALL_EVALUATORS} | {"node_path"}
    assert set(by_name["demo"]) == set(by_name["short"]) == expected_keys
    assert by_name["demo"]["success"] == 1 and by_name["demo"]["rounds"] == len(DEMO_SCRIPT)
    assert by_name["demo"]["collection_rate"] > 0 and by_name["demo"]["node_path"] == 1
    assert by_name["short"]["success"] == 0 and by_name["short"]["collection_rate"] == 0
    assert by_name["short"]["rounds"] == 2 and by_name["short"]["node_path"] == 1
    # The client may ask its (dead) loopback server for /info in the background; it must not send runs, feedback,
    # datasets or experiments.
    assert [r for r in requests if not r[1].endswith("/info")] == []
    off_loopback = [a for a in outbound if (a[0] if isinstance(a, tuple) else a) not in LOOPBACK]
    assert off_loopback == []
