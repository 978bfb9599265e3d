"""EQ-Negotiator: an emotion-reasoning negotiation agent for credit dialogues."""

__version__ = "0.1.0"
