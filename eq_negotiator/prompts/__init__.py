"""Prompt templates, one per emotional stance (added by a later issue)."""
