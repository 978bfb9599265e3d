"""Latency and memory of one full client turn of the graph, without an LLM, beside its two floors.

Each turn runs the whole graph as ``eqn chat`` does: the embedded emotion sensor (default ``Context``), the ``eq``
policy, the offline responder and a SQLite checkpointer (and store) in a temporary folder, through
``Negotiator.send``. Dialogues cycle through realistic debtor lines of different emotions; one warm-up turn on its
own thread is run (and not timed) first, so start-up costs are reported apart. Every turn passes the whole graph:
rights check, offer tracking, strategy, reply and compliance guard. A negotiation that ends before its dialogue's
turns are used up (agreed, broken down, or handed to a person) closes (the policy learns from it) and goes on with a
new client on a fresh thread, so every dialogue still times ``--turns`` turns; ``outcomes`` counts how the
negotiations ended.

Two floors are timed in the same run, interleaved with the turns so that they share the machine's load:

- ``sensor_ms_p50``: the sensor reading one message (one encoder pass: its feature cache is cleared first, as it is
  before every timed turn, since real client messages are new);
- ``graph_floor_ms_p50``: a bare LangGraph graph with as many trivial nodes as a turn passes, on the same kind of
  checkpointer (its own SQLite file) with the same durability (``"turn"``: two runs, as ``Negotiator`` does).

``overhead_ms`` = turn p50 - sensor p50 - graph floor p50 is the work a turn does beyond them: our nodes' domain code,
the session's checks, and serialising a larger state. Targets (2-core CPU): overhead <= 3 ms, RSS <= 300 MB after
dialogues have closed and learned.

Profiling one turn (how the overhead was found):

- py-spy, sampling the whole benchmark (native frames show torch)::

    py-spy record -o turn.svg --rate 500 -- python benchmarks/turn.py --dialogues 100
    py-spy top -- python benchmarks/turn.py --dialogues 200

- cProfile, sorted by own time (``--profile`` profiles only the timed turns, not start-up)::

    python benchmarks/turn.py --profile turn.prof
    python -m pstats turn.prof    # then: sort tottime, stats 30 (own time); sort cumtime, stats 40 (by caller)

- what each import costs at start-up: ``python -X importtime -c "import eq_negotiator.graph.session" 2>&1 | sort
  -t'|' -k2 -n | tail``.

Usage: python benchmarks/turn.py [--dialogues 40] [--turns 5] [--sensor embedded] [--profile FILE]
The last line printed is one JSON object with turn_ms_p50, turn_ms_p95, sensor_ms_p50, graph_floor_ms_p50,
overhead_ms, rss_mb, rss_peak_mb, turns and more.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any, Final

import numpy as np
from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

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


HEAVY_MODULES: Final[tuple[str, ...]] = ("torch", "transformers", "sklearn", "scipy", "hmmlearn", "nashpy")
"""Modules whose presence after the run is reported (``heavy_modules``): each costs tens of MB of RSS."""


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


class _FloorState(TypedDict, total=False):
    """The bare graph's state: the messages channel the real graph has, and a turn counter."""

    messages: Annotated[list[AnyMessage], add_messages]
    turn: int


class BareGraph:
    """A LangGraph graph of ``nodes`` trivial steps on a checkpointer: what any turn costs LangGraph itself.

    Each run adds the client's message and an agent reply (so its checkpoints grow with the dialogue as a turn's
    messages do) and runs with the same durability as :class:`~eq_negotiator.graph.session.Negotiator`.
    """

    def __init__(self, checkpointer: Any, nodes: int, durability: str) -> None:
        from langchain_core.messages import AIMessage
        from langgraph.graph import START, StateGraph

        def step(state: _FloorState) -> dict[str, Any]:
            return {}

        def reply(state: _FloorState) -> dict[str, Any]:
            return {"messages": [AIMessage("noted")], "turn": state.get("turn", 0) + 1}

        graph = StateGraph(_FloorState)
        names = [f"node_{i}" for i in range(nodes)]
        for name in names[:-1]:
            graph.add_node(name, step)
        graph.add_node(names[-1], reply)
        graph.add_edge(START, names[0])
        for before, after in itertools.pairwise(names):
            graph.add_edge(before, after)
        self.graph: Any = graph.compile(checkpointer=checkpointer)  # invoked with durability as a plain str
        self.first = names[0]
        self.durability = durability

    def send(self, thread: str, text: str) -> None:
        """One turn: as ``Negotiator`` runs it (``"turn"``: save the message, then run the steps)."""
        from langchain_core.messages import HumanMessage

        config: Any = {"configurable": {"thread_id": thread}}
        payload: dict[str, Any] | None = {"messages": [HumanMessage(text)]}
        durability = self.durability
        if durability == "turn":
            self.graph.invoke(payload, config, durability="sync", interrupt_before=[self.first])
            payload, durability = None, "exit"
        self.graph.invoke(payload, config, durability=durability)


def _clear_cache(sensor: Any) -> None:
    """Forget the sensor's cached encoder passes, so the next read runs the encoder (a real client's new message)."""
    encoder = getattr(sensor, "perception", None)
    if encoder is not None and hasattr(encoder, "clear_cache"):
        encoder.clear_cache()


def _p(values_ns: list[int], q: float) -> float:
    return round(float(np.percentile(np.array(values_ns, dtype=np.float64) / 1e6, q)), 3)


def run(dialogues: int, turns: int, sensor_spec: str = "embedded", profile: str | None = None) -> dict[str, Any]:
    started = time.perf_counter()
    from eq_negotiator.graph.builder import TURN_NODES
    from eq_negotiator.graph.context import Context
    from eq_negotiator.graph.persistence import open_checkpointer, prepare_persistence
    from eq_negotiator.graph.session import DEFAULT_DURABILITY, open_negotiator
    from eq_negotiator.sensing import load_sensor

    import_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="eqn-bench-") as folder:
        started = time.perf_counter()
        # Default Context: eq policy, offline responder; the sensor is loaded here so its floor can be timed alone.
        context = Context(sensor=sensor_spec)
        sensor = load_sensor(sensor_spec)
        negotiator = open_negotiator(f"sqlite:///{folder}/bench.db", context=context, sensor=sensor)
        open_s = time.perf_counter() - started
        floor_saver = open_checkpointer(f"sqlite:///{folder}/floor.db")
        prepare_persistence(floor_saver, None)
        bare = BareGraph(floor_saver, len(TURN_NODES), DEFAULT_DURABILITY)

        started = time.perf_counter()
        negotiator.send("warm-up", DEBTOR_LINES[0])
        warmup_ms = (time.perf_counter() - started) * 1000
        bare.send("warm-up", DEBTOR_LINES[0])

        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        turn_ns: list[int] = []
        sensor_ns: list[int] = []
        floor_ns: list[int] = []
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
                # The three timings are interleaved so that they share the machine's load.
                _clear_cache(sensor)
                start = time.perf_counter_ns()
                sensor.read(text)
                sensor_ns.append(time.perf_counter_ns() - start)
                start = time.perf_counter_ns()
                bare.send(f"floor-{dialogue}", text)
                floor_ns.append(time.perf_counter_ns() - start)
                _clear_cache(sensor)
                if profiler is not None:
                    profiler.enable()
                start = time.perf_counter_ns()
                result = negotiator.send(thread, text)
                turn_ns.append(time.perf_counter_ns() - start)
                if profiler is not None:
                    profiler.disable()
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
        if profiler is not None and profile:
            profiler.dump_stats(profile)

    timings_ms = np.array(turn_ns, dtype=np.float64) / 1e6
    turn_p50, sensor_p50, floor_p50 = _p(turn_ns, 50), _p(sensor_ns, 50), _p(floor_ns, 50)
    return {
        "turn_ms_p50": turn_p50,
        "turn_ms_p95": _p(turn_ns, 95),
        "sensor_ms_p50": sensor_p50,
        "graph_floor_ms_p50": floor_p50,
        "overhead_ms": round(turn_p50 - sensor_p50 - floor_p50, 3),
        "turn_ms_mean": round(float(timings_ms.mean()), 3),
        "turn_ms_max": round(float(timings_ms.max()), 3),
        "turns_per_s": round(len(timings_ms) / (float(timings_ms.sum()) / 1000), 1),
        "rss_mb": round(rss_mb(), 1),
        "rss_peak_mb": round(peak_rss_mb(), 1),
        "heavy_modules": [name for name in HEAVY_MODULES if name in sys.modules],
        "turns": len(timings_ms),
        "dialogues": dialogues,
        "turns_per_dialogue": turns,
        "graph_nodes": len(TURN_NODES),
        "durability": DEFAULT_DURABILITY,
        "warmup_turn_ms": round(warmup_ms, 1),
        "import_s": round(import_s, 3),
        "open_s": round(open_s, 3),
        "db_kb": round(db_kb, 1),
        "stances": dict(sorted(stances.items())),
        "outcomes": dict(sorted(outcomes.items())),
        "sensor": sensor_spec,
        "policy": "eq",
        "responder": "offline",
        "checkpointer": "sqlite",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--dialogues", type=int, default=40, help="dialogues, each on its own thread")
    parser.add_argument("--turns", type=int, default=5, help="client turns per dialogue")
    parser.add_argument("--sensor", default="embedded", help="sensor spec (default: embedded, as Context())")
    parser.add_argument("--profile", metavar="FILE", help="write a cProfile of the timed turns to FILE")
    args = parser.parse_args()
    if args.dialogues < 1 or args.turns < 1:
        parser.error("--dialogues and --turns must be positive")
    figures = run(args.dialogues, args.turns, args.sensor, args.profile)
    print(
        f"{figures['turns']} turns ({figures['dialogues']} dialogues x {figures['turns_per_dialogue']}): "
        f"p50 {figures['turn_ms_p50']:.2f} ms, p95 {figures['turn_ms_p95']:.2f} ms, "
        f"mean {figures['turn_ms_mean']:.2f} ms, max {figures['turn_ms_max']:.2f} ms"
    )
    print(
        f"floors: sensor (one encoder pass) p50 {figures['sensor_ms_p50']:.2f} ms, bare {figures['graph_nodes']}-node "
        f"graph ({figures['durability']} durability) p50 {figures['graph_floor_ms_p50']:.2f} ms; "
        f"overhead {figures['overhead_ms']:.2f} ms"
    )
    print(
        f"start-up: imports {figures['import_s']:.2f} s, open (sensor load) {figures['open_s']:.2f} s, "
        f"warm-up turn {figures['warmup_turn_ms']:.1f} ms"
    )
    print(
        f"memory: RSS {figures['rss_mb']:.1f} MB now, {figures['rss_peak_mb']:.1f} MB peak; "
        f"heavy modules loaded: {', '.join(figures['heavy_modules']) or 'none'}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
