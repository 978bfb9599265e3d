"""The model layer beside the rules: either layer fires, each event says which, scenario facts stay with the rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from eq_negotiator.negotiation.guard import DEFAULT_SCENARIO, ComplianceGuard
from eq_negotiator.negotiation.rights import detect_rights, detect_rights_events, escalates
from eq_negotiator.scenario import Scenario


@dataclass
class FakeModel:
    """Scores fixed per substring: every part of a text containing a key gets that key's scores."""

    scores: dict[str, dict[str, float]]
    thresholds: dict[str, float] = field(default_factory=dict)

    def _parts(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        parts = []
        for key, values in self.scores.items():
            start = text.find(key)
            if start >= 0:
                parts.append(((start, start + len(key)), values))
        return parts

    def rights_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        return self._parts(text)

    def compliance_scores(self, text: str) -> list[tuple[tuple[int, int], dict[str, float]]]:
        return self._parts(text)

    @property
    def rights_thresholds(self) -> dict[str, float]:
        return self.thresholds

    @property
    def compliance_thresholds(self) -> dict[str, float]:
        return self.thresholds


MESSAGE = "I can pay 50 a month. I won't be around to pay the rest anyway."


def test_without_a_model_the_rules_alone_decide() -> None:
    assert detect_rights(MESSAGE) == detect_rights_events(MESSAGE)


def test_a_paraphrase_the_rules_miss_escalates_through_the_model() -> None:
    model = FakeModel({"I won't be around": {"crisis": 0.91, "dispute": 0.2}}, {"crisis": 0.3, "dispute": 0.5})
    events = detect_rights(MESSAGE, model)
    assert [(e.kind, e.layer) for e in events] == [("crisis", "model")]
    assert events[0].score == 0.91 and events[0].matched(MESSAGE) == "I won't be around"
    assert escalates(events)
    record = events[0].to_dict()
    assert record["layer"] == "model" and record["score"] == 0.91 and "0.91" in record["reason"]


def test_scores_below_the_kinds_threshold_do_not_fire() -> None:
    model = FakeModel({"I won't be around": {"crisis": 0.29}}, {"crisis": 0.3})
    assert detect_rights(MESSAGE, model) == []


def test_a_kind_the_rules_found_is_reported_once_with_its_words() -> None:
    text = "Stop calling me. I mean it."
    model = FakeModel({"Stop calling me": {"cease_contact": 0.99}})
    events = detect_rights(text, model)
    assert [(e.kind, e.layer, e.score) for e in events] == [("cease_contact", "rules", None)]
    assert "score" not in events[0].to_dict()


def test_the_guard_flags_what_the_model_reads_with_layer_and_score() -> None:
    reply = "We can agree on 60 days. A squad car in your driveway would not look good."
    model = FakeModel({"A squad car in your driveway": {"threat_arrest": 0.8, "shaming": 0.1}})
    rules_only = ComplianceGuard(DEFAULT_SCENARIO).check(reply)
    result = ComplianceGuard(DEFAULT_SCENARIO, model).check(reply)
    assert rules_only.compliant and not result.compliant
    (violation,) = result.violations
    assert (violation.type, violation.layer, violation.score) == ("threat_arrest", "model", 0.8)
    assert reply[violation.start : violation.end] == violation.span == "A squad car in your driveway"
    assert violation.to_dict()["layer"] == "model" and violation.to_dict()["score"] == 0.8


def test_rules_findings_keep_their_layer_and_no_score() -> None:
    result = ComplianceGuard(DEFAULT_SCENARIO, FakeModel({})).check("Pay or we will have you arrested.")
    assert {v.layer for v in result.violations} == {"rules"}
    assert all("score" not in v.to_dict() for v in result.violations)


def test_facts_only_the_scenario_knows_stay_with_the_rules() -> None:
    reply = "As you know, the lawsuit has been filed. Our attorneys will be in touch."
    model = FakeModel({"lawsuit": {"threat_false_action": 0.9}, "attorneys": {"false_affiliation": 0.9}})
    assert {v.type for v in ComplianceGuard(DEFAULT_SCENARIO, model).check(reply).violations} >= {
        "threat_false_action",
        "false_affiliation",
    }
    sued = Scenario(legal_action_in_progress=True, attorney_involved=True)
    assert ComplianceGuard(sued, model).check(reply).compliant


def test_a_model_event_that_rests_on_an_idiom_is_set_aside() -> None:
    model = FakeModel({"killing me": {"crisis": 0.95}, "pills counted out": {"crisis": 0.9}}, {"crisis": 0.5})
    assert detect_rights("This debt is killing me, honestly.", model) == []
    # The same idiom beside a real signal still escalates: what is left after setting the idiom aside scores high.
    (event,) = detect_rights("This debt is killing me and I have the pills counted out.", model)
    assert (event.kind, event.layer) == ("crisis", "model")
    assert "'debt is killing me' set aside" in event.reason


def test_someone_elses_lawyer_is_set_aside_but_representation_by_them_is_not() -> None:
    model = FakeModel({"lawyer": {"attorney": 0.99}, "handling this for me": {"attorney": 0.9}}, {"attorney": 0.5})
    assert detect_rights("My cousin is a lawyer and she says you have to offer a plan.", model) == []
    (event,) = detect_rights("My cousin is a lawyer and she is handling this for me now.", model)
    assert event.kind == "attorney"


def test_the_guard_sets_aside_the_clients_own_attorney() -> None:
    model = FakeModel({"attorney": {"false_affiliation": 0.9}, "our attorneys": {"false_affiliation": 0.9}})
    guard = ComplianceGuard(DEFAULT_SCENARIO, model)
    assert guard.check("Understood. We will direct all further communication to your attorney.").compliant
    result = guard.check("Our attorneys and the county office work together on files like yours.")
    assert "false_affiliation" in result.types
