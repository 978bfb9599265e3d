"""LangGraph wiring of the negotiation turn graph (added by a later issue)."""
