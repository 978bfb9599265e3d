"""Concurrent dialogues against a shared database: throughput, turn latency, lost turns and checkpoint bytes.

``--dialogues`` dialogues (default 200) of ``--turns`` client turns each (default 10) run at the same time, spread
over ``--workers`` worker processes that share one database, as stateless workers behind a load balancer would.
Inside a worker every dialogue is an asyncio task that sends its turns one after another through the sync
:class:`~eq_negotiator.graph.session.Negotiator` on a pool of ``--threads`` threads (``asyncio.to_thread``). Each
worker builds its negotiator and answers one warm-up turn first; the clock starts when every worker is ready.
The default, 4 workers of 2 threads, was the fastest of the layouts measured on a 2-core machine (2x4, 3x2, 4x2,
6x1): more processes spread the GIL-bound graph work, and 2 threads each overlap the database round trips.

Every turn runs the whole graph with the offline responder and the ``eq`` policy. The default sensor is ``tfidf``
(about 1 ms a reading) rather than the embedded transformer (about 6 ms of the 2 cores' time): this benchmark
measures persistence and graph throughput, and ``benchmarks/turn.py`` already times the sensor. The scripted client
cycles realistic debtor lines (worry, anger, contempt, distress, surprise, questions) that never settle on terms and
never raise a client-rights event, and ``Context.max_rounds`` is set above ``--turns``, so every dialogue stays
open for all its turns.

Afterwards every dialogue is read back from the database: its client messages must equal the lines sent, in order,
each followed by exactly one reply, and its turn counter must equal the turns sent. A turn that raised, or that is
missing or out of place in the saved thread, counts as lost. ``bytes_per_turn`` is the checkpoint payload stored
(SQLite: ``length()`` of the checkpoint and write blobs; PostgreSQL: ``pg_column_size``/``octet_length`` of the
checkpoint rows, blobs and writes) divided by the turns; ``disk_bytes_per_turn`` adds what the database spends
around it (SQLite: the file's used pages, store included; PostgreSQL: ``pg_total_relation_size`` of the three
tables, with TOAST and indexes), and is given only for a database this run created. ``p95_ms`` is the latency a
client sees (queueing for a worker thread included, so it grows with the dialogues in flight); ``service_p95_ms``
is the time a thread spent on the turn.

PostgreSQL: ``--postgres-url`` (a database this may create tables in), else a throwaway server is started the way
the tests do (``tests/postgres_server.py``: ``initdb`` and ``pg_ctl`` on PATH), else it is skipped.

Usage: python benchmarks/load.py [--dialogues 200] [--turns 10] [--workers 4] [--threads 2] [--sensor tfidf]
       [--backends sqlite,postgres] [--postgres-url URL] [--durability turn] [--history full]
The last line printed is one JSON object ``{"sqlite": {...}, "postgres": {...}}`` with turns_per_s, p95_ms,
lost_turns and bytes_per_turn for each backend (and ``skipped`` for one that could not run).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import sqlite3
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

CLIENT_LINES: tuple[str, ...] = (
    "Hi, I got your letter about the overdue balance. I lost some hours at work and I'm scared I can't pay it.",
    "That's impossible. You people always want everything at once!",
    "I'm sorry. I'm just really stressed about money right now and I don't know what to do.",
    "This is ridiculous. I've been a customer for years and this is how you treat me?",
    "Wait, what? I had no idea the balance had grown that much. When did the fees get added?",
    "Honestly, I'm sick of these calls. It's disgusting how you chase people.",
    "My wife is in hospital and every spare dollar goes to her bills. I feel like I'm drowning.",
    "What happens if I miss a payment? Will they take my car?",
    "Please send me the statement by email so I can check the numbers with my bank.",
)
"""What the scripted client says, cycled: no line names terms, accepts an offer or asserts a client right, and no two
refusals follow each other (three in a row are a breakdown), so a dialogue never agrees, breaks down or is handed to
a person, from any starting line, for at least 30 turns (checked: every turn must come back ``ongoing``)."""

CHECKPOINT_TABLES: dict[str, tuple[str, ...]] = {
    "sqlite": ("checkpoints", "writes"),
    "postgres": ("checkpoints", "checkpoint_blobs", "checkpoint_writes"),
}


def client_line(dialogue: int, turn: int) -> str:
    """The client's line for ``turn`` (from 0) of ``dialogue``: dialogues start at different lines."""
    return CLIENT_LINES[(dialogue + turn) % len(CLIENT_LINES)]


@dataclass(frozen=True)
class LoadConfig:
    """One backend's run."""

    spec: str
    dialogues: int = 200
    turns: int = 10
    workers: int = 4
    threads: int = 2
    sensor: str = "tfidf"
    durability: str = "turn"
    history: str = "full"
    run_id: str = ""
    fresh_database: bool = True

    def thread_id(self, dialogue: int) -> str:
        """The thread of ``dialogue``: unique per run, so runs against one database never meet."""
        return f"load-{self.run_id}-{dialogue}"


def _negotiator(config: LoadConfig) -> Any:
    from eq_negotiator.graph.context import Context
    from eq_negotiator.graph.session import open_negotiator

    # max_rounds above the turns: the round limit must not end a dialogue before its turns are used up.
    context = Context(sensor=config.sensor, max_rounds=max(15, config.turns + 1))
    return open_negotiator(
        config.spec,
        context=context,
        durability=config.durability,  # type: ignore[arg-type]
        history=config.history,  # type: ignore[arg-type]
    )


def _timed_send(negotiator: Any, thread: str, text: str) -> tuple[Any, int]:
    """``negotiator.send`` and how long it took once a thread ran it (the latency less the queueing)."""
    start = time.perf_counter_ns()
    result = negotiator.send(thread, text)
    return result, time.perf_counter_ns() - start


async def _dialogue(negotiator: Any, config: LoadConfig, dialogue: int, out: dict[str, Any]) -> None:
    thread = config.thread_id(dialogue)
    for turn in range(config.turns):
        start = time.perf_counter_ns()
        try:
            result, service_ns = await asyncio.to_thread(_timed_send, negotiator, thread, client_line(dialogue, turn))
        except Exception as error:  # counted as lost; the dialogue stops (later turns would be refused)
            out["errors"].append(f"{thread} turn {turn + 1}: {type(error).__name__}: {error}")
            return
        out["latencies_ns"].append(time.perf_counter_ns() - start)
        out["service_ns"].append(service_ns)
        if result.status != "ongoing":
            out["errors"].append(f"{thread} turn {turn + 1}: ended early ({result.status})")
            return


async def _run_dialogues(negotiator: Any, config: LoadConfig, dialogues: list[int]) -> dict[str, Any]:
    out: dict[str, Any] = {"latencies_ns": [], "service_ns": [], "errors": []}
    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(max_workers=config.threads))
    await asyncio.gather(*(_dialogue(negotiator, config, dialogue, out) for dialogue in dialogues))
    return out


def _worker(config: LoadConfig, dialogues: list[int], ready: Any, start: Any, results: Any) -> None:
    try:
        negotiator = _negotiator(config)
        negotiator.send(f"warmup-{config.run_id}-{os.getpid()}", CLIENT_LINES[0])
    except Exception:
        results.put({"failed": traceback.format_exc()})
        ready.wait()
        return
    ready.wait()
    start.wait()
    out = asyncio.run(_run_dialogues(negotiator, config, dialogues))
    out["finished"] = time.monotonic()
    results.put(out)


def run_load(config: LoadConfig) -> dict[str, Any]:
    """Run the dialogues of ``config`` on its workers, check every thread, and return the figures."""
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separately deployed workers are
    ready, start = context.Barrier(config.workers + 1), context.Event()
    results = context.Queue()
    shares = [list(range(worker, config.dialogues, config.workers)) for worker in range(config.workers)]
    processes = [
        context.Process(target=_worker, args=(config, share, ready, start, results), daemon=True) for share in shares
    ]
    setup_started = time.monotonic()
    for process in processes:
        process.start()
    ready.wait()
    setup_s = time.monotonic() - setup_started
    started = time.monotonic()
    start.set()
    outs = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    failed = [out["failed"] for out in outs if "failed" in out]
    if failed:
        raise RuntimeError(f"a worker could not start:\n{failed[0]}")
    wall_s = max(out["finished"] for out in outs) - started
    latencies_ms = np.array([ns for out in outs for ns in out["latencies_ns"]], dtype=np.float64) / 1e6
    service_ms = np.array([ns for out in outs for ns in out["service_ns"]], dtype=np.float64) / 1e6
    errors = [error for out in outs for error in out["errors"]]
    check = verify(config)
    turns = config.dialogues * config.turns
    stored = stored_bytes(config.spec, f"load-{config.run_id}-")
    return {
        "turns_per_s": round(len(latencies_ms) / wall_s, 1),
        "p95_ms": round(float(np.percentile(latencies_ms, 95)), 1) if len(latencies_ms) else None,
        "p50_ms": round(float(np.percentile(latencies_ms, 50)), 1) if len(latencies_ms) else None,
        "lost_turns": check["lost_turns"],
        "bytes_per_turn": round(stored["bytes"] / turns),
        "disk_bytes_per_turn": round(stored["disk_bytes"] / turns) if config.fresh_database else None,
        "service_p50_ms": round(float(np.percentile(service_ms, 50)), 1) if len(service_ms) else None,
        "service_p95_ms": round(float(np.percentile(service_ms, 95)), 1) if len(service_ms) else None,
        "dialogues": config.dialogues,
        "turns": turns,
        "answered_turns": len(latencies_ms),
        "errors": len(errors),
        "first_errors": errors[:3],
        "workers": config.workers,
        "threads": config.threads,
        "sensor": config.sensor,
        "durability": config.durability,
        "history": config.history,
        "wall_s": round(wall_s, 2),
        "setup_s": round(setup_s, 2),
    }


def verify(config: LoadConfig) -> dict[str, int]:
    """Read every dialogue back: lost turns are those sent but not saved as a client line followed by one reply."""
    from langchain_core.messages import AIMessage, HumanMessage

    negotiator = _negotiator(config)
    lost = 0
    for dialogue in range(config.dialogues):
        state = negotiator.state(config.thread_id(dialogue))
        messages = state.get("messages", [])
        kept = 0
        for turn in range(config.turns):
            pair = messages[2 * turn : 2 * turn + 2]
            if (
                len(pair) == 2
                and isinstance(pair[0], HumanMessage)
                and pair[0].text == client_line(dialogue, turn)
                and isinstance(pair[1], AIMessage)
                and pair[1].text.strip()
            ):
                kept += 1
            else:
                break
        extra = len(messages) != 2 * config.turns or state.get("turn") != config.turns
        lost += config.turns - kept + (1 if extra and kept == config.turns else 0)
    return {"lost_turns": lost}


def stored_bytes(spec: str, prefix: str) -> dict[str, int]:
    """Checkpoint payload bytes of the threads whose id starts with ``prefix``, and the checkpoint tables' disk bytes.

    Args:
        spec: The database.
        prefix: Thread id prefix (letters, digits and ``-`` only).
    """
    from eq_negotiator.graph.history import split_history

    spec = split_history(spec)[0]
    if spec.startswith("sqlite:///"):
        return _sqlite_bytes(spec.removeprefix("sqlite:///"), f"{prefix}%")
    return _postgres_bytes(spec, f"{prefix}%")


def _sqlite_bytes(path: str, pattern: str) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        payload = connection.execute(
            "SELECT (SELECT coalesce(sum(length(checkpoint) + length(metadata)), 0) FROM checkpoints"
            " WHERE thread_id LIKE :p) + (SELECT coalesce(sum(length(value)), 0) FROM writes WHERE thread_id LIKE :p)",
            {"p": pattern},
        ).fetchone()[0]
        pages, free, size = (connection.execute(f"PRAGMA {name}").fetchone()[0] for name in PAGE_PRAGMAS)
    return {"bytes": int(payload), "disk_bytes": int((pages - free) * size)}


PAGE_PRAGMAS = ("page_count", "freelist_count", "page_size")


def _postgres_bytes(url: str, pattern: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=10) as connection:
        payload = connection.execute(
            "SELECT (SELECT coalesce(sum(pg_column_size(checkpoint) + pg_column_size(metadata)), 0) FROM checkpoints"
            " WHERE thread_id LIKE %(p)s)"
            " + (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_blobs WHERE thread_id LIKE %(p)s)"
            " + (SELECT coalesce(sum(octet_length(blob)), 0) FROM checkpoint_writes WHERE thread_id LIKE %(p)s)",
            {"p": pattern},
        ).fetchone()
        disk = connection.execute(
            "SELECT sum(pg_total_relation_size(name::regclass)) FROM unnest(%s::text[]) AS name",
            (list(CHECKPOINT_TABLES["postgres"]),),
        ).fetchone()
    assert payload is not None and disk is not None
    return {"bytes": int(payload[0]), "disk_bytes": int(disk[0])}


@contextlib.contextmanager
def postgres_database(url: str | None) -> Iterator[str]:
    """``url``, else a new database on a throwaway server started as the tests start theirs.

    Raises:
        RuntimeError: If no URL is given and no server can be started (the reason says why).
    """
    if url:
        yield url
        return
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    try:
        from tests.postgres_server import start_postgres
    except ImportError as error:
        raise RuntimeError(f"no --postgres-url and no tests/postgres_server.py to start a server ({error})") from None
    with start_postgres() as server:
        yield server.new_database()


def run_backend(backend: str, config: LoadConfig, postgres_url: str | None) -> dict[str, Any]:
    """Run ``config`` on ``backend`` (``sqlite`` in a temporary folder, or ``postgres``)."""
    query = f"?history={config.history}" if config.history != "full" else ""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="eqn-load-") as folder:
            spec = f"sqlite:///{folder}/load.db{query}"
            return run_load(LoadConfig(**{**asdict(config), "spec": spec}))
    with postgres_database(postgres_url) as url:
        separator = "&" if "?" in url else "?"
        spec = f"{url}{separator}{query[1:]}" if query else url
        return run_load(LoadConfig(**{**asdict(config), "spec": spec, "fresh_database": postgres_url is None}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dialogues", type=int, default=200, help="concurrent dialogues (each its own thread id)")
    parser.add_argument("--turns", type=int, default=10, help="client turns per dialogue")
    parser.add_argument("--workers", type=int, default=4, help="worker processes sharing the database")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker running turns")
    parser.add_argument("--sensor", default="tfidf", help="sensor spec (default tfidf: see the module docstring)")
    parser.add_argument("--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--postgres-url", default=None, help="PostgreSQL database to use (else a throwaway server)")
    parser.add_argument("--durability", default="turn", choices=("turn", "sync", "async", "exit"))
    parser.add_argument("--history", default="full", choices=("full", "latest"))
    args = parser.parse_args()
    if min(args.dialogues, args.turns, args.workers, args.threads) < 1:
        parser.error("--dialogues, --turns, --workers and --threads must be positive")
    backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(backends) - set(CHECKPOINT_TABLES))
    if unknown or not backends:
        parser.error(f"--backends: unknown {', '.join(unknown) or '(none given)'}; choose from sqlite, postgres")
    config = LoadConfig(
        spec="",
        dialogues=args.dialogues,
        turns=args.turns,
        workers=min(args.workers, args.dialogues),
        threads=args.threads,
        sensor=args.sensor,
        durability=args.durability,
        history=args.history,
        run_id=uuid.uuid4().hex[:8],
    )
    figures: dict[str, Any] = {}
    for backend in backends:
        try:
            figures[backend] = run_backend(backend, config, args.postgres_url)
        except RuntimeError as error:
            figures[backend] = {"skipped": str(error)}
            print(f"{backend}: skipped ({error})", file=sys.stderr)
            continue
        result = figures[backend]
        print(
            f"{backend}: {result['answered_turns']}/{result['turns']} turns in {result['wall_s']:.1f} s = "
            f"{result['turns_per_s']:.1f} turns/s ({result['workers']} workers x {result['threads']} threads), "
            f"p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, lost {result['lost_turns']}, "
            f"{result['bytes_per_turn']} B/turn stored ({result['disk_bytes_per_turn']} B/turn on disk)"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
