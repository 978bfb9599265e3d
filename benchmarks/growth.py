"""Checkpoint bytes stored per dialogue as it grows, keeping every checkpoint (``full``) or only the latest.

One dialogue of ``--turns`` client turns (default 30; ``Context.max_rounds`` raised above it, and the client lines
of ``benchmarks/load.py``, which never settle on terms) runs on each backend and history mode; after every turn
the thread's stored checkpoint payload is measured as in ``load.py``. A quadratic ``a + b*t + c*t^2`` is fitted
to bytes(t): under ``full`` every step re-serialises the state's growing lists and keeps the result, so ``c`` is
large and bytes(30)/bytes(10) approaches 9; under ``latest`` one checkpoint is kept, so the bytes grow linearly and
the ratio stays near 3.

Usage: python benchmarks/growth.py [--turns 30] [--backends sqlite,postgres] [--postgres-url URL] [--sensor tfidf]
The last line printed is one JSON object ``{backend: {history: {...}}}`` with bytes after turns 10, 20 and 30, the
ratio bytes(30)/bytes(10), the last turn's increment and the fit.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import uuid
from typing import Any

import numpy as np
from load import client_line, postgres_database, stored_bytes


def grow(spec: str, turns: int, sensor: str, history: str) -> dict[str, Any]:
    """Run one dialogue of ``turns`` turns on ``spec`` and measure its stored bytes after each turn."""
    from eq_negotiator.graph.context import Context
    from eq_negotiator.graph.session import open_negotiator

    negotiator = open_negotiator(
        spec,
        context=Context(sensor=sensor, max_rounds=turns + 1),
        history=history,  # type: ignore[arg-type]
    )
    thread = f"growth-{uuid.uuid4().hex[:8]}"
    sizes: list[int] = []
    for turn in range(turns):
        result = negotiator.send(thread, client_line(0, turn))
        if result.status != "ongoing":
            raise RuntimeError(f"the dialogue ended at turn {turn + 1} ({result.status}); growth needs it open")
        sizes.append(stored_bytes(spec, thread)["bytes"])
    t = np.arange(1, turns + 1, dtype=np.float64)
    c, b, a = np.polyfit(t, np.array(sizes, dtype=np.float64), 2)
    marks = {f"bytes_at_{mark}": sizes[mark - 1] for mark in (10, 20, 30) if mark <= turns}
    return {
        **marks,
        "ratio_30_10": round(sizes[29] / sizes[9], 2) if turns >= 30 else None,
        "last_turn_bytes": sizes[-1] - sizes[-2] if turns > 1 else sizes[0],
        "fit": {"a": round(a), "b": round(b), "c": round(c, 1)},
        "checkpoints_kept": len(list(negotiator.graph.get_state_history(negotiator.config(thread)))),
        "turns": turns,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--turns", type=int, default=30, help="client turns in the dialogue")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL database to use (else a throwaway server)")
    parser.add_argument("--sensor", default="tfidf", help="sensor spec")
    args = parser.parse_args()
    if args.turns < 2:
        parser.error("--turns must be at least 2")
    figures: dict[str, Any] = {}
    for backend in [name.strip() for name in args.backends.split(",") if name.strip()]:
        try:
            if backend == "sqlite":
                with tempfile.TemporaryDirectory(prefix="eqn-growth-") as folder:
                    spec = f"sqlite:///{folder}/growth.db"
                    figures[backend] = {mode: grow(spec, args.turns, args.sensor, mode) for mode in ("full", "latest")}
            elif backend == "postgres":
                with postgres_database(args.postgres_url) as url:
                    figures[backend] = {mode: grow(url, args.turns, args.sensor, mode) for mode in ("full", "latest")}
            else:
                parser.error(f"unknown backend {backend!r}; choose from sqlite, postgres")
        except RuntimeError as error:
            figures[backend] = {"skipped": str(error)}
            print(f"{backend}: skipped ({error})", file=sys.stderr)
            continue
        for mode, result in figures[backend].items():
            marks = [f"{key.removeprefix('bytes_at_')} turns {value / 1e3:.0f} kB" for key, value in result.items()
                     if key.startswith("bytes_at_")]  # fmt: skip
            print(
                f"{backend} {mode}: {', '.join(marks)}; ratio 30/10 {result['ratio_30_10']}, "
                f"last turn +{result['last_turn_bytes'] / 1e3:.1f} kB, {result['checkpoints_kept']} checkpoints kept"
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
