"""Hand-made dialogue records in the contract's shape, for metric tests with hand-computed answers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eq_negotiator.emotions import LABELS
from eq_negotiator.scenario import Scenario

COMPLIANT = "We can offer you a repayment plan of 30 days for the balance. Does that work for you?"
"""A creditor reply the compliance guard passes."""

THREAT = "Pay in 30 days or we will have you arrested and sent to jail."
"""A creditor reply the compliance guard fails (threat of arrest)."""


def reading(label: str) -> dict[str, Any]:
    return {"label": label, "confidence": 0.9, "distribution": [0.9 if x == label else 0.1 / 6 for x in LABELS]}


def _reading_or_none(label: str | None) -> dict[str, Any] | None:
    return reading(label) if label is not None else None


def make_record(
    *,
    status: str = "agreed",
    agreed_days: int | None = 60,
    policy: str = "eq",
    persona: str = "angry",
    seed: int = 0,
    scenario_id: str = "s1",
    creditor_target: int = 30,
    debtor_target: int = 120,
    debtor_offers: Sequence[int | None] = (120, 90),
    labels: Sequence[str | None] | None = None,
    stances: Sequence[str | None] | None = None,
    replies: Sequence[str | None] | None = None,
    guard_actions: Sequence[str | None] | None = None,
) -> dict[str, Any]:
    """One record with a turn per debtor offer; everything else defaults to a clean, compliant dialogue."""
    count = len(debtor_offers)
    labels = list(labels) if labels is not None else ["neutral"] * count
    stances = list(stances) if stances is not None else ["neutral"] * count
    replies = list(replies) if replies is not None else [COMPLIANT] * count
    guard_actions = list(guard_actions) if guard_actions is not None else ["passed"] * count
    scenario = Scenario(
        creditor_target_days=creditor_target,
        debtor_target_days=debtor_target,
        authorised_limit_days=max(creditor_target, 90),
    ).to_state()
    turns: list[dict[str, Any]] = [
        {
            "turn": i + 1,
            "debtor": {"text": f"message {i + 1}", "offer_days": days, "act": "counter", "intent": None},
            "reading": _reading_or_none(labels[i]),
            "stance": stances[i],
            "decision": {"stance": stances[i]} if guard_actions[i] is not None else None,
            "creditor": {"text": replies[i], "offer_days": 30},
            "client_offer": None,
            "guard": {"violations": [], "action": guard_actions[i]} if guard_actions[i] is not None else None,
            "status": "ongoing",
        }
        for i, days in enumerate(debtor_offers)
    ]
    return {
        "id": f"{scenario_id}|{persona}|{policy}|s{seed}",
        "scenario_id": scenario_id,
        "persona": persona,
        "policy": policy,
        "seed": seed,
        "creditor_model": "offline",
        "debtor": "scripted",
        "scenario": scenario,
        "outcome": {
            "status": status,
            "agreed_days": agreed_days if status == "agreed" else None,
            "rounds": sum(1 for r in replies if r is not None),
            "error": None,
        },
        "turns": turns,
        "elapsed_s": 0.1,
    }
