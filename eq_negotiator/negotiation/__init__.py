"""Negotiation terms and responsible collection.

Offers, the concession strategy, agreement, the compliance guard and the client-rights checks. Pure domain code:
no LangGraph import.
"""
