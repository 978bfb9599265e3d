"""Negotiation terms and responsible collection: offers, the concession strategy, agreement, the compliance guard
and the client-rights checks. Pure domain code: no LangGraph import.
"""
