"""Perception quality and speed: emotion, client rights and reply compliance, rules alone vs rules + model.

For each component, on every labelled set we keep:

* **emotion** (embedded sensor): the negotiation set's ``test`` split per source (accuracy, macro-F1, weighted F1),
  GoEmotions-Ekman test macro-F1 (4,968 single-label rows, scored through Google's Ekman grouping from the same
  fine-label probabilities), the credit-dialogue test split, and the fresh batch
  (``benchmarks/data/emotion_fresh.csv``: 333 new third-party windows and 200 new written lines, labelled by a helper
  that never saw the training data, scored once after the model was frozen);
* **rights**: recall per kind and false escalation (share of messages with no escalating kind that escalate) on the
  ``test`` split of ``client_rights_messages.jsonl``, on the older rule-tuning set
  (``tests/unit/negotiation/rights_cases.jsonl``: the rules were fitted to it, the model never saw it) and on the
  fresh batch (``benchmarks/data/rights_fresh.jsonl``);
* **compliance guard**: reply-level recall and precision of "has a violation" and per-type recall on the ``test``
  split of ``collector_replies.jsonl``, on the older labelled replies (``tests/unit/negotiation/guard_labelled.jsonl``,
  same status as above) and on the fresh batch (``benchmarks/data/guard_fresh.jsonl``);

each for the rules alone and for rules + model, plus the latency (p50, ms) of one emotion read, one rights check
and one guard check (the model layer included).

Usage: python benchmarks/perception.py [--skip-goemotions]
The last line printed is one JSON object with ``emotion``, ``rights``, ``guard`` and ``latency_ms_p50``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from eq_negotiator.emotions import LABELS
from eq_negotiator.negotiation.guard import DEFAULT_SCENARIO, LABELLED_SET_SCENARIO, VIOLATION_TYPES, ComplianceGuard
from eq_negotiator.negotiation.rights import ESCALATING_KINDS, RIGHTS_KINDS, detect_rights
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing import load_sensor
from eq_negotiator.sensing.base import TruncationWarning
from eq_negotiator.sensing.metrics import classification_report
from eq_negotiator.sensing.negotiation_corpus import (
    load_collector_replies,
    load_negotiation_emotions,
    load_rights_messages,
)
from eq_negotiator.sensing.perception import EKMAN_GROUPING, PerceptionReader, grouping_matrix
from eq_negotiator.sensing.third_party import resolve_checked

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "benchmarks" / "data"
SHARED = Path(os.environ.get("EQN_SHARED_DATA", REPO.parent / "shared" / "data"))


def _fresh_batches(stem: str, suffix: str) -> dict[str, Path]:
    """The fresh batches of one component, by set name: ``fresh`` for ``<stem><suffix>``, ``freshN`` for
    ``<stem>N<suffix>`` (each written after the model of its day was frozen, and scored once on it)."""
    found: dict[str, Path] = {}
    for path in sorted(DATA.glob(f"{stem}*{suffix}")):
        number = path.name[len(stem) : -len(suffix)]
        if number == "" or number.isdigit():
            found[f"fresh{number}"] = path
    return found


def _median_ms(function: Callable[[str], Any], texts: Sequence[str]) -> float:
    for text in texts[:5]:
        function(text)
    timings = []
    for text in texts:
        started = time.perf_counter()
        function(text)
        timings.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(timings), 2)


def _emotion_scores(sensor: Any, texts: list[str], labels: list[str]) -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TruncationWarning)
        probabilities = np.array([r.probabilities() for r in sensor.read_many(texts)])
    report = classification_report(np.array([LABELS.index(label) for label in labels]), probabilities)
    return {key: round(float(report[key]), 3) for key in ("accuracy", "macro_f1", "weighted_f1")} | {"n": len(texts)}


def emotion(sensor: Any, skip_goemotions: bool) -> dict[str, Any]:
    """Emotion scores per source of the test split, on GoEmotions-Ekman test and on the fresh batch."""
    rows = [row for row in load_negotiation_emotions() if row.split == "test"]
    result: dict[str, Any] = {"test_per_source": {}}
    for source in sorted({row.source for row in rows}):
        part = [row for row in rows if row.source == source]
        result["test_per_source"][source] = _emotion_scores(sensor, [r.text for r in part], [r.label for r in part])
    for name, fresh in _fresh_batches("emotion_fresh", ".csv").items():
        with fresh.open(encoding="utf-8", newline="") as handle:
            fresh_rows = list(csv.DictReader(handle))
        for row in fresh_rows:  # third-party rows hold a reference into the public data, never the text
            if row["ref"]:
                row["text"] = resolve_checked(row["ref"], row["digest"])
        result[name] = {}
        for source in sorted({row["source"] for row in fresh_rows}):
            chosen = [row for row in fresh_rows if row["source"] == source]
            result[name][source] = _emotion_scores(sensor, [r["text"] for r in chosen], [r["label"] for r in chosen])
    if not skip_goemotions and (SHARED / "emotion" / "goemotions" / "original").is_dir():
        path = SHARED / "emotion" / "goemotions" / "original" / "test.tsv"
        tsv = [line.rstrip("\n").split("\t") for line in path.open(encoding="utf-8")]
        ekman = grouping_matrix(EKMAN_GROUPING)
        logits = sensor.fine_logits([fields[0] for fields in tsv])
        probabilities = np.exp(logits - logits.max(1, keepdims=True))
        probabilities /= probabilities.sum(1, keepdims=True)
        groups = np.zeros((len(tsv), len(LABELS)))
        for i, fields in enumerate(tsv):
            for label in fields[1].split(","):
                groups[i] += ekman[int(label)]
        single = (groups > 0).sum(1) == 1
        truth = groups[single].argmax(1)
        report = classification_report(truth, probabilities[single] @ ekman)
        result["goemotions_ekman_test"] = {"n": int(single.sum()), "macro_f1": round(float(report["macro_f1"]), 3)}
    return result


def _rights_scores(rows: list[tuple[str, tuple[str, ...]]], model: PerceptionReader | None) -> dict[str, Any]:
    hits: dict[str, list[bool]] = {kind: [] for kind in RIGHTS_KINDS}
    false_escalations: list[bool] = []
    for text, kinds in rows:
        events = detect_rights(text, model)
        found = {event.kind for event in events}
        for kind in kinds:
            hits[kind].append(kind in found)
        if not set(kinds) & ESCALATING_KINDS:
            false_escalations.append(any(event.escalates for event in events))
    return {
        "recall": {kind: round(float(np.mean(v)), 3) for kind, v in hits.items() if v},
        "support": {kind: len(v) for kind, v in hits.items() if v},
        "false_escalation": round(float(np.mean(false_escalations)), 3) if false_escalations else None,
        "negatives": len(false_escalations),
    }


def rights(model: PerceptionReader) -> dict[str, Any]:
    """Rights recall and false escalation, rules alone and rules + model, on every labelled set."""
    sets: dict[str, list[tuple[str, tuple[str, ...]]]] = {
        "test": [(r.text, r.kinds) for r in load_rights_messages() if r.split == "test"],
        "rule_tuning_set": [
            (row["text"], tuple(row.get("kinds", [])))
            for row in map(json.loads, (REPO / "tests/unit/negotiation/rights_cases.jsonl").read_text().splitlines())
        ],
    }
    for name, fresh in _fresh_batches("rights_fresh", ".jsonl").items():
        sets[name] = [(row["text"], tuple(row["kinds"])) for row in map(json.loads, fresh.read_text().splitlines())]
    return {
        name: {"rules": _rights_scores(rows, None), "rules+model": _rights_scores(rows, model)}
        for name, rows in sets.items()
    }


def _guard_scores(rows: list[tuple[str, tuple[str, ...], Scenario]], model: PerceptionReader | None) -> dict[str, Any]:
    guards: dict[str, ComplianceGuard] = {}
    true_positive = false_positive = positives = 0
    per_type: dict[str, list[bool]] = {kind: [] for kind in VIOLATION_TYPES}
    for text, types, scenario in rows:
        key = scenario.model_dump_json()
        guard = guards.setdefault(key, ComplianceGuard(scenario, model))
        found = set(guard.check(text).types)
        positives += bool(types)
        true_positive += bool(types) and bool(found)
        false_positive += (not types) and bool(found)
        for kind in types:
            per_type[kind].append(kind in found)
    flagged = true_positive + false_positive
    return {
        "recall": round(true_positive / positives, 3) if positives else None,
        "precision": round(true_positive / flagged, 3) if flagged else None,
        "per_type_recall": {kind: round(float(np.mean(v)), 3) for kind, v in per_type.items() if v},
        "n": len(rows),
        "positives": positives,
    }


def guard(model: PerceptionReader) -> dict[str, Any]:
    """Guard recall and precision, rules alone and rules + model, on every labelled set."""
    legacy = []
    for row in map(json.loads, (REPO / "tests/unit/negotiation/guard_labelled.jsonl").read_text().splitlines()):
        scenario = LABELLED_SET_SCENARIO.model_copy(update=row.get("scenario") or {})
        legacy.append((row["text"], tuple(row.get("violations", row.get("types", [])) or ()), scenario))
    sets: dict[str, list[tuple[str, tuple[str, ...], Scenario]]] = {
        "test": [(r.text, r.violations, DEFAULT_SCENARIO) for r in load_collector_replies() if r.split == "test"],
        "rule_tuning_set": legacy,
    }
    for name, fresh in _fresh_batches("guard_fresh", ".jsonl").items():
        sets[name] = [
            (row["text"], tuple(row["violations"]), DEFAULT_SCENARIO.model_copy(update=row.get("scenario") or {}))
            for row in map(json.loads, fresh.read_text().splitlines())
        ]
    return {
        name: {"rules": _guard_scores(rows, None), "rules+model": _guard_scores(rows, model)}
        for name, rows in sets.items()
    }


def main() -> None:
    """Run every measurement and print the summary; the last line is one JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-goemotions", action="store_true", help="leave out the 5,427-row GoEmotions test")
    args = parser.parse_args()
    sensor = load_sensor("embedded")
    model = sensor.reader  # type: ignore[attr-defined]
    summary: dict[str, Any] = {"emotion": emotion(sensor, args.skip_goemotions), "rights": rights(model)}
    summary["guard"] = guard(model)
    messages = [r.text for r in load_rights_messages() if r.split == "test"][:200]
    replies = [r.text for r in load_collector_replies() if r.split == "test"][:200]
    fresh_guard = ComplianceGuard(DEFAULT_SCENARIO, model)

    def uncached(function: Callable[[str], Any]) -> Callable[[str], Any]:
        def call(text: str) -> Any:
            model.encoder.clear_cache()
            return function(text)

        return call

    summary["latency_ms_p50"] = {
        "emotion_read": _median_ms(uncached(sensor.read), messages),
        "emotion_then_rights (one shared pass)": _median_ms(
            uncached(lambda text: (sensor.read(text), detect_rights(text, model))), messages
        ),
        "rights_rules_only": _median_ms(lambda text: detect_rights(text, None), messages),
        "guard_check_with_model": _median_ms(uncached(fresh_guard.check), replies),
        "guard_rules_only": _median_ms(ComplianceGuard(DEFAULT_SCENARIO).check, replies),
    }
    for component in ("rights", "guard"):
        for name, layers in summary[component].items():
            print(f"{component} {name}: " + json.dumps(layers))
    print("emotion: " + json.dumps(summary["emotion"]))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
