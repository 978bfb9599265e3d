"""Offline simulation throughput: negotiations per second, with debtor movement and compliance from the same run.

Runs the built-in scenarios × all nine personas × the ``eq`` policy × ``--seeds`` seeds with the embedded sensor,
the offline responder and the scripted debtor, on ``--workers`` processes (the deployment ``eqn simulate`` uses),
each advancing ``--batch`` dialogues together with their client messages read in one encoder batch per round
(``--batch 1``: one dialogue at a time, the runner before batching).
Each worker builds its graph and runs one warm-up dialogue first; the clock starts when every worker is ready, so
start-up (about 2 s per worker: torch and the sensor) is reported apart. Targets (2-core CPU): >= 20 negotiations/s,
the debtor moves in >= 95 % of dialogues, 0 compliance violations in sent replies.

Usage: python benchmarks/simulate.py [--seeds 2] [--workers 2] [--batch 32] [--scenarios builtin] [--sensor embedded]
The last line printed is one JSON object with negotiations_per_s, debtor_movement, violations and more.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import time
from typing import Any

from eq_negotiator.evals.runner import (
    DEFAULT_BATCH,
    DialogueJob,
    DialogueSimulator,
    SimulationConfig,
    plan_jobs,
    share_cores,
)


def _worker(
    config: SimulationConfig,
    jobs: list[DialogueJob],
    ready: Any,
    results: Any,
) -> None:
    share_cores(config.workers)
    started = time.perf_counter()
    simulator = DialogueSimulator(config)
    warm = DialogueJob(jobs[0].scenario, jobs[0].persona, jobs[0].policy, seed=10_000)
    simulator.run(warm)
    startup = time.perf_counter() - started
    ready.wait()
    begin = time.perf_counter()
    batched = config.batch > 1
    records = list(simulator.run_many(jobs, config.batch)) if batched else [simulator.run(job) for job in jobs]
    end = time.perf_counter()
    results.put((startup, begin, end, records))


def run(config: SimulationConfig) -> dict[str, Any]:
    from eq_negotiator.evals.metrics import summarise

    jobs, _ = plan_jobs(config)
    slices = [jobs[index :: config.workers] for index in range(config.workers)]
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(config.workers + 1)
    results = context.Queue()
    workers = [context.Process(target=_worker, args=(config, part, ready, results)) for part in slices if part]
    for process in workers:
        process.start()
    ready.wait()
    outputs = [results.get() for _ in workers]
    for process in workers:
        process.join()
    begin = min(output[1] for output in outputs)
    end = max(output[2] for output in outputs)
    records = [record for output in outputs for record in output[3]]
    summary = summarise(records, config={}, labels={})
    overall = summary["overall"]
    elapsed = end - begin
    turns = sum(len(record["turns"]) for record in records)
    return {
        "negotiations_per_s": round(len(records) / elapsed, 2),
        "debtor_movement": overall["debtor_movement"],
        "violations": overall["violations"],
        "dialogues": len(records),
        "turns_per_s": round(turns / elapsed, 1),
        "mean_turns": round(turns / len(records), 2),
        "success_rate": overall["success_rate"],
        "errors": sum(record["outcome"]["status"] == "error" for record in records),
        "elapsed_s": round(elapsed, 2),
        "startup_s": round(max(output[0] for output in outputs), 2),
        "workers": config.workers,
        "batch": config.batch,
        "sensor": config.sensor,
        "scenarios": config.scenarios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--batch", type=int, default=DEFAULT_BATCH, help="dialogues per worker in flight (1: one by one)"
    )
    parser.add_argument("--scenarios", default="builtin")
    parser.add_argument("--sensor", default="embedded")
    parser.add_argument("--policy", default="eq")
    args = parser.parse_args()
    config = SimulationConfig(
        scenarios=args.scenarios,
        policies=(args.policy,),
        seeds=args.seeds,
        sensor=args.sensor,
        workers=args.workers,
        batch=args.batch,
    )
    figures = run(config)
    print(
        f"{figures['dialogues']} negotiations on {figures['workers']} worker(s): "
        f"{figures['negotiations_per_s']}/s ({figures['turns_per_s']} turns/s, {figures['mean_turns']} turns each); "
        f"debtor moved in {figures['debtor_movement']:.1%}; violations {figures['violations']}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
