"""Emotion sensor benchmark: quality, latency, throughput, load time and calibration of every local backend.

Measures on the GoEmotions-Ekman single-label test split (../shared/data/emotion/goemotions, or
$EQN_SHARED_DATA) and on the project's credit-dialogue test split. Targets (2-core CPU): embedded macro-F1
>= 0.62, p50 <= 12 ms, >= 200 utterances/s batched, load <= 3 s, ECE <= 0.05; tfidf macro-F1 >= 0.58, p50 <= 1 ms.

Usage: python benchmarks/emotion.py [--backends embedded,tfidf] [--latency-samples 300]
The last line printed is one JSON object keyed by backend, each with macro_f1, p50_ms, batch_per_s, load_s, ece.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from eq_negotiator.sensing import load_sensor
from eq_negotiator.sensing.data import load_credit_dialogue, load_eval_data
from eq_negotiator.sensing.evaluation import single_latency_ms
from eq_negotiator.sensing.metrics import classification_report

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(os.environ.get("EQN_SHARED_DATA", REPO.parent / "shared" / "data")) / "emotion" / "goemotions"


def measure(spec: str, goemotions: Path, latency_samples: int) -> dict[str, Any]:
    # Import cost (torch, transformers) is paid before timing: the target is load time after imports.
    if spec != "tfidf":
        import peft  # noqa: F401
        import torch  # noqa: F401
        import transformers  # noqa: F401
    started = time.perf_counter()
    sensor = load_sensor(spec)
    load_s = time.perf_counter() - started

    test = load_eval_data(f"goemotions-ekman:{goemotions}")
    # Single-utterance latency first: after large batches the allocator holds big buffers and one-by-one reads
    # measured about 20 % slower, which is not what a turn-by-turn dialogue sees.
    timings = single_latency_ms(sensor, test.texts[:latency_samples])
    started = time.perf_counter()
    readings = sensor.read_many(test.texts)
    batch_s = time.perf_counter() - started
    report = classification_report(test.labels, np.array([r.probabilities() for r in readings]))

    credit = load_credit_dialogue("test")
    credit_report = classification_report(
        credit.labels, np.array([r.probabilities() for r in sensor.read_many(credit.texts)])
    )
    return {
        "macro_f1": round(report["macro_f1"], 4),
        "accuracy": round(report["accuracy"], 4),
        "ece": round(report["ece"], 4),
        "p50_ms": round(float(np.percentile(timings, 50)), 3),
        "p95_ms": round(float(np.percentile(timings, 95)), 3),
        "batch_per_s": round(len(test) / batch_s, 1),
        "load_s": round(load_s, 3),
        "n": report["n"],
        "credit_dialogue_macro_f1": round(credit_report["macro_f1"], 4),
        "credit_dialogue_accuracy": round(credit_report["accuracy"], 4),
        "credit_dialogue_n": credit_report["n"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="embedded,tfidf")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="GoEmotions folder")
    parser.add_argument("--latency-samples", type=int, default=300)
    args = parser.parse_args()
    results = {}
    for spec in args.backends.split(","):
        results[spec] = measure(spec, args.data, args.latency_samples)
        print(f"{spec}: {results[spec]}", file=sys.stderr)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
