"""Evaluation of simulated negotiations: records, metrics, reports, LangSmith evaluators, openevals adapter.

* :mod:`~eq_negotiator.evals.records`: ``record_from_state`` turns a thread's final graph state into a
  ``dialogues.jsonl`` record.
* :mod:`~eq_negotiator.evals.metrics`: per-dialogue metrics, ``summarise`` (``summary.json``), paired ``compare``.
* :mod:`~eq_negotiator.evals.report`: ``write_report`` (``report.md`` and a self-contained ``report.html``).
* :mod:`~eq_negotiator.evals.evaluators`: LangSmith-style evaluators (``ALL_EVALUATORS``), a node-path check, and
  optional LLM-as-judge evaluators.
* :mod:`~eq_negotiator.evals.multiturn`: drive the graph from openevals' multi-turn simulator and score the thread.
* :mod:`~eq_negotiator.evals.runner`: ``simulate`` / ``compare_policies``: agent-vs-agent runs, resumable, in parallel.

Names are loaded on first use, so importing the package does not load matplotlib or the graph.
"""

from __future__ import annotations

import importlib
from typing import Any, Final

_EXPORTS: Final[dict[str, str]] = {
    "RecordError": "records",
    "dialogue_id_for": "records",
    "record_from_state": "records",
    "aggregate": "metrics",
    "compare": "metrics",
    "dialogue_metrics": "metrics",
    "summarise": "metrics",
    "wilson_interval": "metrics",
    "write_report": "report",
    "ALL_EVALUATORS": "evaluators",
    "check_node_path": "evaluators",
    "expected_node_path": "evaluators",
    "make_judge_evaluators": "evaluators",
    "make_trajectory_evaluator": "evaluators",
    "run_evaluators": "evaluators",
    "untraced": "evaluators",
    "GraphApp": "multiturn",
    "graph_app": "multiturn",
    "score_thread": "multiturn",
    "DialogueJob": "runner",
    "DialogueSimulator": "runner",
    "SimulationConfig": "runner",
    "SimulationError": "runner",
    "SimulationResult": "runner",
    "compare_policies": "runner",
    "simulate": "runner",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
