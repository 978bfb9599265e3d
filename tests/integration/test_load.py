"""Concurrent dialogues over a shared database lose no turn and keep their order (``benchmarks/load.py``).

Two worker processes run 20 dialogues of 4 turns each at once on SQLite and on PostgreSQL; every thread is then read
back independently of the benchmark's own check. The benchmark's checker is shown to catch a lost turn, and the
script's JSON contract is checked on a tiny run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BENCHMARKS = ROOT / "benchmarks"
if str(BENCHMARKS) not in sys.path:  # spawned workers import the benchmark by this path too
    sys.path.insert(0, str(BENCHMARKS))

import load  # noqa: E402

ENV = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
KEYS = {"turns_per_s", "p95_ms", "lost_turns", "bytes_per_turn", "dialogues", "turns", "workers", "sensor"}


def config(spec: str, **overrides: Any) -> load.LoadConfig:
    settings: dict[str, Any] = {
        "spec": spec,
        "dialogues": 20,
        "turns": 4,
        "workers": 2,
        "threads": 4,
        "run_id": uuid.uuid4().hex[:8],
        **overrides,
    }
    return load.LoadConfig(**settings)


def read_back(run: load.LoadConfig) -> None:
    """Every dialogue, read with a fresh negotiator: the lines sent, in order, each answered once."""
    negotiator = load._negotiator(run)
    for dialogue in range(run.dialogues):
        values = negotiator.state(run.thread_id(dialogue))
        messages = values["messages"]
        assert [type(message) for message in messages] == [HumanMessage, AIMessage] * run.turns
        assert [message.text for message in messages[::2]] == [
            load.client_line(dialogue, turn) for turn in range(run.turns)
        ]
        assert values["turn"] == run.turns and len(values["readings"]) == run.turns


def check_figures(figures: dict[str, Any], run: load.LoadConfig) -> None:
    assert figures["lost_turns"] == 0 and figures["errors"] == 0, figures["first_errors"]
    assert figures["answered_turns"] == figures["turns"] == run.dialogues * run.turns
    assert figures["turns_per_s"] > 0 and 0 < figures["p50_ms"] <= figures["p95_ms"]
    assert figures["bytes_per_turn"] > 1000


def test_concurrent_dialogues_on_sqlite_lose_nothing(tmp_path: Path) -> None:
    run = config(f"sqlite:///{tmp_path}/load.db")
    figures = load.run_load(run)
    check_figures(figures, run)
    assert figures["disk_bytes_per_turn"] >= figures["bytes_per_turn"]
    read_back(run)

    # The benchmark's checker is not blind: remove one dialogue's checkpoints and its turns are counted lost.
    with sqlite3.connect(tmp_path / "load.db") as connection:
        connection.execute("DELETE FROM checkpoints WHERE thread_id = ?", (run.thread_id(7),))
    assert load.verify(run)["lost_turns"] == run.turns


def test_concurrent_dialogues_on_postgres_lose_nothing(postgres_url: str) -> None:
    run = config(postgres_url)
    figures = load.run_load(run)
    check_figures(figures, run)
    read_back(run)


def test_pruned_history_under_load_loses_nothing(tmp_path: Path) -> None:
    run = config(f"sqlite:///{tmp_path}/load.db?history=latest", history="latest", dialogues=8, turns=3)
    check_figures(load.run_load(run), run)
    read_back(run)
    with sqlite3.connect(tmp_path / "load.db") as connection:
        rows = connection.execute("SELECT count(*) FROM checkpoints WHERE thread_id LIKE ?", (f"load-{run.run_id}-%",))
        assert rows.fetchone()[0] == run.dialogues  # one checkpoint per dialogue


def run_script(*args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / "load.py"), "--dialogues", "4", "--turns", "2", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=ENV,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def test_the_load_benchmark_prints_its_figures_as_json_on_the_last_line() -> None:
    figures = run_script("--backends", "sqlite")
    assert set(figures) == {"sqlite"}
    assert set(figures["sqlite"]) >= KEYS
    assert figures["sqlite"]["lost_turns"] == 0
    assert (figures["sqlite"]["turns"], figures["sqlite"]["dialogues"]) == (8, 4)


def test_the_load_benchmark_reports_postgres_too(postgres_url: str) -> None:
    figures = run_script("--postgres-url", postgres_url)
    assert set(figures) == {"sqlite", "postgres"}
    for backend in ("sqlite", "postgres"):
        assert set(figures[backend]) >= KEYS, figures[backend]
        assert figures[backend]["lost_turns"] == 0 and figures[backend]["turns"] == 8
