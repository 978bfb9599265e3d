"""The simulation runner end to end: output files, resumability, settings checks, failures, workers and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eq_negotiator.evals import runner
from eq_negotiator.evals.runner import (
    DialogueSimulator,
    SimulationConfig,
    SimulationError,
    compare_policies,
    read_records,
    simulate,
)
from tests.unit.simulation.test_scenarios import crad_row, write_csv

pytestmark = pytest.mark.integration

EQN = [sys.executable, "-c", "from eq_negotiator.cli import main; main()"]

# The TF-IDF sensor keeps these runs fast; the embedded sensor is exercised by the CLI test and the benchmark.
BASE = SimulationConfig(scenarios="builtin", rows=(0, 1), personas=("angry", "cheating"), sensor="tfidf")

ENTRY_KEYS = {
    "success_rate",
    "success_ci",
    "collection_rate",
    "savings_ratio",
    "rounds",
    "debtor_movement",
    "violations",
    "negative_emotion_rate_first",
    "negative_emotion_rate_last",
}


@pytest.fixture(scope="module")
def simulator() -> DialogueSimulator:
    return DialogueSimulator(BASE)


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its timing, which differs between runs."""
    return {key: value for key, value in record.items() if key != "elapsed_s"}


def test_writes_records_summary_and_report(tmp_path: Path, simulator: DialogueSimulator) -> None:
    result = simulate(BASE, tmp_path, simulator=simulator)
    assert result.ran == 4 and result.skipped == 0 and result.errors == 0
    records = [json.loads(line) for line in (tmp_path / "dialogues.jsonl").read_text().splitlines()]
    assert sorted(record["id"] for record in records) == sorted(
        f"builtin-{row:02d}|{persona}|eq|s0" for row in (1, 2) for persona in ("angry", "cheating")
    )
    for record in records:
        assert record["debtor"] == "scripted" and record["creditor_model"] == "offline"
        assert record["outcome"]["status"] in {"agreed", "breakdown", "max_rounds", "escalated"}
        assert len(record["turns"]) == record["outcome"]["rounds"] >= 1
        first = record["turns"][0]
        assert first["debtor"]["text"] and first["creditor"]["text"]
        assert len(first["reading"]["distribution"]) == 7
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["dialogues"] == 4
    assert set(summary["by_policy"]) == {"eq"} and set(summary["by_persona"]) == {"angry", "cheating"}
    for entry in [*summary["by_policy"].values(), *summary["by_persona"].values()]:
        assert set(entry) >= ENTRY_KEYS
        low, high = entry["success_ci"]
        assert 0 <= low <= entry["success_rate"] <= high <= 1
    assert "scripted" in summary["labels"]["debtor"]
    assert (tmp_path / "report.md").is_file() and (tmp_path / "report.html").is_file()


def test_rerun_skips_finished_dialogues_and_adds_new_ones(tmp_path: Path, simulator: DialogueSimulator) -> None:
    first = simulate(BASE, tmp_path, simulator=simulator, report=False)
    before = {record["id"]: _stable(record) for record in first.records}
    wider = SimulationConfig(**{**BASE.__dict__, "personas": ("angry", "cheating", "sad")})
    second = simulate(wider, tmp_path, simulator=simulator, report=False)
    assert second.skipped == 4 and second.ran == 2
    assert len(second.records) == 6
    # The finished dialogues were not run again: the file holds each id exactly once.
    lines = (tmp_path / "dialogues.jsonl").read_text().splitlines()
    assert len(lines) == 6
    for record in second.records:
        if record["id"] in before:
            assert _stable(record) == before[record["id"]]


def test_dialogues_are_reproducible(tmp_path: Path, simulator: DialogueSimulator) -> None:
    one = simulate(BASE, tmp_path / "one", simulator=simulator, report=False)
    two = simulate(BASE, tmp_path / "two", simulator=simulator, report=False)
    assert [_stable(record) for record in one.records] == [_stable(record) for record in two.records]


def test_torn_last_line_is_dropped_and_rerun(tmp_path: Path, simulator: DialogueSimulator) -> None:
    simulate(BASE, tmp_path, simulator=simulator, report=False)
    path = tmp_path / "dialogues.jsonl"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])  # a run killed mid-write
    assert len(read_records(path)) == 3
    result = simulate(BASE, tmp_path, simulator=simulator, report=False)
    assert result.ran == 1 and result.skipped == 3
    assert len(path.read_text().splitlines()) == 4


def test_malformed_line_inside_the_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.jsonl"
    path.write_text('{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(SimulationError, match="line 2"):
        read_records(path)


def test_other_settings_in_the_same_folder_are_refused(tmp_path: Path, simulator: DialogueSimulator) -> None:
    simulate(BASE, tmp_path, simulator=simulator, report=False)
    other = SimulationConfig(**{**BASE.__dict__, "sensor": "embedded"})
    with pytest.raises(SimulationError, match="sensor"):
        simulate(other, tmp_path, report=False)


def test_bad_settings_are_clear_errors() -> None:
    with pytest.raises(SimulationError, match="persona"):
        runner.plan_jobs(SimulationConfig(personas=("grumpy",)))
    with pytest.raises(SimulationError, match="polic"):
        runner.plan_jobs(SimulationConfig(policies=("nope",)))
    with pytest.raises(SimulationError, match="seeds"):
        SimulationConfig(seeds=0)
    with pytest.raises(SimulationError, match="two policies"):
        compare_policies(SimulationConfig(policies=("eq",)), "unused")


def test_a_failing_dialogue_is_recorded_and_retried(
    tmp_path: Path, simulator: DialogueSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = DialogueSimulator._debtor

    def flaky(self: DialogueSimulator, job: runner.DialogueJob) -> Any:
        if job.persona == "cheating":
            raise ConnectionError("debtor model unreachable")
        return real(self, job)

    monkeypatch.setattr(DialogueSimulator, "_debtor", flaky)
    first = simulate(BASE, tmp_path, simulator=simulator, report=False)
    assert first.errors == 2
    failed = [record for record in first.records if record["outcome"]["status"] == "error"]
    assert all("debtor model unreachable" in record["outcome"]["error"] for record in failed)
    monkeypatch.setattr(DialogueSimulator, "_debtor", real)
    second = simulate(BASE, tmp_path, simulator=simulator, report=False)
    assert second.ran == 2 and second.errors == 0 and second.skipped == 2


def test_compare_pairs_the_same_dialogues(tmp_path: Path, simulator: DialogueSimulator) -> None:
    config = SimulationConfig(**{**BASE.__dict__, "policies": ("eq", "vanilla")})
    result = compare_policies(config, tmp_path, simulator=simulator)
    assert result.comparison is not None
    saved = json.loads((tmp_path / "comparison.json").read_text())
    assert saved == json.loads(json.dumps(result.comparison))
    assert "vanilla" in json.dumps(saved)
    assert "vanilla" in (tmp_path / "report.md").read_text()


def test_two_workers_give_the_same_records_as_one(tmp_path: Path, simulator: DialogueSimulator) -> None:
    one = simulate(BASE, tmp_path / "one", simulator=simulator, report=False)
    two = simulate(SimulationConfig(**{**BASE.__dict__, "workers": 2}), tmp_path / "two", report=False)
    assert sorted(map(json.dumps, map(_stable, one.records))) == sorted(map(json.dumps, map(_stable, two.records)))


def test_cli_simulate_json_prints_only_the_summary(tmp_path: Path) -> None:
    out = tmp_path / "run"
    command = [*EQN, "simulate", "--rows", "0-0", "--personas", "sad,victim"]
    command += ["--workers", "1", "--out", str(out), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)  # stdout holds exactly one JSON object
    assert summary["dialogues"] == 2 and set(summary["by_persona"]) == {"sad", "victim"}
    assert {"summary.json", "dialogues.jsonl", "report.md", "report.html"} <= {p.name for p in out.iterdir()}


def test_cli_shows_a_skipped_row_with_the_value_to_fix_unmasked(tmp_path: Path) -> None:
    # Log masking would turn the 8-digit value into [PHONE]: the user could not see what to fix.
    path = write_csv(tmp_path / "cases.csv", [crad_row(), crad_row(**{"Days Overdue": "1234567.5"})])
    command = [*EQN, "simulate", "--scenarios", f"csv:{path}", "--personas", "sad", "--sensor", "tfidf"]
    command += ["--max-rounds", "2", "--workers", "1", "--out", str(tmp_path / "run"), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["dialogues"] == 1
    skipped = [line for line in done.stderr.splitlines() if "scenario skipped" in line]
    assert skipped == [
        f"warning: scenario skipped: {path}: row 1 (line 3), debt_002: column 'Days Overdue': '1234567.5' is not a "
        "whole number of days"
    ]


def test_cli_refuses_an_unterminated_quote_naming_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", [crad_row(), crad_row(), crad_row(**{"Creditor Name": "Hurst, Ltd"})])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + lines[2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [*EQN, "simulate", "--scenarios", f"csv:{path}", "--personas", "sad", "--out", str(tmp_path / "run")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.startswith(f"error: {path}: line 3: malformed CSV") and "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1


def test_cli_rejects_unknown_persona(tmp_path: Path) -> None:
    command = [*EQN, "simulate", "--personas", "grumpy", "--out", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2 and "grumpy" in done.stderr and not done.stdout


def test_both_sides_on_a_chat_model_provider(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Creditor and debtor both played through the real OpenAI client against a loopback server."""
    from tests.integration.openai_server import OpenAILoopback, prompt_offer_days

    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("OPENAI_API_KEY", "loopback-test")

    def answer(body: dict[str, Any]) -> str:
        days = prompt_offer_days(body)
        if days is not None:  # the creditor's prompt names the timeline to state
            return f"We can offer {days} days to settle the balance."
        # The debtor: it has seen the creditor's last message (a user turn) and accepts the timeline in it.
        heard = [m["content"] for m in body["messages"] if m["role"] == "user"]
        offered = [word for word in (heard[-1] if heard else "").split() if word.isdigit()]
        return f"Okay, {offered[0]} days works for me." if offered else "I need 90 days to pay this."

    with OpenAILoopback() as server:
        server.queue_reply(*[answer] * 60)
        config = SimulationConfig(
            scenarios="builtin",
            rows=(0, 0),
            personas=("angry",),
            debtor="openai:gpt-loopback",
            creditor_model="openai:gpt-loopback",
            base_url=server.base_url,
            sensor="tfidf",
        )
        result = simulate(config, tmp_path, report=False)
        requests = [r for r in server.requests if r.path.endswith("/chat/completions")]
    [record] = result.records
    assert record["outcome"]["status"] == "agreed", record["outcome"]
    assert record["debtor"] == "openai:gpt-loopback" and record["creditor_model"] == "openai:gpt-loopback"
    assert "LLM debtor" in result.summary["labels"]["debtor"]
    # The debtor's request carried the creditor's words: it sees the transcript.
    creditor_text = record["turns"][0]["creditor"]["text"]
    assert any(creditor_text in json.dumps(r.body) for r in requests if prompt_offer_days(r.body or {}) is None)
