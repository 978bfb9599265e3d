"""Latency and memory of one full client turn of the graph, without an LLM.

Each turn runs the whole graph as ``eqn chat`` does: the embedded emotion sensor (default ``Context``), the ``eq``
policy, the offline responder and a SQLite checkpointer (and store) in a temporary folder, through
``Negotiator.send``. Dialogues cycle through realistic debtor lines of different emotions; one warm-up turn on its
own thread is run (and not timed) first, so start-up costs are reported apart. Every turn passes the whole graph:
rights check, offer tracking, strategy, reply and compliance guard. A negotiation that ends before its dialogue's
turns are used up (agreed, broken down, or handed to a person) goes on with a new client on a fresh thread, so every
dialogue still times ``--turns`` turns; ``outcomes`` counts how the negotiations ended. Targets (2-core CPU): turn
p50 <= 15 ms, RSS <= 400 MB.

Usage: python benchmarks/turn.py [--dialogues 40] [--turns 5] [--sensor embedded]
The last line printed is one JSON object with turn_ms_p50, turn_ms_p95, rss_mb, rss_peak_mb, turns and more.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

DEBTOR_LINES: tuple[str, ...] = (
    "Hi, I got your letter about the overdue balance. I lost some hours at work and I'm scared I can't pay it.",
    "Thirty days? That's impossible. You people always want everything at once!",
    "This is ridiculous. I've been a customer for years and this is how you treat me?",
    "Honestly, I'm sick of these calls. It's disgusting how you chase people.",
    "I'm sorry. I'm just really stressed about money right now and I don't know what to do.",
    "Okay. If the plan is clear and manageable, I can try to work with you on it.",
    "Wait, what? I had no idea the balance had grown that much. When did the fees get added?",
    "My wife is in hospital and every spare dollar goes to her bills. I feel like I'm drowning.",
    "Stop threatening me with collections. I will report you if you call my workplace again.",
    "I can pay 200 now and another 200 on the fifteenth, if that works for you.",
    "Thank you, that actually helps a lot. I'm relieved we can sort this out.",
    "What happens if I miss a payment? Will they take my car?",
    "Your late fees are a scam and you know it. Frankly it makes me sick.",
    "Please send me the statement by email so I can check the numbers with my bank.",
    "Fine. Ninety days, no extra fees, and you stop calling me at night. That's my offer.",
)
"""Client messages cycled through the dialogues: worry, anger, contempt, distress, surprise, offers, relief."""


def rss_mb() -> float:
    """The process's current resident set size in MB (``VmRSS``; the peak where /proc is unavailable)."""
    current = _proc_status_mb("VmRSS")
    return current if current is not None else peak_rss_mb()


def _proc_status_mb(field: str) -> float | None:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MB, or ``None`` without /proc."""
    try:
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def peak_rss_mb() -> float:
    """The process's peak resident set size in MB (``VmHWM``, else ``ru_maxrss``: KB on Linux, bytes on macOS)."""
    peak = _proc_status_mb("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / (1024 * 1024) if sys.platform == "darwin" else maxrss / 1024


def run(dialogues: int, turns: int, sensor: str = "embedded") -> dict[str, Any]:
    started = time.perf_counter()
    from eq_negotiator.graph.context import Context
    from eq_negotiator.graph.session import open_negotiator

    import_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="eqn-bench-") as folder:
        started = time.perf_counter()
        # Default Context: eq policy, offline responder, embedded sensor (unless --sensor says otherwise).
        context = Context() if sensor == "embedded" else Context(sensor=sensor)
        negotiator = open_negotiator(f"sqlite:///{folder}/bench.db", context=context)
        open_s = time.perf_counter() - started

        started = time.perf_counter()
        negotiator.send("warm-up", DEBTOR_LINES[0])
        warmup_ms = (time.perf_counter() - started) * 1000

        timings_ns: list[int] = []
        stances: dict[str, int] = {}
        outcomes: dict[str, int] = {}
        line = 0
        for dialogue in range(dialogues):
            threads = [f"bench-{dialogue}"]
            sent = {threads[0]: 0}
            for _ in range(turns):
                thread = threads[-1]
                text = DEBTOR_LINES[line % len(DEBTOR_LINES)]
                line += 1
                start = time.perf_counter_ns()
                result = negotiator.send(thread, text)
                timings_ns.append(time.perf_counter_ns() - start)
                sent[thread] += 1
                stance = result.stance or "none"
                stances[stance] = stances.get(stance, 0) + 1
                if result.status != "ongoing":  # the negotiation ended: the next turn starts a new one
                    outcomes[result.status] = outcomes.get(result.status, 0) + 1
                    threads.append(f"bench-{dialogue}.{len(threads)}")
                    sent[threads[-1]] = 0
            for thread, count in sent.items():
                if count and negotiator.state(thread)["turn"] != count:
                    raise RuntimeError(f"thread {thread} did not keep its {count} turns")
            if sum(sent.values()) != turns:
                raise RuntimeError(f"dialogue {dialogue} timed {sum(sent.values())} turns, not {turns}")
        db_kb = sum(path.stat().st_size for path in Path(folder).glob("bench.db*")) / 1024

    timings_ms = np.array(timings_ns, dtype=np.float64) / 1e6
    return {
        "turn_ms_p50": round(float(np.percentile(timings_ms, 50)), 3),
        "turn_ms_p95": round(float(np.percentile(timings_ms, 95)), 3),
        "turn_ms_mean": round(float(timings_ms.mean()), 3),
        "turn_ms_max": round(float(timings_ms.max()), 3),
        "turns_per_s": round(len(timings_ms) / (float(timings_ms.sum()) / 1000), 1),
        "rss_mb": round(rss_mb(), 1),
        "rss_peak_mb": round(peak_rss_mb(), 1),
        "turns": len(timings_ms),
        "dialogues": dialogues,
        "turns_per_dialogue": turns,
        "warmup_turn_ms": round(warmup_ms, 1),
        "import_s": round(import_s, 3),
        "open_s": round(open_s, 3),
        "db_kb": round(db_kb, 1),
        "stances": dict(sorted(stances.items())),
        "outcomes": dict(sorted(outcomes.items())),
        "sensor": sensor,
        "policy": "eq",
        "responder": "offline",
        "checkpointer": "sqlite",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dialogues", type=int, default=40, help="dialogues, each on its own thread")
    parser.add_argument("--turns", type=int, default=5, help="client turns per dialogue")
    parser.add_argument("--sensor", default="embedded", help="sensor spec (default: embedded, as Context())")
    args = parser.parse_args()
    if args.dialogues < 1 or args.turns < 1:
        parser.error("--dialogues and --turns must be positive")
    figures = run(args.dialogues, args.turns, args.sensor)
    print(
        f"{figures['turns']} turns ({figures['dialogues']} dialogues x {figures['turns_per_dialogue']}): "
        f"p50 {figures['turn_ms_p50']:.2f} ms, p95 {figures['turn_ms_p95']:.2f} ms, "
        f"mean {figures['turn_ms_mean']:.2f} ms, max {figures['turn_ms_max']:.2f} ms"
    )
    print(
        f"start-up: imports {figures['import_s']:.2f} s, open (sensor load) {figures['open_s']:.2f} s, "
        f"warm-up turn {figures['warmup_turn_ms']:.1f} ms"
    )
    print(f"memory: RSS {figures['rss_mb']:.1f} MB now, {figures['rss_peak_mb']:.1f} MB peak")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
