"""End to end: openevals' simulator drives the graph for two policies; records are scored, summarised, compared
and reported."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from openevals.simulators import run_multiturn_simulation

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.evals.evaluators import ALL_EVALUATORS, make_trajectory_evaluator
from eq_negotiator.evals.metrics import compare, summarise
from eq_negotiator.evals.multiturn import graph_app, score_thread
from eq_negotiator.evals.report import write_report
from eq_negotiator.graph.context import Context
from eq_negotiator.graph.session import open_negotiator

pytestmark = pytest.mark.integration

SCRIPTS: dict[str, list[str]] = {
    "demo": list(DEMO_SCRIPT),
    "stubborn": [
        "I got your letter. I can't pay this quickly, I need 150 days.",
        "No. 150 days is what I can manage.",
        "I'm not moving on this. 150 days.",
    ],
}


def test_simulated_users_against_two_policies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGSMITH_TRACING", "false")
    trajectories: dict[str, list[dict[str, Any]]] = {}

    def keep_trajectory(*, outputs: list[dict[str, Any]], reference_outputs: Any = None) -> dict[str, Any]:
        # An openevals trajectory evaluator sees only the chat messages; ours see the checkpointed state.
        trajectories[str(len(trajectories))] = outputs
        return {"key": "turns", "score": sum(1 for m in outputs if m["role"] == "user")}

    records = []
    for policy in ("eq", "vanilla"):
        negotiator = open_negotiator("memory", context=Context(policy=policy, seed=0, learn=False), durability="sync")
        app = graph_app(negotiator)
        evaluators = [*ALL_EVALUATORS, make_trajectory_evaluator(negotiator)]
        for name, lines in SCRIPTS.items():
            thread_id = f"{policy}-{name}"
            result = run_multiturn_simulation(
                app=app,
                user=lines,
                max_turns=len(lines),
                stopping_condition=app.stopping_condition,
                trajectory_evaluators=[keep_trajectory],
                thread_id=thread_id,
            )
            users = sum(1 for m in result["trajectory"] if m["role"] == "user")
            assert result["evaluator_results"][0]["score"] == users
            scored = score_thread(
                negotiator,
                thread_id,
                evaluators,
                scenario_id="default",
                persona=name,
                policy=policy,
                seed=0,
                creditor_model="offline",
                debtor="static",
            )
            assert scored["scores"]["node_path"]["score"] == 1, scored["scores"]["node_path"]["comment"]
            assert scored["record"]["outcome"]["rounds"] == users
            records.append(scored["record"])

    summary = summarise(records, labels={"debtor": "static lines", "creditor_model": "offline"})
    assert summary["dialogues"] == 4 and set(summary["by_policy"]) == {"eq", "vanilla"}
    assert summary["by_persona"]["stubborn"]["successes"] == 0  # 150 days is past the 90-day limit
    assert summary["by_persona"]["demo"]["successes"] == sum(
        1 for r in records if r["persona"] == "demo" and r["outcome"]["status"] == "agreed"
    )
    comparison = compare(records, ["eq", "vanilla"], "vanilla")
    assert comparison["policies"]["eq"]["n_pairs"] == 2

    md_path, html_path = write_report(summary, tmp_path, records=records, comparison=comparison)
    parser = HTMLParser()
    parser.feed(html_path.read_text(encoding="utf-8"))
    assert "Paired comparison against vanilla" in md_path.read_text(encoding="utf-8")
