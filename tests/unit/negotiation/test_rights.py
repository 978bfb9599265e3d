"""Client rights and vulnerability detection, measured on labelled client messages.

``rights_cases.jsonl`` holds one labelled message per line, in splits, each labelled before it was measured:

- ``dev1``: written first, before any pattern; the patterns were then written against it.
- ``dev2``: written next as a held-out set. Its first measurement (patterns tuned on ``dev1`` only) gave recall
  crisis 0.45, cease_contact 0.50, attorney 0.43, dispute 0.33, no_work_contact 0.50, client_threat 0.00, with
  precision 0.75-1.00; the patterns were then widened on it, so it is now tuning data too.
- ``holdout_used`` (formerly ``holdout``): 57 messages written after that. First measured with no tuning on it:
  precision 1.00 for every kind; recall crisis 0.50 (4/8), cease_contact 0.33 (2/6), attorney 0.50 (3/6),
  dispute 0.38 (3/8), no_work_contact 0.20 (1/5), client_threat 0.67 (2/3). The patterns were then widened by
  category of phrasing with its misses in view, so it is tuning data now.
- ``dev3``: category probes and hard negatives written during that widening (one or more per new category, e.g.
  "I'm done with this process", "my friend is a lawyer", "settled on 60 days?"). Tuning data.
- ``holdout2``: 65 messages (45 positives, 20 hard negatives) written and labelled after the widening, measured
  once, never tuned on: precision 1.00 for every kind (no false positive); recall crisis 0.40 (4/10),
  cease_contact 0.64 (7/11), attorney 0.75 (6/8), dispute 0.50 (5/10), no_work_contact 0.80 (4/5),
  client_threat 0.00 (0/3). The tests pin precision on it and keep recall from falling below that first figure.

The ≥ 0.95 precision/recall bar is asserted on the tuning splits (``dev1``, ``dev2``, ``dev3``, ``holdout_used``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from eq_negotiator.negotiation.rights import (
    ESCALATING_KINDS,
    RIGHTS_KINDS,
    RightsEvent,
    appropriate_reply,
    detect_rights_events,
    escalates,
    most_serious,
)
from eq_negotiator.scenario import Scenario

CASES_PATH = Path(__file__).with_name("rights_cases.jsonl")
CASES: list[dict[str, Any]] = [json.loads(line) for line in CASES_PATH.read_text(encoding="utf-8").splitlines()]
TUNING_SPLITS = ("dev1", "dev2", "dev3", "holdout_used")
TUNING = [case for case in CASES if case["split"] in TUNING_SPLITS]
HOLDOUT = [case for case in CASES if case["split"] == "holdout2"]
# Recall on ``holdout2`` at its one measurement (true positives out of positives); a floor, not a target.
HOLDOUT_FIRST_RECALL = {
    "crisis": (4, 10),
    "cease_contact": (7, 11),
    "attorney": (6, 8),
    "dispute": (5, 10),
    "no_work_contact": (4, 5),
    "client_threat": (0, 3),
}


def scores(cases: Iterable[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per kind: true positives, false positives, false negatives, precision and recall (NaN when undefined)."""
    counts = {kind: {"tp": 0, "fp": 0, "fn": 0} for kind in RIGHTS_KINDS}
    for case in cases:
        found = {event.kind for event in detect_rights_events(case["text"])}
        wanted = set(case["kinds"])
        for kind in RIGHTS_KINDS:
            if kind in found and kind in wanted:
                counts[kind]["tp"] += 1
            elif kind in found:
                counts[kind]["fp"] += 1
            elif kind in wanted:
                counts[kind]["fn"] += 1
    result: dict[str, dict[str, float]] = {}
    for kind, c in counts.items():
        predicted, actual = c["tp"] + c["fp"], c["tp"] + c["fn"]
        result[kind] = {
            **c,
            "precision": c["tp"] / predicted if predicted else float("nan"),
            "recall": c["tp"] / actual if actual else float("nan"),
        }
    return result


def test_the_labelled_set_is_big_enough_and_well_formed() -> None:
    assert len(TUNING) >= 60
    assert {case["split"] for case in CASES} == {*TUNING_SPLITS, "holdout2"}
    assert len(HOLDOUT) >= 50
    assert sum(not case["kinds"] for case in HOLDOUT) >= 15
    for case in CASES:
        assert set(case["kinds"]) <= set(RIGHTS_KINDS), case
    for kind in ESCALATING_KINDS:
        assert sum(kind in case["kinds"] for case in TUNING) >= 10, kind
    assert sum(not case["kinds"] for case in TUNING) >= 40  # hard negatives


@pytest.mark.parametrize("kind", RIGHTS_KINDS)
def test_precision_and_recall_on_the_tuning_cases(kind: str) -> None:
    score = scores(TUNING)[kind]
    assert score["precision"] >= 0.95, score
    assert score["recall"] >= 0.95, score


@pytest.mark.parametrize("kind", RIGHTS_KINDS)
def test_precision_on_unseen_wording(kind: str) -> None:
    # Recall on the holdout is far lower (see the module docstring); precision is what the patterns can promise.
    score = scores(HOLDOUT)[kind]
    assert score["fp"] == 0, score


@pytest.mark.parametrize("kind", RIGHTS_KINDS)
def test_recall_on_unseen_wording_does_not_fall_below_its_first_measurement(kind: str) -> None:
    score = scores(HOLDOUT)[kind]
    tp, positives = HOLDOUT_FIRST_RECALL[kind]
    assert score["tp"] + score["fn"] == positives, score
    assert score["tp"] >= tp, score


def test_every_tuning_case_individually() -> None:
    wrong = [
        (case["text"], case["kinds"], [e.kind for e in detect_rights_events(case["text"])])
        for case in TUNING
        if sorted(case["kinds"]) != sorted(e.kind for e in detect_rights_events(case["text"]))
    ]
    assert wrong == []


def test_spans_point_at_the_trigger_in_the_original_text() -> None:
    text = "Hi. Please stop texting and calling me."
    [event] = detect_rights_events(text)
    assert event.kind == "cease_contact"
    assert event.matched(text) == "stop texting and calling me"
    curly = "I’m thinking of ending my life."
    [crisis] = detect_rights_events(curly)
    assert crisis.matched(curly) == "thinking of ending my life"


def test_events_are_ordered_and_reported_once_per_kind() -> None:
    text = "Stop calling me. This isn't my debt. Stop calling me!"
    events = detect_rights_events(text)
    assert [event.kind for event in events] == ["cease_contact", "dispute"]
    assert events[0].span == (0, 15)


def test_work_request_is_not_a_cease_request() -> None:
    assert [e.kind for e in detect_rights_events("Stop calling me at work.")] == ["no_work_contact"]


def test_threats_are_reported_but_do_not_escalate() -> None:
    events = detect_rights_events("I'll kill you if you call my mother again.")
    assert [e.kind for e in events] == ["client_threat"]
    assert not escalates(events)
    assert escalates(detect_rights_events("I'm going to kill myself."))
    assert not escalates([])


def test_most_serious_puts_safety_first() -> None:
    events = detect_rights_events("Talk to my lawyer, this isn't my debt, and I can't go on.")
    assert {e.kind for e in events} == {"attorney", "dispute", "crisis"}
    serious = most_serious(events)
    assert serious is not None and serious.kind == "crisis"
    assert most_serious([]) is None


def test_events_are_json_safe() -> None:
    [event] = detect_rights_events("I dispute this.")
    data = event.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["kind"] == "dispute" and data["span"] == [0, 9] and data["escalates"] is True


def test_long_messages_are_handled() -> None:
    # Patterns with repetition must not backtrack badly on long, repetitive input.
    text = "don't call, text, email, " * 800 + "stop calling me"
    assert [e.kind for e in detect_rights_events(text)] == ["cease_contact"]


SCENARIO = Scenario(creditor="Northwind Lending", balance=4850.0)
PAYMENT_TALK = re.compile(
    r"\b(?:pay|paying|payment|paid|instal\w*|settle\w*|offer\w*|days?|balance|owe|owed|plan|deadline)\b|\d|\$|USD",
    re.IGNORECASE,
)


@pytest.mark.parametrize("kind", RIGHTS_KINDS)
def test_replies_make_no_payment_demand(kind: str) -> None:
    reply = appropriate_reply(RightsEvent(kind, (0, 1), "test"), SCENARIO)  # type: ignore[arg-type]
    allowed_number = reply.replace("911", "").replace("988", "")  # crisis line numbers are the only digits allowed
    assert PAYMENT_TALK.search(allowed_number) is None, PAYMENT_TALK.search(allowed_number)


def test_replies_say_what_each_right_requires() -> None:
    def reply(kind: str) -> str:
        return appropriate_reply(RightsEvent(kind, (0, 1), "test"), SCENARIO)  # type: ignore[arg-type]

    assert "988" in reply("crisis") and "Suicide & Crisis Lifeline" in reply("crisis")
    assert "debt" not in reply("crisis")  # nothing about the account at all
    assert "Northwind Lending will stop contacting you" in reply("cease_contact")
    assert "except where the law allows" in reply("cease_contact")
    assert "attorney's name and contact details" in reply("attorney")
    assert "verification" in reply("dispute") and "pause collection" in reply("dispute")
    assert "will not contact you at your workplace" in reply("no_work_contact")
    assert "threats" in reply("client_threat")
