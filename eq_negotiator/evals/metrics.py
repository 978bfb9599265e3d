"""Metrics of simulated negotiations, from ``dialogues.jsonl`` records (the issue-6 contract).

Per dialogue (:func:`dialogue_metrics`):

* ``success``: the status is ``agreed``.
* ``collection_rate``: ``min(1, creditor_target_days / agreed_days)`` when agreed, else 0.
* ``savings_ratio``: ``(debtor_target - agreed) / (debtor_target - creditor_target)`` when agreed (``None`` when
  the two targets are equal, or without agreement). Not clipped: below 0 the debtor got more than it hoped for,
  above 1 the creditor got more than its target.
* ``rounds``: debtor turns the creditor answered.
* ``debtor_moved``: the debtor named at least two distinct timelines.
* ``violations``: sent creditor replies that fail an independent re-check by the compliance guard
  (:class:`~eq_negotiator.negotiation.guard.ComplianceGuard` over the record's scenario, with the debtor's message
  as context); ``guard_interventions``: turns whose guard record says anything other than ``passed``.
* readings: whether the first / last reading is negative (``eq_negotiator.emotions.NEGATIVE``), and per turn.

Aggregates (:func:`aggregate`) are means over the dialogues that define each metric; see each key's docstring in
:func:`aggregate`. :func:`compare` pairs dialogues across policies for paired differences with bootstrap intervals.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Final

import numpy as np

from eq_negotiator.emotions import NEGATIVE
from eq_negotiator.negotiation.guard import ComplianceGuard
from eq_negotiator.scenario import Scenario

Z_95: Final[float] = 1.959963984540054
"""The standard normal quantile for a two-sided 95% interval."""

BOOTSTRAP_RESAMPLES: Final[int] = 2000
"""Resamples of the paired bootstrap in :func:`compare`."""

COMPARED_METRICS: Final[tuple[str, ...]] = ("success", "collection_rate", "savings_ratio", "rounds", "violations")
"""The per-dialogue metrics :func:`compare` differences between paired dialogues."""

NO_STANCE: Final[str] = "none"
"""How ``stance_usage`` names turns answered with no stance."""


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion.

    Args:
        successes: Successes observed.
        n: Trials.
        z: Normal quantile (1.96 for 95%).

    Returns:
        ``(low, high)``, within [0, 1]; exactly 0 below for 0 successes and exactly 1 above for ``n`` successes.

    Raises:
        ValueError: If ``n`` is not positive or ``successes`` is outside ``[0, n]``.
    """
    if n <= 0:
        raise ValueError(f"the Wilson interval needs at least one trial, got n={n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be between 0 and n={n}, got {successes}")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return low, high


# -- one dialogue ---------------------------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _guard_for(scenario_json: str) -> ComplianceGuard:
    """A guard for one scenario (cached: a run has few scenarios and many replies)."""
    data = json.loads(scenario_json)
    # Only the fields this version's Scenario knows: records may carry fields from a later version.
    known = {key: value for key, value in data.items() if key in Scenario.model_fields}
    return ComplianceGuard(Scenario(**known))


def guard_for(scenario: Mapping[str, Any]) -> ComplianceGuard:
    """The compliance guard for a record's scenario.

    Raises:
        ValueError: If the scenario is invalid.
    """
    return _guard_for(json.dumps(dict(scenario), sort_keys=True, default=str))


def violations_of(record: Mapping[str, Any]) -> int:
    """How many of the creditor's sent replies fail an independent re-check by the compliance guard."""
    guard = guard_for(record["scenario"])
    count = 0
    for turn in record["turns"]:
        reply = turn["creditor"]["text"]
        if reply is None:
            continue
        if not guard.check(reply, client_message=turn["debtor"]["text"]).compliant:
            count += 1
    return count


def _is_negative(reading: Mapping[str, Any] | None) -> bool | None:
    return None if reading is None else reading["label"] in NEGATIVE


def dialogue_metrics(record: Mapping[str, Any]) -> dict[str, Any]:
    """The per-dialogue metrics of one record.

    Returns:
        ``success``, ``agreed_days``, ``collection_rate``, ``savings_ratio`` (``None`` unless agreed with a gap),
        ``rounds``, ``debtor_moved``, ``replies`` (sent creditor replies), ``violations``, ``guard_interventions``,
        ``negative_first`` / ``negative_last`` (``None`` without readings), ``negative_by_turn`` (per turn,
        ``None`` where the turn has no reading) and ``stances`` (each policy-decided turn's stance, ``"none"`` for
        no stance).

    Raises:
        KeyError: If the record lacks a contract field.
        ValueError: If its scenario is invalid.
    """
    scenario = record["scenario"]
    outcome = record["outcome"]
    success = outcome["status"] == "agreed"
    agreed = outcome.get("agreed_days") if success else None
    creditor_target, debtor_target = int(scenario["creditor_target_days"]), int(scenario["debtor_target_days"])
    collection = 0.0
    savings: float | None = None
    if agreed is not None:
        collection = 1.0 if agreed <= 0 else min(1.0, creditor_target / agreed)
        gap = debtor_target - creditor_target
        savings = None if gap == 0 else (debtor_target - agreed) / gap
    turns = record["turns"]
    offers = {turn["debtor"]["offer_days"] for turn in turns if turn["debtor"].get("offer_days") is not None}
    readings = [turn["reading"] for turn in turns if turn.get("reading") is not None]
    return {
        "success": success,
        "agreed_days": agreed,
        "collection_rate": collection,
        "savings_ratio": savings,
        "rounds": int(outcome["rounds"]),
        "debtor_moved": len(offers) >= 2,
        "replies": sum(1 for turn in turns if turn["creditor"]["text"] is not None),
        "violations": violations_of(record),
        "guard_interventions": sum(
            1 for turn in turns if turn.get("guard") is not None and turn["guard"].get("action") != "passed"
        ),
        "negative_first": _is_negative(readings[0]) if readings else None,
        "negative_last": _is_negative(readings[-1]) if readings else None,
        "negative_by_turn": [_is_negative(turn.get("reading")) for turn in turns],
        "stances": [turn["stance"] or NO_STANCE for turn in turns if turn.get("decision") is not None],
    }


# -- aggregation ----------------------------------------------------------------------------------------------------


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def _share(flags: Iterable[bool | None]) -> float | None:
    """Share of True among the flags that are not ``None``."""
    known = [flag for flag in flags if flag is not None]
    return sum(known) / len(known) if known else None


def aggregate(metrics: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Aggregate per-dialogue metrics (:func:`dialogue_metrics`) into one summary entry.

    Keys: ``n``; ``successes``; ``success_rate`` and its Wilson 95% ``success_ci`` (``None`` for no dialogues);
    ``collection_rate`` (mean over all dialogues); ``savings_ratio`` and ``rounds`` (means over agreed dialogues,
    ``None`` if none agreed or no agreed dialogue had a gap); ``debtor_movement`` (share of dialogues);
    ``violations`` (total count) and ``replies`` (sent creditor replies, its denominator); ``guard_interventions``
    (total turns); ``negative_emotion_rate_first`` / ``_last`` (share of dialogues with readings whose first / last
    reading is negative); ``negative_emotion_rate_by_turn`` (per turn index, share of the dialogues with a reading
    at that turn); ``stance_usage`` (share of policy-decided turns per stance); ``outcomes`` (count per status,
    which ``aggregate`` cannot see: it is filled by :func:`summarise`, here empty).
    """
    n = len(metrics)
    successes = sum(1 for m in metrics if m["success"])
    agreed = [m for m in metrics if m["success"]]
    longest = max((len(m["negative_by_turn"]) for m in metrics), default=0)
    stances = Counter(stance for m in metrics for stance in m["stances"])
    decided = sum(stances.values())
    return {
        "n": n,
        "successes": successes,
        "success_rate": successes / n if n else None,
        "success_ci": list(wilson_interval(successes, n)) if n else None,
        "collection_rate": _mean(m["collection_rate"] for m in metrics),
        "savings_ratio": _mean(m["savings_ratio"] for m in agreed if m["savings_ratio"] is not None),
        "rounds": _mean(m["rounds"] for m in agreed),
        "debtor_movement": _share(m["debtor_moved"] for m in metrics),
        "violations": sum(m["violations"] for m in metrics),
        "replies": sum(m["replies"] for m in metrics),
        "guard_interventions": sum(m["guard_interventions"] for m in metrics),
        "negative_emotion_rate_first": _share(m["negative_first"] for m in metrics),
        "negative_emotion_rate_last": _share(m["negative_last"] for m in metrics),
        "negative_emotion_rate_by_turn": [
            _share(m["negative_by_turn"][i] for m in metrics if i < len(m["negative_by_turn"])) for i in range(longest)
        ],
        "stance_usage": {stance: count / decided for stance, count in sorted(stances.items())} if decided else {},
        "outcomes": {},
    }


def _entry(records: Sequence[Mapping[str, Any]], metrics: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    entry = aggregate(metrics)
    entry["outcomes"] = dict(sorted(Counter(str(r["outcome"]["status"]) for r in records).items()))
    return entry


def summarise(
    records: Sequence[Mapping[str, Any]],
    *,
    config: Mapping[str, Any] | None = None,
    labels: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``summary.json`` of a set of dialogue records.

    Args:
        records: Dialogue records (``dialogues.jsonl``).
        config: The run's settings, copied into the summary.
        labels: What the results come from (e.g. ``{"debtor": "scripted", "creditor_model": "offline"}``);
            by default the distinct ``debtor`` and ``creditor_model`` values of the records, comma-joined.

    Returns:
        ``{"dialogues", "labels", "config", "overall", "by_policy", "by_persona", "by_policy_persona"}`` where each
        entry is an :func:`aggregate` (with ``outcomes`` filled) and ``by_policy_persona`` is keyed
        ``"policy/persona"``.

    Raises:
        KeyError: If a record lacks a contract field.
        ValueError: If a record's scenario is invalid.
    """
    metrics = [dialogue_metrics(record) for record in records]
    if labels is None:
        labels = {
            "debtor": ", ".join(sorted({str(r["debtor"]) for r in records})),
            "creditor_model": ", ".join(sorted({str(r["creditor_model"]) for r in records})),
        }

    def grouped(key: Any) -> dict[str, dict[str, Any]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for index, record in enumerate(records):
            groups[key(record)].append(index)
        return {
            name: _entry([records[i] for i in indices], [metrics[i] for i in indices])
            for name, indices in sorted(groups.items())
        }

    return {
        "dialogues": len(records),
        "labels": dict(labels),
        "config": dict(config or {}),
        "overall": _entry(records, metrics),
        "by_policy": grouped(lambda r: str(r["policy"])),
        "by_persona": grouped(lambda r: str(r["persona"])),
        "by_policy_persona": grouped(lambda r: f"{r['policy']}/{r['persona']}"),
    }


# -- paired comparison ------------------------------------------------------------------------------------------------


def pair_key(record: Mapping[str, Any]) -> tuple[str, str, int]:
    """What pairs dialogues across policies: ``(scenario_id, persona, seed)``."""
    return str(record["scenario_id"]), str(record["persona"]), int(record["seed"])


def _paired_values(name: str, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> tuple[float, float] | None:
    """The pair's values of one metric, or ``None`` when the pair does not define it.

    ``savings_ratio`` and ``rounds`` are defined only for pairs where both dialogues agreed (and, for savings, the
    scenario has a gap); the others for every pair.
    """
    both_agreed = ours["success"] and theirs["success"]
    if name in ("savings_ratio", "rounds") and (not both_agreed or ours[name] is None or theirs[name] is None):
        return None
    return float(ours[name]), float(theirs[name])


def _bootstrap_interval(diffs: np.ndarray[Any, Any], resamples: int, rng: np.random.Generator) -> list[float]:
    """Percentile interval (2.5%, 97.5%) of the mean of ``diffs`` over paired resamples."""
    if len(diffs) == 1:
        return [float(diffs[0]), float(diffs[0])]
    picks = rng.integers(0, len(diffs), size=(resamples, len(diffs)))
    means = diffs[picks].mean(axis=1)
    return [float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))]


def compare(
    records: Sequence[Mapping[str, Any]],
    policies: Sequence[str],
    baseline: str,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = 0,
) -> dict[str, Any]:
    """Paired comparison of policies against a baseline.

    Dialogues are paired by ``(scenario_id, persona, seed)``: the same case, the same simulated debtor and the
    same seed, so each pair differs only in the policy. For each policy and metric the result holds the mean
    difference (policy minus baseline) and a 95% interval from a seeded paired bootstrap (``resamples`` resamples
    of the pairs with replacement, percentile interval; success is a 0/1 difference under the same bootstrap).
    ``savings_ratio`` and ``rounds`` are compared over the pairs where both dialogues agreed.

    Args:
        records: Dialogue records.
        policies: The policies to compare (the baseline among them or not; it is never compared with itself).
        baseline: The reference policy.
        resamples: Bootstrap resamples.
        seed: Seed of the bootstrap.

    Returns:
        ``{"baseline", "method", "resamples", "seed", "policies": {policy: {"n_pairs", "unpaired": {"policy":
        count, "baseline": count}, "metrics": {metric: {"n", "mean_policy", "mean_baseline", "mean_diff",
        "ci"}}}}}``; a metric no pair defines has ``None`` means and interval.

    Raises:
        ValueError: If the baseline or a policy has no records, a policy has two records for one pair key, or
            ``resamples`` is below 1.
    """
    if resamples < 1:
        raise ValueError(f"resamples must be at least 1, got {resamples}")
    by_policy: dict[str, dict[tuple[str, str, int], dict[str, Any]]] = {}
    for name in dict.fromkeys([baseline, *policies]):
        chosen = [record for record in records if record["policy"] == name]
        if not chosen:
            present = ", ".join(sorted({str(r["policy"]) for r in records})) or "none"
            raise ValueError(f"no records for policy {name!r} (policies present: {present})")
        keyed: dict[tuple[str, str, int], dict[str, Any]] = {}
        for record in chosen:
            key = pair_key(record)
            if key in keyed:
                raise ValueError(f"policy {name!r} has two records for scenario/persona/seed {key}: cannot pair them")
            keyed[key] = dialogue_metrics(record)
        by_policy[name] = keyed

    base = by_policy[baseline]
    results: dict[str, Any] = {}
    for name in policies:
        if name == baseline:
            continue
        ours = by_policy[name]
        shared = sorted(set(ours) & set(base))
        metrics: dict[str, Any] = {}
        for metric in COMPARED_METRICS:
            pairs = [v for key in shared if (v := _paired_values(metric, ours[key], base[key])) is not None]
            if not pairs:
                metrics[metric] = {"n": 0, "mean_policy": None, "mean_baseline": None, "mean_diff": None, "ci": None}
                continue
            values = np.array(pairs, dtype=float)
            diffs = values[:, 0] - values[:, 1]
            metrics[metric] = {
                "n": len(pairs),
                "mean_policy": float(values[:, 0].mean()),
                "mean_baseline": float(values[:, 1].mean()),
                "mean_diff": float(diffs.mean()),
                # A fresh generator per interval: each result is reproducible whatever else is compared.
                "ci": _bootstrap_interval(diffs, resamples, np.random.default_rng(seed)),
            }
        results[name] = {
            "n_pairs": len(shared),
            "unpaired": {"policy": len(set(ours) - set(base)), "baseline": len(set(base) - set(ours))},
            "metrics": metrics,
        }
    return {
        "baseline": baseline,
        "method": f"paired bootstrap over (scenario_id, persona, seed) pairs, {resamples} resamples, "
        "95% percentile interval of the mean difference (policy - baseline)",
        "resamples": resamples,
        "seed": seed,
        "policies": results,
    }
