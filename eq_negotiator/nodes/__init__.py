"""The turn graph's nodes, one module each.

Each node reads state and ``Runtime[Context]``, calls domain code through
:class:`~eq_negotiator.graph.services.Services`, and returns a partial state update.
"""

from eq_negotiator.nodes.answer_offer import make_answer_offer
from eq_negotiator.nodes.check_compliance import make_check_compliance
from eq_negotiator.nodes.check_rights import make_check_rights
from eq_negotiator.nodes.close_dialogue import make_close_dialogue
from eq_negotiator.nodes.escalate import make_escalate, make_handle_rights
from eq_negotiator.nodes.respond import make_respond
from eq_negotiator.nodes.select_strategy import make_select_strategy
from eq_negotiator.nodes.sense_emotion import make_sense_emotion
from eq_negotiator.nodes.track_offers import make_track_offers
from eq_negotiator.nodes.unsupported_language import make_unsupported_language
from eq_negotiator.nodes.update_history import make_update_history

__all__ = [
    "make_answer_offer",
    "make_check_compliance",
    "make_check_rights",
    "make_close_dialogue",
    "make_escalate",
    "make_handle_rights",
    "make_respond",
    "make_select_strategy",
    "make_sense_emotion",
    "make_track_offers",
    "make_unsupported_language",
    "make_update_history",
]
