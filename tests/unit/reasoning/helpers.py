from eq_negotiator.emotions import LABELS, EmotionReading


def reading(label: str, confidence: float = 0.9) -> EmotionReading:
    """A reading with ``confidence`` on ``label`` and the rest spread evenly."""
    rest = (1.0 - confidence) / (len(LABELS) - 1)
    return EmotionReading.from_probabilities([confidence if name == label else rest for name in LABELS])


def readings(*labels: str, confidence: float = 0.9) -> list[EmotionReading]:
    return [reading(label, confidence) for label in labels]
