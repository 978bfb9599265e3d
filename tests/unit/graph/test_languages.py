"""A message in a language the agent does not read: a fixed English reply offering a person, and nothing negotiated."""

from __future__ import annotations

from typing import Any

from eq_negotiator.graph import Context, open_negotiator
from eq_negotiator.graph.session import Negotiator
from eq_negotiator.negotiation.rights import detect_rights_events
from eq_negotiator.nodes.check_compliance import DISCLOSURE
from eq_negotiator.scenario import Scenario
from eq_negotiator.sensing.language import identify_language, unsupported_language_reply
from tests.unit.graph.fakes import keyword_sensor

OPENER = "Hello, I got your letter about the balance."
SPANISH_ACCEPT = "Sí, acepto los treinta días, de acuerdo, trato hecho. Muchas gracias por su paciencia."
CHINESE = "我现在没有钱，可以给我三个月吗？"
CREDITOR = Scenario().creditor


def negotiator(**settings: Any) -> Negotiator:
    return open_negotiator("memory", context=Context(**settings), sensor=keyword_sensor())


def test_a_spanish_acceptance_is_answered_in_english_and_agrees_to_nothing() -> None:
    n = negotiator()
    first = n.send("t", OPENER)
    assert first.offer is not None
    assert first.language is not None and first.language["code"] == "en" and first.language["supported"]
    before = n.state("t")

    result = n.send("t", SPANISH_ACCEPT)

    assert result.language is not None and result.language["code"] == "es" and not result.language["supported"]
    assert result.reply == unsupported_language_reply(identify_language(SPANISH_ACCEPT), CREDITOR)
    assert "a person" in result.reply
    assert (result.turn, result.status, result.agreement, result.stance, result.client_offer) == (
        2,
        "ongoing",
        None,
        None,
        None,
    )
    assert result.offer == first.offer  # the standing offer is not changed by a message the agent could not read
    assert result.guard is not None and result.guard["action"] == "passed" and result.guard["violations"] == []
    assert "language" in result.reason
    state = n.state("t")
    # Nothing reached the policy's history or the offer tracking.
    for key in ("readings", "decisions", "progress", "client_offers", "offers"):
        assert state[key] == before[key], key
    assert state["unsupported_languages"] == [result.language | {"turn": 2}]

    # The dialogue stays open: the next message, in English, is negotiated as turn 3.
    after = n.send("t", "I can do 60 days.")
    assert after.turn == 3 and after.client_offer is not None and after.client_offer["days"] == 60
    assert after.language is not None and after.language["supported"] and after.stance is not None
    assert len(n.state("t")["readings"]) == 2


def test_a_first_message_the_agent_cannot_read_still_gets_the_disclosure_and_fixes_the_scenario() -> None:
    n = negotiator(disclosure=True)
    result = n.send("t", CHINESE)
    assert result.language is not None and result.language["code"] == "zh"
    assert result.reply.startswith(DISCLOSURE) and "seems to be in Chinese" in result.reply
    state = n.state("t")
    assert state["scenario"] == Scenario().to_state() and state["turn"] == 1
    assert not state.get("offer") and not state["readings"]
    assert result.status == "ongoing" and result.offer is None


def test_short_replies_are_negotiated_as_english() -> None:
    n = negotiator()
    n.send("t", OPENER)
    result = n.send("t", "no")
    assert result.language == {"code": None, "confidence": 0.0, "supported": True}
    assert result.client_offer is not None and result.client_offer["act"] == "reject"


def test_a_rights_event_is_answered_before_the_language() -> None:
    text = "Ya stop calling me, por favor. Todos los días es lo mismo."  # Spanish with an English cease request
    assert not identify_language(text).supported and detect_rights_events(text)
    n = negotiator()
    result = n.send("t", text)
    assert result.status == "escalated" and result.escalation is not None
    assert result.language is not None and result.language["code"] == "es"
    assert not n.state("t").get("unsupported_languages")
