"""How fast the operator console's pages are over a database of 1,000 threads.

The database is filled honestly, by a direct loop through ``Negotiator.send`` as ``eqn chat`` writes (offline
responder, ``eq`` policy, SQLite checkpointer with full history): no thread is copied. Thread ``i`` plays the first
``1 + i % 6`` lines of the ``eqn demo`` client (so threads have 1 to 6 turns, and some reach an agreement), every
25th one opens with a crisis instead (handed to a person, so the queue has 40 waiting threads) and every 7th agrees
at once. The sensor is the light TF-IDF one (``--sensor``): it only speeds the filling up, since the console reads
saved readings and never senses. Filling takes about four minutes on a busy 2-core machine.

Then the pages are requested in this process through Starlette's test client (the whole application: routing,
database reads, templates, the chart; not the network): the thread list (first page, and the last), and thread
pages of threads drawn at random (seeded). One request of each is made first and not timed. Target: under 300 ms
per page.

Usage: python benchmarks/console.py [--threads 1000] [--requests 60] [--db sqlite:///path.db]
The last line printed is one JSON object (list_ms_p50, list_ms_p95, thread_ms_p50, thread_ms_p95, ...).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout as `python benchmarks/console.py`
    sys.path.insert(0, str(ROOT))

from eq_negotiator.cli.negotiate import DEMO_SCRIPT  # noqa: E402
from eq_negotiator.graph import Context, Negotiator, open_negotiator  # noqa: E402

CRISIS = "Honestly I just want to end it all."


def fill(negotiator: Negotiator, threads: int) -> dict[str, int]:
    """Write ``threads`` dialogues (see the module docstring); how many ended in each status."""
    statuses: dict[str, int] = {}
    for index in range(threads):
        thread_id = f"client-{index:05d}"
        if index % 25 == 0:
            lines: tuple[str, ...] = (CRISIS,)
        elif index % 7 == 0:
            lines = ("Hello, I got your letter.", "Fine, I accept the 30 days.")
        else:
            lines = DEMO_SCRIPT[: 1 + index % len(DEMO_SCRIPT)]
        status = "ongoing"
        for line in lines:
            status = negotiator.send(thread_id, line).status
            if status != "ongoing":
                break
        statuses[status] = statuses.get(status, 0) + 1
    return statuses


def timed(request: Callable[[], Any], times: int) -> list[float]:
    """Milliseconds of each of ``times`` calls of ``request``, after one untimed call."""
    request()
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        request()
        spent.append((time.perf_counter() - began) * 1000)
    return spent


def percentiles(name: str, spent: list[float]) -> dict[str, float]:
    return {
        f"{name}_ms_p50": round(float(np.percentile(spent, 50)), 1),
        f"{name}_ms_p95": round(float(np.percentile(spent, 95)), 1),
    }


def run(db: str, threads: int, requests: int, sensor: str, seed: int) -> dict[str, Any]:
    from starlette.testclient import TestClient

    from eq_negotiator.console.app import PAGE_SIZE, create_app
    from eq_negotiator.graph.catalog import list_threads

    writer = open_negotiator(db, context=Context(sensor=sensor))
    began = time.perf_counter()
    statuses = fill(writer, threads)
    fill_s = time.perf_counter() - began

    reader = open_negotiator(db, context=Context(sensor="tfidf"))
    client = TestClient(create_app(reader, db_label="benchmark"), base_url="http://127.0.0.1")
    listing = list_threads(reader.graph.checkpointer)
    last_page = max(1, -(-listing.total // PAGE_SIZE))
    chooser = random.Random(seed)
    names = [f"client-{index:05d}" for index in range(threads)]

    def get(path: str) -> None:
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path}: {response.status_code} {response.text[:300]}")

    figures: dict[str, Any] = {"threads": listing.total, "waiting": listing.waiting, "statuses": statuses}
    figures["fill_s"] = round(fill_s, 1)
    figures |= percentiles("list", timed(lambda: get("/"), requests))
    figures |= percentiles("list_last_page", timed(lambda: get(f"/?page={last_page}"), requests))
    figures |= percentiles("thread", timed(lambda: get(f"/threads/{chooser.choice(names)}"), requests))
    figures |= {"page_size": PAGE_SIZE, "requests": requests, "target_ms": 300}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--threads", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=60, help="Timed requests per page kind.")
    parser.add_argument("--db", help="An empty database to fill (default: a temporary SQLite file).")
    parser.add_argument("--sensor", default="tfidf", help="The sensor the filling uses (the console reads only).")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or f"sqlite:///{Path(folder) / 'console.db'}"
        figures = run(db, args.threads, args.requests, args.sensor, args.seed)
    for key, value in figures.items():
        print(f"{key}: {value}", file=sys.stderr)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
