"""Evaluators for simulated negotiations (added by a later issue)."""
