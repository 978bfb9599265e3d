"""A small desk database for the console's tests: an offline negotiation, a crisis handed to a person, an agreement.

Filled through the Negotiator with the offline responder and the keyword sensor the graph tests use, so it takes a
fraction of a second and needs no model.
"""

from __future__ import annotations

from eq_negotiator.cli.negotiate import DEMO_SCRIPT
from eq_negotiator.graph import Context, open_negotiator
from eq_negotiator.graph.session import Negotiator
from tests.unit.graph.fakes import close_connections, keyword_sensor

NEGOTIATION = "negotiation-1"
CRISIS = "crisis-1"
AGREEMENT = "agreement-1"
CRISIS_LINE = "Honestly I just want to end it all."
CLEAN_REPLY = "This is Dana from our support team. Please look after yourself; we will not contact you for now."
THREAT_REPLY = "Pay today or we will have you arrested."


def desk_negotiator(db: str) -> Negotiator:
    """A Negotiator over ``db`` writing as the chats would (offline responder, keyword sensor)."""
    return open_negotiator(db, context=Context(seed=1), sensor=keyword_sensor())


def escalate(negotiator: Negotiator, thread_id: str) -> None:
    """Start ``thread_id`` with the crisis line: it waits for a person."""
    negotiator.send(thread_id, CRISIS_LINE)
    assert negotiator.escalated(thread_id)


def fill(db: str) -> None:
    """Write the three threads to ``db``, the crisis one last, so it is also the most recently written."""
    negotiator = desk_negotiator(db)
    try:
        for line in DEMO_SCRIPT[:3]:
            negotiator.send(NEGOTIATION, line)
        negotiator.send(AGREEMENT, "Hello, I got your letter.")
        assert negotiator.send(AGREEMENT, "Fine, I accept the 30 days.").status == "agreed"
        escalate(negotiator, CRISIS)
    finally:
        close_connections(negotiator.graph)
