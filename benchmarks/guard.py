"""Accuracy and speed of the compliance guard on the hand-labelled creditor replies.

A reply is *positive* when its label lists at least one violation. Reported: reply-level precision and recall of
"has a violation", per-type recall (a labelled type counts as found when the guard reports that type on that reply),
and checks per second over every reply, repeated. Figures are given for all rows and for each split:

* ``dev`` (150 rows): written before any rule, and used to write the rules;
* ``test`` (86 rows): written after the rules were first frozen;
* ``test2`` (44 rows): written after the rules were frozen a second time;
* ``test3`` (67 rows, 35 violating, every type 3-4 rows): written and labelled after the rules were widened by
  category of phrasing and frozen a third time, then scored once. No rule was changed after it, so its figures
  below are still first-contact figures; it stays out of the tuning targets in the tests.

The rules were widened after the ``test`` and ``test2`` batches were scored, so those splits measure fit, not
generalisation. The honest held-out figures are those at first contact, recorded in :data:`FIRST_CONTACT` and
printed alongside (for ``test`` and ``test2`` they cannot be recomputed from the current rules).

Usage: python benchmarks/guard.py [--data FILE.jsonl] [--repeat 20]
The last line printed is one JSON object: precision, recall, per_type_recall, n, checks_per_s, splits, first_contact.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any

from eq_negotiator.negotiation.guard import LABELLED_SET_SCENARIO, VIOLATION_TYPES, ComplianceGuard

DATA = Path(__file__).resolve().parents[1] / "tests" / "unit" / "negotiation" / "guard_labelled.jsonl"

# Recorded when each held-out batch was first scored, before any rule was changed because of it.
FIRST_CONTACT: dict[str, dict[str, Any]] = {
    "test": {"rules": "first freeze", "n": 86, "positives": 45, "precision": 0.96, "recall": 0.533},
    "test2": {"rules": "second freeze", "n": 44, "positives": 24, "precision": 1.0, "recall": 0.208},
    "test3": {
        "rules": "third freeze (category widening)",
        "n": 67,
        "positives": 35,
        "precision": 0.909,
        "recall": 0.286,
        "per_type_recall": {
            "threat_arrest": 0.0,
            "threat_violence": 0.25,
            "threat_false_action": 0.0,
            "abusive_language": 0.333,
            "false_affiliation": 0.667,
            "wrong_amount": 1.0,
            "false_urgency": 0.333,
            "third_party_disclosure": 0.0,
            "harassment": 0.333,
            "shaming": 0.25,
            "deception_other": 0.0,
        },
    },
}


def load_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def guard_for(row: dict[str, Any], cache: dict[str, ComplianceGuard]) -> ComplianceGuard:
    overrides = row.get("scenario") or {}
    key = json.dumps(overrides, sort_keys=True)
    if key not in cache:
        cache[key] = ComplianceGuard(LABELLED_SET_SCENARIO.model_copy(update=overrides))
    return cache[key]


def score(rows: list[dict[str, Any]], found: list[set[str]]) -> dict[str, Any]:
    tp = fp = fn = 0
    labelled: Counter[str] = Counter()
    hit: Counter[str] = Counter()
    for row, types in zip(rows, found, strict=True):
        positive, flagged = bool(row["violations"]), bool(types)
        tp += positive and flagged
        fp += flagged and not positive
        fn += positive and not flagged
        for violation_type in row["violations"]:
            labelled[violation_type] += 1
            hit[violation_type] += violation_type in types
    return {
        "n": len(rows),
        "positives": tp + fn,
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "false_positives": fp,
        "false_negatives": fn,
        "per_type_recall": {t: round(hit[t] / labelled[t], 4) for t in VIOLATION_TYPES if labelled[t]},
        "per_type_support": {t: labelled[t] for t in VIOLATION_TYPES if labelled[t]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--repeat", type=int, default=20, help="Passes over all rows for the speed figure.")
    args = parser.parse_args()
    rows = load_rows(args.data)
    cache: dict[str, ComplianceGuard] = {}
    guards = [guard_for(row, cache) for row in rows]
    found = [
        set(guard.check(row["text"], client_message=row.get("client_message")).types)
        for row, guard in zip(rows, guards, strict=True)
    ]
    start = time.perf_counter()
    for _ in range(args.repeat):
        for row, guard in zip(rows, guards, strict=True):
            guard.check(row["text"], client_message=row.get("client_message"))
    checks_per_s = round(args.repeat * len(rows) / (time.perf_counter() - start), 1)

    results = score(rows, found)
    splits = {}
    for split in sorted({row.get("split", "dev") for row in rows}):
        indices = [i for i, row in enumerate(rows) if row.get("split", "dev") == split]
        splits[split] = score([rows[i] for i in indices], [found[i] for i in indices])

    for name, figures in [("all", results), *splits.items()]:
        print(
            f"{name:6s} n={figures['n']:4d} positives={figures['positives']:4d} precision={figures['precision']:.3f} "
            f"recall={figures['recall']:.3f} fp={figures['false_positives']} fn={figures['false_negatives']}"
        )
    for violation_type, recall in results["per_type_recall"].items():
        print(f"  {violation_type:24s} recall {recall:.3f} (support {results['per_type_support'][violation_type]})")
    print(f"speed  {checks_per_s:.0f} checks/s over {args.repeat} x {len(rows)} replies")
    for split, figures in FIRST_CONTACT.items():
        print(
            f"held-out at first contact ({split}, {figures['rules']}): precision={figures['precision']:.3f} "
            f"recall={figures['recall']:.3f} (recorded, not recomputed)"
        )
    print(json.dumps({**results, "checks_per_s": checks_per_s, "splits": splits, "first_contact": FIRST_CONTACT}))


if __name__ == "__main__":
    main()
