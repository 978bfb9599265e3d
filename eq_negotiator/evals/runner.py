"""Agent-vs-agent simulation runner: scenarios × personas × policies × seeds, resumable, in parallel.

Every dialogue runs the real turn graph (sensor, history, strategy, offers, reply, compliance guard) against a
simulated debtor, on an in-memory checkpointer that is emptied after each dialogue. Dialogues are independent of each
other and of the order they run in: each has its own seed, and the policy's cross-dialogue learning is off
(``Context.learn=False``), so a rerun, another worker count or a resumed run gives the same record for the same
dialogue.

Output folder:

- ``dialogues.jsonl``: one record per finished dialogue (see :mod:`eq_negotiator.evals.records`), appended and
  flushed as each dialogue ends, so an interrupted run loses at most the dialogues in flight.
- ``run.json``: the settings that decide a dialogue's result (debtor, creditor model, sensor, scenario source...).
  A rerun into the same folder skips the dialogues already there; a rerun with different result-deciding settings is
  refused, since its records could not be compared with the ones already written.
- ``summary.json``, ``report.md``, ``report.html`` (and the plots): written at the end from every record of the run.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from eq_negotiator.scenario import Scenario

if TYPE_CHECKING:
    from eq_negotiator.sensing.perception import PerceptionEncoder

logger = logging.getLogger(__name__)

DIALOGUES_FILE: Final[str] = "dialogues.jsonl"
SUMMARY_FILE: Final[str] = "summary.json"
RUN_FILE: Final[str] = "run.json"
COMPARISON_FILE: Final[str] = "comparison.json"

OFFLINE: Final[str] = "offline"
SCRIPTED: Final[str] = "scripted"

DEFAULT_BATCH: Final[int] = 32
"""Dialogues a worker advances together by default (see :meth:`DialogueSimulator.run_many`)."""


class SimulationError(RuntimeError):
    """A simulation cannot run as asked (bad settings, or an output folder written with other settings)."""


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate and how.

    Attributes:
        scenarios: Scenario source: ``builtin``, ``builtin:<n>``, ``csv:<path>``, ``json:<path>``, ``jsonl:<path>``
            or ``hf:<dataset>`` (see :func:`eq_negotiator.simulation.load_scenarios`).
        rows: Inclusive range of scenario rows to use (``None``: all).
        personas: Debtor personas (names from :data:`eq_negotiator.simulation.PERSONAS`).
        policies: Creditor policies (names from :data:`eq_negotiator.reasoning.POLICY_NAMES`).
        seeds: Seeds per (scenario, persona, policy): ``0 .. seeds-1``.
        debtor: ``scripted`` or a ``provider:model`` chat model playing the debtor.
        creditor_model: ``offline`` (the offline responder) or a ``provider:model`` chat model writing the
            creditor's replies.
        base_url: OpenAI-compatible server for the chat models, if any.
        sensor: Emotion sensor spec of the creditor.
        max_rounds: Client turns before a negotiation ends without agreement.
        concession_curve: The creditor's concession curve.
        workers: Worker processes (each loads the sensor once).
        batch: Dialogues each worker advances together, their client messages read in one encoder batch per
            round (1: one dialogue at a time). Records are the same either way, so it is not a result setting.
    """

    scenarios: str = "builtin"
    rows: tuple[int, int] | None = None
    personas: tuple[str, ...] = ()
    policies: tuple[str, ...] = ("eq",)
    seeds: int = 1
    debtor: str = SCRIPTED
    creditor_model: str = OFFLINE
    base_url: str | None = None
    sensor: str = "embedded"
    max_rounds: int = 15
    concession_curve: str = "linear"
    workers: int = 1
    batch: int = DEFAULT_BATCH

    def __post_init__(self) -> None:
        if self.seeds < 1:
            raise SimulationError(f"seeds must be at least 1, not {self.seeds}")
        if self.workers < 1:
            raise SimulationError(f"workers must be at least 1, not {self.workers}")
        if self.batch < 1:
            raise SimulationError(f"batch must be at least 1, not {self.batch}")
        if not self.policies:
            raise SimulationError("at least one policy is needed")

    def result_settings(self) -> dict[str, Any]:
        """The settings that decide each dialogue's result (recorded in ``run.json`` and checked on resume)."""
        return {
            "scenarios": self.scenarios,
            "debtor": self.debtor,
            "creditor_model": self.creditor_model,
            "base_url": self.base_url,
            "sensor": self.sensor,
            "max_rounds": self.max_rounds,
            "concession_curve": self.concession_curve,
        }


@dataclass(frozen=True)
class DialogueJob:
    """One dialogue to simulate."""

    scenario: Scenario
    persona: str
    policy: str
    seed: int

    @property
    def scenario_id(self) -> str:
        """The scenario's id (``scenario`` when it has none)."""
        return self.scenario.id or "scenario"

    @property
    def id(self) -> str:
        """The dialogue's id in records: ``<scenario>|<persona>|<policy>|s<seed>``."""
        return f"{self.scenario_id}|{self.persona}|{self.policy}|s{self.seed}"

    @property
    def thread_id(self) -> str:
        """A valid thread id for the dialogue's checkpoint (thread ids allow no ``|``)."""
        safe = "".join(c if c.isalnum() or c in "._:-" else "-" for c in f"{self.scenario_id}.{self.persona}")
        return f"sim.{safe}.{self.policy}.s{self.seed}"[:128]


@dataclass
class SimulationResult:
    """What a simulation run produced.

    Attributes:
        out_dir: The output folder.
        records: Every dialogue record of the run's jobs (latest record per dialogue).
        summary: The summary written to ``summary.json``.
        ran: Dialogues simulated by this call.
        skipped: Dialogues found finished in the folder and not run again.
        errors: Dialogues that failed (recorded with status ``error``; a rerun retries them).
        elapsed_s: Wall time of the simulation part of this call.
        comparison: The paired comparison, for :func:`compare_policies`.
    """

    out_dir: Path
    records: list[dict[str, Any]]
    summary: dict[str, Any]
    ran: int = 0
    skipped: int = 0
    errors: int = 0
    elapsed_s: float = 0.0
    comparison: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)


def plan_jobs(config: SimulationConfig) -> tuple[list[DialogueJob], list[str]]:
    """The dialogues ``config`` asks for, and the scenario rows that could not be loaded.

    Raises:
        SimulationError: For an unknown persona or policy, or a scenario source with no usable row.
    """
    from eq_negotiator.reasoning import make_policy
    from eq_negotiator.simulation import PERSONAS, ScenarioLoadError, load_scenarios

    personas = config.personas or tuple(PERSONAS)
    unknown = [name for name in personas if name not in PERSONAS]
    if unknown:
        raise SimulationError(f"unknown persona(s) {', '.join(unknown)}; valid: {', '.join(PERSONAS)}")
    for policy in config.policies:
        try:
            make_policy(policy)
        except ValueError as error:
            raise SimulationError(str(error)) from error
    try:
        loaded = load_scenarios(config.scenarios, rows=config.rows)
    except ScenarioLoadError as error:
        raise SimulationError(str(error)) from error
    problems = [str(problem) for problem in loaded.errors]
    jobs = [
        DialogueJob(scenario, persona, policy, seed)
        for scenario in loaded.scenarios
        for persona in personas
        for policy in config.policies
        for seed in range(config.seeds)
    ]
    ids = [job.id for job in jobs]
    if len(set(ids)) != len(ids):
        raise SimulationError("scenario ids are not unique; give every scenario its own id")
    return jobs, problems


class DialogueSimulator:
    """Runs dialogues on one compiled graph (one per worker): the sensor and models are loaded once.

    Args:
        config: The simulation settings.
    """

    def __init__(self, config: SimulationConfig) -> None:
        from langgraph.checkpoint.base import BaseCheckpointSaver

        from eq_negotiator.graph.context import Context
        from eq_negotiator.graph.session import open_negotiator
        from eq_negotiator.sensing import load_sensor

        self.config = config
        self.base_context = Context(
            model=None if config.creditor_model == OFFLINE else config.creditor_model,
            base_url=config.base_url,
            sensor=config.sensor,
            max_rounds=config.max_rounds,
            concession_curve=config.concession_curve,
            learn=False,
        )
        # Loaded here rather than by the graph's services so that run_many can prime its encoder.
        self.sensor = load_sensor(config.sensor)
        # Checks the settings and loads the models once; each dialogue gets a Negotiator over this graph.
        self.graph = open_negotiator("memory", context=self.base_context, sensor=self.sensor).graph
        checkpointer = self.graph.checkpointer
        assert isinstance(checkpointer, BaseCheckpointSaver)  # open_negotiator always compiles with one
        self.checkpointer = checkpointer
        self._debtor_model: Any = None

    def _debtor(self, job: DialogueJob) -> Any:
        from eq_negotiator.simulation import LLMDebtor, make_debtor

        if self.config.debtor == SCRIPTED:
            return make_debtor(SCRIPTED, job.persona, job.scenario, job.seed, max_rounds=self.config.max_rounds)
        if self._debtor_model is None:  # one client for every dialogue of this worker
            from eq_negotiator.responders.providers import resolve_chat_model

            self._debtor_model = resolve_chat_model(self.config.debtor, base_url=self.config.base_url)
        return LLMDebtor(self._debtor_model, job.persona, job.scenario)

    def run(self, job: DialogueJob) -> dict[str, Any]:
        """Simulate one dialogue and return its record (status ``error`` with the message if it failed)."""
        dialogue = self._start(job)
        while self._step(dialogue):
            pass
        return self._finish(dialogue)

    def run_many(self, jobs: Iterable[DialogueJob], batch: int = DEFAULT_BATCH) -> Iterator[dict[str, Any]]:
        """Simulate ``jobs`` ``batch`` at a time in lockstep rounds, yielding each record as its dialogue ends.

        Each round reads the newest client message of every dialogue in flight through the encoder in one batch,
        then advances each dialogue by one turn, whose sensor and rights check find that message's encoder pass
        cached; a dialogue that ends makes room for the next job. A dialogue's record is the one :meth:`run`
        gives (a test compares them): each has its own seed, debtor and thread, and the batched pass is bit for
        bit the pass of one message alone (:meth:`~eq_negotiator.sensing.perception.PerceptionEncoder.prime`).

        Why a primed cache and not a reading handed to the graph: the encoder's text cache is already where the
        sensor (``sense_emotion``) and the rights check (``check_rights``) meet, so priming it batches both
        without a second way into the graph, and whatever the sensor does with the features (grouping,
        calibration, flags) stays the one-message code. Sensors without that encoder (``tfidf``...) are read
        message by message inside the rounds: their batched arithmetic is not promised to match one message's.
        Nor is the encoder's under several torch threads (measured: with two threads, a 10-token message alone
        splits its products between the threads otherwise than inside a batch), so the encoder is primed only
        under one thread, the deployment :func:`share_cores` sets up with one worker per core; with more
        threads the rounds still run, message by message.

        Args:
            jobs: The dialogues.
            batch: Dialogues in flight at once (at most a quarter of the encoder's cache, so the round's
                messages stay cached until read).
        """
        if batch < 1:
            raise SimulationError(f"batch must be at least 1, not {batch}")
        encoder = self._encoder()
        if encoder is not None:
            batch = min(batch, max(1, encoder.cache_size // 4))
        queue = iter(jobs)
        live: list[_Dialogue] = []
        while True:
            while len(live) < batch and (job := next(queue, None)) is not None:
                live.append(self._start(job))
            if not live:
                return
            if encoder is not None:
                # The sensor reads the stripped message, the rights check the message as sent.
                texts = [text for d in live if d.move is not None for text in (d.move.text.strip(), d.move.text)]
                encoder.prime(texts)
            going: list[_Dialogue] = []
            for dialogue in live:
                if self._step(dialogue):
                    going.append(dialogue)
                else:
                    yield self._finish(dialogue)
            live = going

    def _encoder(self) -> PerceptionEncoder | None:
        """The sensor's shared encoder when it can be primed with a round's messages (see :meth:`run_many`)."""
        import torch

        from eq_negotiator.sensing.perception import PerceptionEncoder

        encoder = getattr(self.sensor, "perception", None)
        if not isinstance(encoder, PerceptionEncoder) or torch.get_num_threads() != 1:
            return None
        return encoder

    def _start(self, job: DialogueJob) -> _Dialogue:
        """A dialogue set up to its debtor's opening move (or its failure)."""
        from eq_negotiator.graph.session import Negotiator

        context = replace(self.base_context, scenario=job.scenario.to_state(), policy=job.policy, seed=job.seed)
        # "exit": the thread lives in memory for this dialogue only, so per-step durability would buy nothing.
        dialogue = _Dialogue(job, Negotiator(self.graph, context, durability="exit"), time.perf_counter())
        try:
            dialogue.debtor = self._debtor(job)
            dialogue.move = dialogue.debtor.opening()
        except Exception as failure:  # one failed dialogue is recorded and the run goes on
            self._failed(dialogue, failure)
        return dialogue

    def _step(self, dialogue: _Dialogue) -> bool:
        """Send the debtor's move and take its answer; whether the dialogue goes on."""
        from eq_negotiator.simulation import CreditorMove

        move = dialogue.move
        if move is None:
            return False
        dialogue.move = None
        try:
            result = dialogue.negotiator.send(dialogue.job.thread_id, move.text)
            dialogue.debtor_turns.append(asdict(move))
            if result.status != "ongoing":
                return False
            offer_days = (result.offer or {}).get("days")
            dialogue.move = dialogue.debtor.respond(
                CreditorMove(text=result.reply, offer_days=offer_days, stance=result.stance)
            )
        except Exception as failure:  # one failed dialogue is recorded and the run goes on
            self._failed(dialogue, failure)
            return False
        return True

    @staticmethod
    def _failed(dialogue: _Dialogue, failure: Exception) -> None:
        dialogue.move = None
        dialogue.error = f"{type(failure).__name__}: {failure}"
        logger.warning("dialogue %s failed: %s", dialogue.job.id, dialogue.error)

    def _finish(self, dialogue: _Dialogue) -> dict[str, Any]:
        """The ended dialogue's record; its thread is deleted."""
        from eq_negotiator.evals.records import record_from_state

        job, thread = dialogue.job, dialogue.job.thread_id
        try:
            # A move is kept only once its turn was answered; a turn that failed part-way leaves its message
            # unanswered in the state, which record_from_state reads from there.
            return record_from_state(
                dialogue.negotiator.state(thread),
                dialogue_id=job.id,
                scenario_id=job.scenario_id,
                persona=job.persona,
                policy=job.policy,
                seed=job.seed,
                creditor_model=self.config.creditor_model,
                debtor=self.config.debtor,
                debtor_turns=dialogue.debtor_turns,
                elapsed_s=round(time.perf_counter() - dialogue.started, 4),
                error=dialogue.error,
                # A dialogue handed to a person on its first turn, or failed before one, has no scenario in state.
                scenario=job.scenario.to_state(),
            )
        finally:
            self.checkpointer.delete_thread(thread)


@dataclass
class _Dialogue:
    """A dialogue in flight: its job, its turn API, the debtor's next move and what happened so far."""

    job: DialogueJob
    negotiator: Any
    started: float
    debtor: Any = None
    move: Any = None
    """The debtor's move still to send (``None`` once the dialogue has ended)."""
    debtor_turns: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


# One simulator per worker process, built by the pool's initializer.
_WORKER: DialogueSimulator | None = None


def _init_worker(config: SimulationConfig) -> None:
    global _WORKER
    share_cores(config.workers)
    _WORKER = DialogueSimulator(config)


def share_cores(workers: int) -> None:
    """Give each of ``workers`` processes its share of the CPU cores for torch, so they do not oversubscribe."""
    import torch

    torch.set_num_threads(max(1, (os.cpu_count() or 1) // workers))


def _run_in_worker(jobs: list[DialogueJob]) -> list[dict[str, Any]]:
    assert _WORKER is not None, "worker not initialised"
    return list(_WORKER.run_many(jobs, _WORKER.config.batch)) if len(jobs) > 1 else [_WORKER.run(jobs[0])]


def read_records(path: Path) -> dict[str, dict[str, Any]]:
    """Records already in ``dialogues.jsonl``, latest per dialogue id.

    A torn last line (a run killed while writing) is cut off so the file can be appended to again; a malformed line
    anywhere else is an error, since it means the file was edited or corrupted.

    Raises:
        SimulationError: For a malformed line before the last one.
    """
    if not path.exists():
        return {}
    records: dict[str, dict[str, Any]] = {}
    data = path.read_bytes()
    lines = data.split(b"\n")
    good_bytes = 0
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            good_bytes += len(raw) + 1
            continue
        try:
            record = json.loads(raw)
            if not isinstance(record, dict) or "id" not in record:
                raise ValueError("not a dialogue record")
        except ValueError as error:
            if number == len(lines):  # torn final line: drop it
                with path.open("r+b") as handle:
                    handle.truncate(min(good_bytes, len(data)))
                logger.warning("dropped a torn last line in %s", path)
                break
            raise SimulationError(f"{path}: line {number} is not a dialogue record ({error})") from error
        records[str(record["id"])] = record
        good_bytes += len(raw) + 1
    return records


def _check_run_file(out_dir: Path, config: SimulationConfig) -> None:
    """Refuse to add to a folder whose records were made with other result-deciding settings."""
    path = out_dir / RUN_FILE
    settings = config.result_settings()
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8")).get("settings", {})
        except (OSError, ValueError) as error:
            raise SimulationError(f"{path} is unreadable ({error}); use a new --out folder") from error
        changed = {key: (previous.get(key), value) for key, value in settings.items() if previous.get(key) != value}
        if changed:
            detail = "; ".join(f"{key}: {old!r} -> {new!r}" for key, (old, new) in changed.items())
            raise SimulationError(
                f"{out_dir} holds dialogues simulated with other settings ({detail}); use a new --out folder"
            )
    else:
        path.write_text(json.dumps({"settings": settings}, indent=2) + "\n", encoding="utf-8")


def _append(handle: Any, record: dict[str, Any]) -> None:
    handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
    handle.flush()
    os.fsync(handle.fileno())


def _results(
    jobs: Sequence[DialogueJob], config: SimulationConfig, simulator: DialogueSimulator | None
) -> Iterator[dict[str, Any]]:
    """Run ``jobs`` and yield each record as it finishes (in process, or on a pool of worker processes).

    In process, records come one by one as dialogues end; a worker returns its share of ``config.batch`` dialogues
    at once, so an interrupted run loses at most the shares in flight.
    """
    if config.workers == 1 or len(jobs) <= 1:
        local = simulator or DialogueSimulator(config)
        if config.batch > 1:
            yield from local.run_many(jobs, config.batch)
        else:
            for job in jobs:
                yield local.run(job)
        return
    with ProcessPoolExecutor(max_workers=config.workers, initializer=_init_worker, initargs=(config,)) as pool:
        pending: set[Future[list[dict[str, Any]]]] = set()
        # A batch per worker split into a few shares: enough to keep each busy, few enough to stop soon on Ctrl-C.
        share = config.batch if config.batch == 1 else max(1, min(config.batch, len(jobs) // (2 * config.workers)))
        queue = iter([list(jobs[start : start + share]) for start in range(0, len(jobs), share)])
        for part in queue:
            pending.add(pool.submit(_run_in_worker, part))
            if len(pending) >= (4 if share == 1 else 2) * config.workers:
                break
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield from future.result()
                following = next(queue, None)
                if following is not None:
                    pending.add(pool.submit(_run_in_worker, following))


def simulate(
    config: SimulationConfig,
    out_dir: Path | str,
    *,
    progress: Callable[[int, int], None] | None = None,
    simulator: DialogueSimulator | None = None,
    report: bool = True,
    on_skipped: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Run the dialogues ``config`` asks for into ``out_dir`` (skipping finished ones) and write the results.

    Args:
        config: What to simulate.
        out_dir: Output folder (created if missing).
        progress: Called with (finished, total) after each dialogue.
        simulator: A ready simulator to reuse (in-process runs only), e.g. across calls in tests.
        report: Write ``report.md``/``report.html`` as well as ``summary.json``.
        on_skipped: Told each scenario row that could not be loaded, in full, before the run starts: the message
            names the row and its bad value, for the person who must fix it (the CLI prints it). Without it each
            is logged as a warning, masked like every package log record (logs may leave the machine).

    Raises:
        SimulationError: For bad settings, or an output folder written with other settings.
    """
    from eq_negotiator.evals.metrics import summarise

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs, problems = plan_jobs(config)
    for problem in problems:
        if on_skipped is not None:
            on_skipped(problem)
        else:
            logger.warning("scenario skipped: %s", problem)
    _check_run_file(out, config)
    path = out / DIALOGUES_FILE
    existing = read_records(path)
    finished = {key for key, record in existing.items() if record.get("outcome", {}).get("status") != "error"}
    todo = [job for job in jobs if job.id not in finished]
    started = time.perf_counter()
    errors = 0
    done = len(jobs) - len(todo)
    if progress is not None:
        progress(done, len(jobs))
    with path.open("a", encoding="utf-8") as handle:
        for record in _results(todo, config, simulator):
            existing[str(record["id"])] = record
            errors += record.get("outcome", {}).get("status") == "error"
            _append(handle, record)
            done += 1
            if progress is not None:
                progress(done, len(jobs))
    elapsed = time.perf_counter() - started
    records = [existing[job.id] for job in jobs if job.id in existing]
    summary = summarise(records, config=_config_json(config, problems), labels=run_labels(config))
    files = {"dialogues": str(path), "summary": str(out / SUMMARY_FILE)}
    (out / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    result = SimulationResult(out, records, summary, len(todo), len(jobs) - len(todo), errors, elapsed, files=files)
    if report:
        _write_report(result)
    return result


def compare_policies(
    config: SimulationConfig,
    out_dir: Path | str,
    *,
    baseline: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    simulator: DialogueSimulator | None = None,
    on_skipped: Callable[[str], None] | None = None,
) -> SimulationResult:
    """Simulate the same dialogues for each of ``config.policies`` and compare them pairwise with ``baseline``.

    Every policy meets the same scenarios, personas and seeds, so differences are paired per dialogue.

    Args:
        config: What to simulate; needs at least two policies.
        out_dir: Output folder.
        baseline: The policy the others are compared with (default: the first).
        progress: Called with (finished, total) after each dialogue.
        simulator: A ready simulator to reuse (in-process runs only).
        on_skipped: Told each scenario row that could not be loaded (see :func:`simulate`).

    Raises:
        SimulationError: For fewer than two policies or a baseline that is not among them.
    """
    from eq_negotiator.evals.metrics import compare

    if len(config.policies) < 2:
        raise SimulationError("compare needs at least two policies, e.g. --policies eq,vanilla")
    reference = baseline or config.policies[0]
    if reference not in config.policies:
        raise SimulationError(f"baseline {reference!r} is not among the policies {', '.join(config.policies)}")
    result = simulate(config, out_dir, progress=progress, simulator=simulator, report=False, on_skipped=on_skipped)
    result.comparison = compare(result.records, policies=list(config.policies), baseline=reference)
    path = result.out_dir / COMPARISON_FILE
    path.write_text(json.dumps(result.comparison, indent=2) + "\n", encoding="utf-8")
    result.files["comparison"] = str(path)
    _write_report(result)
    return result


def _write_report(result: SimulationResult) -> None:
    from eq_negotiator.evals.report import write_report

    markdown, html = write_report(result.summary, result.out_dir, records=result.records, comparison=result.comparison)
    result.files["report_md"] = str(markdown)
    result.files["report_html"] = str(html)


def run_labels(config: SimulationConfig) -> dict[str, str]:
    """How the results were obtained, for every summary and report."""
    from eq_negotiator.simulation import SCRIPTED_ASSUMPTIONS

    if config.debtor == SCRIPTED:
        debtor = f"scripted debtor (offline, seeded). {SCRIPTED_ASSUMPTIONS}"
    else:
        debtor = f"LLM debtor played by {config.debtor}"
    creditor = (
        "offline responder (seeded phrase banks; no LLM)"
        if config.creditor_model == OFFLINE
        else f"replies written by {config.creditor_model}"
    )
    return {"debtor": debtor, "creditor": creditor, "sensor": config.sensor}


def _config_json(config: SimulationConfig, problems: Iterable[str]) -> dict[str, Any]:
    data = asdict(config)
    data["rows"] = list(config.rows) if config.rows else None
    data["skipped_scenarios"] = list(problems)
    return data
