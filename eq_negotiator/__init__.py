"""EQ-Negotiator: an emotion-reasoning negotiation agent for credit dialogues."""

# Imported for its side effect: every log record of the eq_negotiator logger hierarchy is masked (client PII).
from eq_negotiator import redaction as _redaction  # noqa: F401

__version__ = "0.1.0"
