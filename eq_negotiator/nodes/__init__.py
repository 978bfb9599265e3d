"""Graph nodes: thin adapters from graph state to domain code (added by a later issue)."""
