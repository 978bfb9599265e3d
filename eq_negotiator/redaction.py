"""Masking client PII in logs and traces: emails, phone numbers, money amounts, card/account numbers and names.

Every log record of the ``eq_negotiator`` logger hierarchy is masked when it is made: importing this module (the
package's ``__init__`` does) chains a log record factory that runs :class:`RedactingFilter` on records of that
hierarchy, however their logger was created, before any filter or handler sees them, whatever the application
configures. (A filter attached to the ``eq_negotiator`` logger alone would not do: logging applies a logger's filters
only to records logged on that logger itself, not to those its children propagate.) :func:`get_logger` also attaches
the filter to the logger, which keeps records masked should another library replace the record factory.

LangSmith traces hold whole prompts and replies; :func:`private_tracing_client` builds a ``langsmith.Client`` that
masks them (``redacted``) or drops them (``hidden``) before anything leaves the process. The
:class:`~eq_negotiator.graph.session.Negotiator` uses it when its context's ``trace_privacy`` says so.

Masking is pattern-based and errs on the side of masking too much (any run of 7 or more digits, for example). It is a
safety net for diagnostics, not an anonymisation guarantee.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from langsmith import Client

TracePrivacy = Literal["full", "redacted", "hidden"]

TRACE_PRIVACY_MODES: Final[tuple[TracePrivacy, ...]] = ("full", "redacted", "hidden")
"""``full``: traces as LangSmith records them; ``redacted``: inputs, outputs, metadata and errors masked by
:func:`redact`; ``hidden``: inputs and outputs dropped (metadata and errors still masked)."""

EMAIL: Final[str] = "[EMAIL]"
PHONE: Final[str] = "[PHONE]"
ACCOUNT: Final[str] = "[ACCOUNT]"
AMOUNT: Final[str] = "[AMOUNT]"
NAME: Final[str] = "[NAME]"
SECRET: Final[str] = "[SECRET]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Credentials in a URL (https://user:token@host) and API-key-like tokens: never part of client text, but error
# messages of HTTP clients can quote them.
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/\s:@]+:[^/\s@]+@")
_API_KEY = re.compile(r"\b(?:sk|pk|rk|lsv2|ls|key|tok)[-_][A-Za-z0-9_-]{12,}\b|\bBearer\s+[A-Za-z0-9._~+/-]{12,}=*")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,4})?\b")
_CURRENCY_WORDS = r"(?:USD|EUR|GBP|CAD|AUD|CHF|INR|dollars?|euros?|pounds?|bucks|quid|cents?)"
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[kKmM]\b)?"
_MONEY = re.compile(
    rf"(?:[$€£¥₹]\s?{_NUMBER}|\b(?:USD|EUR|GBP|CAD|AUD|CHF|INR)\s?{_NUMBER}|\b{_NUMBER}\s?{_CURRENCY_WORDS}\b)",
    re.IGNORECASE,
)
# A run of digits with the separators phone, card and account numbers are written with (single spaces only, so
# "pay 30 on 15" stays two numbers).
_DIGIT_RUN = re.compile(r"(?<![\w.])\+?\(?\d(?:[\d().\-/]|\s(?=[\d(]))*\d(?![\w])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MIN_MASKED_DIGITS: Final[int] = 7
"""Digit runs this long or longer are masked: phone numbers (7-11 digits, or up to 15 after ``+``) and longer
card/account numbers. Shorter numbers (days, rounds, small sums) stay readable."""


def _mask_digit_run(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    if digits < MIN_MASKED_DIGITS or _ISO_DATE.match(text):
        return text
    if digits <= 11 or (text.startswith("+") and digits <= 15):
        return PHONE
    return ACCOUNT


def _name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern matching each name and each of its words of two or more letters, longest first.

    So "Alex" is masked as well as "Alex Morgan".
    """
    parts: set[str] = set()
    for name in names:
        name = name.strip()
        if not name:
            continue
        parts.add(name)
        parts.update(word for word in re.split(r"[\s,]+", name) if len(word) >= 2)
    if not parts:
        return None
    alternatives = "|".join(re.escape(part) for part in sorted(parts, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def redact(text: str, names: Iterable[str] = ()) -> str:
    """``text`` with emails, URL credentials and API keys, IBANs, money amounts, long digit runs and ``names`` masked.

    Args:
        text: Any text (a client message, a log line, an error message).
        names: Names to mask (e.g. the scenario's debtor and creditor), matched case-insensitively as whole words,
            and each of their words on its own.

    Returns:
        The masked text (``[EMAIL]``, ``[SECRET]``, ``[ACCOUNT]``, ``[AMOUNT]``, ``[PHONE]``, ``[NAME]``).
    """
    text = _URL_CREDENTIALS.sub(SECRET + "@", text)  # before emails: "user:token@host" reads as one
    text = _EMAIL.sub(EMAIL, text)
    text = _API_KEY.sub(SECRET, text)
    text = _IBAN.sub(ACCOUNT, text)
    text = _MONEY.sub(AMOUNT, text)
    text = _DIGIT_RUN.sub(_mask_digit_run, text)
    pattern = _name_pattern(names)
    return pattern.sub(NAME, text) if pattern is not None else text


def redact_tree(value: Any, names: Iterable[str] = ()) -> Any:
    """``value`` with every string inside it (dict values and keys, list items) passed through :func:`redact`.

    Args:
        value: JSON-like data (dicts, lists, tuples, strings, numbers).
        names: Names to mask, as :func:`redact`.
    """
    names = tuple(names)
    if isinstance(value, str):
        return redact(value, names)
    if isinstance(value, Mapping):
        return {redact_tree(key, names): redact_tree(item, names) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_tree(item, names) for item in value]
    return value


class RedactingFilter(logging.Filter):
    """A logging filter that masks a record's message, arguments and exception text with :func:`redact`.

    It never drops a record: it rewrites it in place (the message is formatted with its arguments first, so an
    argument holding client text is masked too).

    Args:
        names: Names to mask in every record (e.g. a deployment's fixed creditor name).
    """

    def __init__(self, names: Iterable[str] = ()) -> None:
        super().__init__()
        self.names: tuple[str, ...] = tuple(names)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` in place; always keep it."""
        if getattr(record, "eqn_redacted", False):  # already masked by another logger's filter
            return True
        record.msg = redact(record.getMessage(), self.names)
        record.args = ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback they print is the masked one.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info), self.names)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.names)
        record.eqn_redacted = True
        return True


DEFAULT_FILTER: Final[RedactingFilter] = RedactingFilter()
"""The filter every package logger carries."""

PACKAGE_LOGGER: Final[str] = "eq_negotiator"


def get_logger(name: str) -> logging.Logger:
    """The logger ``name`` (use ``__name__``), with :data:`DEFAULT_FILTER` attached once.

    Raises:
        ValueError: If ``name`` is outside the ``eq_negotiator`` hierarchy (other libraries' loggers are theirs).
    """
    if not in_package_hierarchy(name):
        raise ValueError(f"logger {name!r} is not in the {PACKAGE_LOGGER} hierarchy")
    logger = logging.getLogger(name)
    if DEFAULT_FILTER not in logger.filters:
        logger.addFilter(DEFAULT_FILTER)
    return logger


def in_package_hierarchy(name: str) -> bool:
    """Whether the logger ``name`` is ``eq_negotiator`` or one of its children."""
    return name == PACKAGE_LOGGER or name.startswith(PACKAGE_LOGGER + ".")


def install_record_masking() -> None:
    """Chain a log record factory that masks every record of the ``eq_negotiator`` hierarchy (idempotent)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "eqn_masking", False):
        return

    def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if in_package_hierarchy(record.name):
            DEFAULT_FILTER.filter(record)
        return record

    masking_factory.eqn_masking = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(masking_factory)


install_record_masking()
get_logger(PACKAGE_LOGGER)


def check_trace_privacy(mode: str) -> TracePrivacy:
    """Return ``mode`` if it is one of :data:`TRACE_PRIVACY_MODES`.

    Raises:
        ValueError: Otherwise (the message lists the modes).
    """
    for known in TRACE_PRIVACY_MODES:
        if mode == known:
            return known
    raise ValueError(f"trace_privacy must be one of {', '.join(TRACE_PRIVACY_MODES)}, got {mode!r}")


def trace_masker(names: Iterable[str] = ()) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A LangSmith ``anonymizer``/``hide_inputs`` function masking every string of a run's data with :func:`redact`."""
    fixed = tuple(names)

    def mask(data: dict[str, Any]) -> dict[str, Any]:
        masked: dict[str, Any] = redact_tree(data, fixed)
        return masked

    return mask


def private_tracing_client(mode: TracePrivacy, names: Iterable[str] = (), **client_kwargs: Any) -> Client:
    """A ``langsmith.Client`` that masks or hides run data before it is sent.

    ``redacted`` sets the client's ``anonymizer``, which LangSmith applies to inputs, outputs, metadata and error
    text (an error message may quote the client). ``hidden`` sets ``hide_inputs=True`` and ``hide_outputs=True``
    (LangSmith then sends empty inputs and outputs) and still masks metadata and errors.

    Args:
        mode: ``redacted`` or ``hidden``.
        names: Names to mask (the scenario's parties).
        **client_kwargs: Passed to ``langsmith.Client`` (e.g. ``api_url``, ``api_key``; by default from the
            ``LANGSMITH_*`` environment).

    Raises:
        ValueError: For ``full`` or an unknown mode.
    """
    from langsmith import Client

    if check_trace_privacy(mode) == "full":
        raise ValueError("trace_privacy 'full' needs no private client")
    mask = trace_masker(names)
    if mode == "hidden":
        return Client(hide_inputs=True, hide_outputs=True, anonymizer=mask, **client_kwargs)
    return Client(anonymizer=mask, **client_kwargs)
