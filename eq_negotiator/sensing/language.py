"""Which language a client message is in, so that a message the agent cannot read is not negotiated with.

The emotion sensor, the offer parser and the rights rules read English. A message in Spanish, Chinese or French
would otherwise be read as a neutral message naming no terms and answered in English as if it had been understood.
:func:`identify_language` flags such a message; the turn graph then answers with :func:`unsupported_language_reply`
(in English: we cannot read it, please write in English, or a person can help), records the language, and leaves
the negotiation as it was (no offer read, no offer changed, no agreement).

Identification is py3langid (the langid.py model of about 140 languages, shipped inside its wheel: nothing is
downloaded).
A message is flagged only when all of these hold, so that short replies ("ok", "30 days", "no", "lol") and
English with a foreign word stay English:

* it has at least :data:`MIN_LETTERS` letters;
* the most likely language is not English (nor Nigerian Pidgin, which the model gives for some plain English,
  e.g. "i want to die i want to die"), with probability at least :data:`MIN_CONFIDENCE`;
* English gets at most :data:`MAX_ENGLISH_PROBABILITY`.

Measured with ``benchmarks/language.py`` (the figures it prints):

* English lines: 0 flagged out of 7,822 (the client messages of the rights corpus, the credit-dialogue and
  negotiation-emotion corpora and the collector replies in ``sensing/corpora``, the fresh benchmark sets, and the
  simulated debtor's sentences), so the false-flag rate is under 0.04 % (95 % upper bound, 3/n); and 0 of 66 short
  replies ("ok", "30 days", "no", "fine, 90", "Si", "Bueno", "k", "45?"...).
* Spanish lines (the rights corpus's and the fresh rights set's): 81 of 85 flagged. The misses are short requests
  such as "Hablen con mi abogado." (Spanish gets 0.35-0.43). Spanglish (mostly Spanish with English words): 9 of 19.
* 16 messages written for the benchmark in French, Chinese, Spanish, Portuguese, German, Italian, Vietnamese,
  Russian, Arabic, Korean and Japanese: 16 of 16.

These corpora are the project's own (partly written with models), not real traffic: the rule was set on them,
so the figures show it does not misfire on the English this product sees, not how it fares on every client. The
rule errs towards English: a short foreign message is still negotiated with, as before.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

SUPPORTED_LANGUAGES: Final[frozenset[str]] = frozenset({"en"})
"""Languages the sensor, the offer parser and the rights rules read (ISO 639-1 codes)."""

ENGLISH_LIKE: Final[frozenset[str]] = frozenset({"en", "pcm"})
"""Codes counted as English: English, and Nigerian Pidgin, which the model gives for some plain English lines."""

MIN_LETTERS: Final[int] = 8
"""Fewer letters than this ("ok", "30 days", "no way") and no language is decided: the message is read as English."""

MIN_CONFIDENCE: Final[float] = 0.5
"""The probability the most likely language needs before a message is flagged as written in it."""

MAX_ENGLISH_PROBABILITY: Final[float] = 0.05
"""The most probability English (with :data:`ENGLISH_LIKE`) may get in a message that is flagged."""

FLAG_UNSUPPORTED_LANGUAGE: Final[str] = "unsupported_language"
"""Reading flag: the message is in a language the sensor does not read, so its reading is a neutral stand-in."""

LANGUAGE_NAMES: Final[dict[str, str]] = {
    "ar": "Arabic",
    "bn": "Bengali",
    "de": "German",
    "el": "Greek",
    "es": "Spanish",
    "fa": "Persian",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "ht": "Haitian Creole",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "th": "Thai",
    "tl": "Tagalog",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "yue": "Cantonese",
    "zh": "Chinese",
}
"""English names of common languages, for the reply; any other code is called "a language other than English"."""


@dataclass(frozen=True)
class LanguageReading:
    """The language of one message.

    Attributes:
        code: The language's code (``en``, ``es``, ``zh``...) when the identifier is sure enough: English, or the
            language of a flagged message; ``None`` when the message is too short or the identifier unsure (it is
            then read as English).
        confidence: The identifier's probability for ``code`` (0.0 when ``code`` is ``None``).
        supported: Whether the agent reads the message: ``False`` only for a flagged message.
    """

    code: str | None
    confidence: float
    supported: bool

    @property
    def name(self) -> str:
        """The language as a reply names it: ``Spanish``, or ``a language other than English`` for a rare one."""
        return LANGUAGE_NAMES.get(self.code or "", "a language other than English")

    def to_dict(self) -> dict[str, Any]:
        """The reading as JSON-native data (``code``, ``confidence``, ``supported``)."""
        return {"code": self.code, "confidence": round(self.confidence, 4), "supported": self.supported}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LanguageReading:
        """The reading back from :meth:`to_dict` (as the turn state keeps it)."""
        return cls(code=data["code"], confidence=float(data["confidence"]), supported=bool(data["supported"]))


@functools.cache
def _identifier() -> Any:
    # Loading decompresses the model (about 1.5 s): once per process, on the first message, never for --help.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(text: str) -> LanguageReading:
    """The language of ``text``, and whether the agent reads it (see the module docstring for the rule).

    Args:
        text: A client message.

    Returns:
        The reading; ``supported`` is ``False`` only when the identifier is confident the message is not English.
    """
    if sum(char.isalpha() for char in text) < MIN_LETTERS:
        return LanguageReading(None, 0.0, True)
    ranked = {str(code): float(probability) for code, probability in _identifier().rank(text)}
    code, confidence = max(ranked.items(), key=lambda item: item[1])
    english = sum(ranked.get(like, 0.0) for like in ENGLISH_LIKE)
    if code not in ENGLISH_LIKE and confidence >= MIN_CONFIDENCE and english <= MAX_ENGLISH_PROBABILITY:
        return LanguageReading(code, confidence, code in SUPPORTED_LANGUAGES)
    if code in ENGLISH_LIKE and confidence >= MIN_CONFIDENCE:
        return LanguageReading("en", english, True)
    return LanguageReading(None, 0.0, True)


def unsupported_language_reply(reading: LanguageReading, creditor: str) -> str:
    """The fixed English reply to a message in a language the agent does not read.

    It says so politely, asks for English, and offers a person. It names no amount, timeline or consequence, so the
    compliance guard passes it and the negotiation stands as it was.

    Args:
        reading: The message's language (named when it is a common one).
        creditor: Who the agent speaks for (``Scenario.creditor``).
    """
    return (
        f"I'm sorry, I can only read and write English, and your message seems to be in {reading.name}, so I could "
        "not understand it. Could you write to me in English? If you would rather deal with a person, a member of "
        f"the {creditor} team can help you: we have noted that your message was not in English."
    )
