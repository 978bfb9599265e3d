"""Reading CSV rows so that a quote left open is an error naming its line, never rows silently merged.

A quoted CSV cell may hold line breaks, so a quote that is never closed makes the parser read on: the lines after
it, whole rows included, become one cell, and those rows are lost without a word. :func:`strict_rows` refuses that.
It reads with ``strict=True`` (a quote still open at the end of the file, or followed by text, is an error) and
refuses a row spread over several lines that does not have the header's fields (the runaway quote closed by chance
further on). A row on one line with too many or too few fields is left to the caller: that is the row's own error
(an unquoted comma, fields missing at the end), and the rows after it are still read as they are.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, TextIO


class CsvRowError(ValueError):
    """A CSV file the parser cannot split into rows: a quote opened on :attr:`line` is not closed properly.

    Attributes:
        line: The 1-based line the row with the open quote starts on.
    """

    def __init__(self, source: str, line: int, detail: str) -> None:
        self.line = line
        super().__init__(f"{source}: line {line}: {detail}")


def strict_reader(handle: TextIO) -> csv.DictReader[str]:
    """A ``csv.DictReader`` over ``handle`` (opened with ``newline=""``) for :func:`strict_rows`."""
    return csv.DictReader(handle, strict=True)


def strict_rows(reader: csv.DictReader[str], source: str) -> Iterator[tuple[int, dict[str | None, Any]]]:
    """The rows of ``reader`` (from :func:`strict_reader`), each with the line it starts on.

    Args:
        reader: The reader; its ``fieldnames`` may be set (e.g. stripped) before the first row is read.
        source: The file, for the error message.

    Yields:
        ``(first line, row)``; as with ``csv.DictReader``, surplus fields are under ``None`` and missing ones are
        ``None``.

    Raises:
        CsvRowError: For a quote the parser cannot close, naming the line its row starts on and the lines it
            swallowed.
    """
    _ = reader.fieldnames  # reads the header (if it is not read yet), so the line count starts after it
    start = reader.line_num + 1
    rows = iter(reader)
    while True:
        try:
            row: dict[str | None, Any] = next(rows)  # surplus fields sit under None
        except StopIteration:
            return
        except csv.Error as error:
            raise CsvRowError(
                source,
                start,
                f"malformed CSV ({error}): the row starting on this line opens a quote that is not closed where a "
                "field ends, so the rows after it cannot be told apart; fix that row's quotes",
            ) from None
        last = reader.line_num
        # The row's first line: its last, less the line breaks inside its cells (blank lines before it, which the
        # reader skips, are not part of it).
        first = last - _line_breaks(row)
        if first != last and (None in row or any(value is None for value in row.values())):
            raise CsvRowError(
                source,
                first,
                f"the row starting on this line opens a quote that runs on to line {last}, and the row does not have "
                f"the header's fields: an unterminated quote has swallowed lines {first + 1}-{last}; close the quote "
                "(or double a quote meant inside a field) and load again",
            )
        yield first, row
        start = last + 1


def _line_breaks(row: dict[str | None, Any]) -> int:
    """How many line breaks the cells of a parsed row hold (surplus fields included)."""
    surplus = row.get(None) or []
    cells = [value for key, value in row.items() if key is not None] + list(surplus)
    return sum(cell.count("\n") for cell in cells if isinstance(cell, str))
