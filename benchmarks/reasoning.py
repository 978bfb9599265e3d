"""Decision speed of every stance-selection policy over 10,000 random turns.

Turns come in dialogues of 15 (the papers' maximum is 15 client turns), with readings drawn from a seeded Dirichlet,
so histories grow as they do in real dialogues. Only ``Policy.decide`` is timed.

Last line of output: one JSON object keyed by policy name, each with ``decision_ms_p50`` and ``decisions_per_s``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from eq_negotiator.emotions import LABELS, EmotionReading
from eq_negotiator.reasoning import POLICY_NAMES, History, make_policy

DIALOGUE_TURNS = 15


def random_dialogues(turns: int, seed: int) -> list[list[EmotionReading]]:
    rng = np.random.default_rng(seed)
    concentration = np.full(len(LABELS), 0.3)
    readings = [EmotionReading.from_probabilities(rng.dirichlet(concentration).tolist()) for _ in range(turns)]
    return [readings[i : i + DIALOGUE_TURNS] for i in range(0, turns, DIALOGUE_TURNS)]


def time_policy(name: str, dialogues: list[list[EmotionReading]], seed: int) -> dict[str, float]:
    policy = make_policy(name, seed=seed)
    timings: list[int] = []
    progress_rng = np.random.default_rng(seed)
    for dialogue in dialogues:
        history = History()
        for reading in dialogue:
            progress = [None, True, False][int(progress_rng.integers(3))]
            start = time.perf_counter_ns()
            decision = policy.decide(reading, history, progress)
            timings.append(time.perf_counter_ns() - start)
            history = history.append(reading, decision, progress)
    total_s = sum(timings) / 1e9
    return {
        "decision_ms_p50": round(float(np.median(timings)) / 1e6, 4),
        "decision_ms_p95": round(float(np.percentile(timings, 95)) / 1e6, 4),
        "decisions_per_s": round(len(timings) / total_s, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    dialogues = random_dialogues(args.turns, args.seed)
    results: dict[str, dict[str, float]] = {}
    for name in POLICY_NAMES:
        results[name] = time_policy(name, dialogues, args.seed)
        print(f"{name:16s} p50 {results[name]['decision_ms_p50']:.4f} ms  {results[name]['decisions_per_s']:.0f}/s")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
