"""The turn graph's nodes, one module each.

Each node reads state and ``Runtime[Context]``, calls domain code through
:class:`~eq_negotiator.graph.services.Services`, and returns a partial state update.
"""

from eq_negotiator.nodes.close_dialogue import make_close_dialogue
from eq_negotiator.nodes.respond import make_respond
from eq_negotiator.nodes.select_strategy import make_select_strategy
from eq_negotiator.nodes.sense_emotion import make_sense_emotion
from eq_negotiator.nodes.update_history import make_update_history

__all__ = [
    "make_close_dialogue",
    "make_respond",
    "make_select_strategy",
    "make_sense_emotion",
    "make_update_history",
]
