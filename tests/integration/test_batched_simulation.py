"""Batched simulation gives the one-by-one runner's records, and the batched encoder pass is the one-text pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch

from eq_negotiator.evals.runner import DialogueSimulator, SimulationConfig, plan_jobs
from eq_negotiator.sensing.perception import MIN_BATCHED_TOKENS, PerceptionEncoder

pytestmark = pytest.mark.integration

# The embedded sensor: the one whose encoder run_many batches (offline responder, scripted debtor).
CONFIG = SimulationConfig(scenarios="builtin", rows=(0, 2), personas=("angry", "cheating", "sad"), seeds=2)


@pytest.fixture(scope="module")
def simulator() -> Iterator[DialogueSimulator]:
    # One torch thread, as each worker of a run has (share_cores): the batched pass is bit-exact only there.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield DialogueSimulator(CONFIG)
    finally:
        torch.set_num_threads(threads)


def _encoder(simulator: DialogueSimulator) -> PerceptionEncoder:
    encoder = getattr(simulator.sensor, "perception", None)
    assert isinstance(encoder, PerceptionEncoder)
    return encoder


def _count_batch_rows(encoder: PerceptionEncoder, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the encoder note the row count of every pass; return the list it appends to."""
    batch_rows: list[int] = []
    hidden = encoder.model.hidden

    def counting_hidden(ids: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        batch_rows.append(int(ids.shape[0]))
        result: torch.Tensor = hidden(ids, mask)
        return result

    monkeypatch.setattr(encoder.model, "hidden", counting_hidden)
    return batch_rows


def _stable(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its wall-clock timing."""
    return {key: value for key, value in record.items() if key != "elapsed_s"}


def test_primed_features_are_bit_for_bit_those_of_each_text_alone(simulator: DialogueSimulator) -> None:
    encoder = _encoder(simulator)
    texts = [
        "I can't pay that much right now, I lost my job.",
        "I can't pay that much now, I have lost the job.",  # the same token length: batched together
        "Why are you calling me again?? Stop harassing me.",
        "ok",  # shorter than MIN_BATCHED_TOKENS: computed alone
        "What happens if I don't pay? " * 40,  # several windows: computed alone
        *(f"I could pay {amount} dollars in {days} days, maybe." for amount in range(100, 120) for days in (10, 30)),
    ]
    assert any(len(encoder.windows(text)[0]) < MIN_BATCHED_TOKENS for text in texts)
    alone = {}
    for text in texts:
        encoder.clear_cache()
        alone[text] = encoder.features([text])[0]
    encoder.clear_cache()
    encoder.prime(texts)
    for text, primed in zip(texts, encoder.features(texts), strict=True):
        for name in ("fine_logits", "rights", "compliance"):
            assert np.array_equal(getattr(primed, name), getattr(alone[text], name)), (text, name)


def test_a_machine_whose_batched_rows_are_not_exact_primes_each_text_alone(
    simulator: DialogueSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoder = _encoder(simulator)
    monkeypatch.setattr(encoder, "batches_exactly", lambda: False)
    batch_rows = _count_batch_rows(encoder, monkeypatch)
    texts = [f"I could pay {amount} dollars in 10 days, maybe." for amount in range(100, 110)]
    encoder.clear_cache()
    encoder.prime(texts)
    assert batch_rows == [1] * len(texts)  # one pass per text: nothing was batched
    monkeypatch.undo()
    primed = encoder.features(texts)
    encoder.clear_cache()
    assert all(
        np.array_equal(a.fine_logits, encoder.features([text])[0].fine_logits)
        for a, text in zip(primed, texts, strict=True)
    )


def test_batched_runner_gives_the_one_by_one_records(
    simulator: DialogueSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    jobs, _ = plan_jobs(CONFIG)
    encoder = _encoder(simulator)
    batch_rows = _count_batch_rows(encoder, monkeypatch)
    encoder.clear_cache()  # neither run may read passes the other computed
    batched = {record["id"]: _stable(record) for record in simulator.run_many(jobs, batch=8)}
    # Messages were read in batches, not one at a time, wherever this machine's kernels make that exact.
    assert (max(batch_rows) > 1) == encoder.batches_exactly()
    encoder.clear_cache()
    one_by_one = {job.id: _stable(simulator.run(job)) for job in jobs}
    assert len(one_by_one) == len(jobs) == 18
    assert batched == one_by_one
    assert all(record["outcome"]["status"] != "error" for record in one_by_one.values())
