"""The graph runs both layers: a paraphrase only the model reads escalates, and the turn records which layer fired."""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage

from eq_negotiator.graph import Context, open_negotiator
from tests.unit.graph.fakes import ScriptedChatModel, keyword_sensor
from tests.unit.negotiation.test_model_layers import FakeModel

HINT = "I have sorted out who gets my things"
PARAPHRASE = f"Whatever you offer is fine. {HINT}."  # giving things away: no rule holds it
SOFT_THREAT = "A squad car could be parked by your door."  # an arrest threat in no rule's words


def negotiator(model: FakeModel, chat: ScriptedChatModel | None = None, **settings: Any):  # type: ignore[no-untyped-def]
    return open_negotiator(
        "memory",
        context=Context(**{"model_checks": True, **settings}),
        sensor=keyword_sensor(),
        model=chat,
        perception=model,
    )


def test_a_crisis_only_the_model_reads_stops_the_negotiation_and_records_its_layer() -> None:
    n = negotiator(FakeModel({HINT: {"crisis": 0.88}}, {"crisis": 0.4}))
    n.send("t", PARAPHRASE)
    state = n.state("t")
    assert n.escalated("t")
    (event,) = state["rights_events"]
    assert event["kind"] == "crisis" and event["layer"] == "model" and event["score"] == 0.88
    assert PARAPHRASE[event["span"][0] : event["span"][1]] == HINT
    assert state["rights_event"]["layer"] == "model"


def test_with_model_checks_off_the_rules_alone_decide() -> None:
    n = negotiator(FakeModel({HINT: {"crisis": 0.88}}, {"crisis": 0.4}), model_checks=False)
    n.send("t", PARAPHRASE)
    assert not n.escalated("t")
    assert not n.state("t").get("rights_events")


def test_a_draft_only_the_model_flags_is_rewritten_and_recorded() -> None:
    chat = ScriptedChatModel(replies=[f"We can offer 30 days. {SOFT_THREAT}", "We can offer a plan of 30 days."])
    n = negotiator(FakeModel({SOFT_THREAT: {"threat_arrest": 0.9}}), chat)
    n.send("t", "Hello, I got your letter.")
    record = n.state("t")["guard"]
    assert record["action"] == "regenerated"
    assert [(v["type"], v["layer"]) for v in record["violations"]] == [("threat_arrest", "model")]
    sent = [m.text for m in n.state("t")["messages"] if isinstance(m, AIMessage)]
    assert sent == ["We can offer a plan of 30 days."]
