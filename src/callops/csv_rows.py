"""CSV text read with the csv module, its own errors turned into :class:`~callops.errors.InvalidInput`.

The csv module raises ``csv.Error`` on a field over its size limit (128 KiB) or a NUL character; left alone that
reaches a user as a server error. Every reader of uploaded or command-line CSV goes through these, so such a
line is named like any other bad line: ``file, line N: not a CSV row: <why>``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from callops.errors import InvalidInput

__all__ = ["CheckedDictReader", "checked_rows"]


def _refusal(exc: csv.Error, file: str, line: int) -> InvalidInput:
    return InvalidInput(f"not a CSV row: {exc}", file=file, line=line)


if TYPE_CHECKING:
    _DictReader = csv.DictReader[str]
else:
    _DictReader = csv.DictReader  # not subscriptable at run time on Python 3.11


class CheckedDictReader(_DictReader):
    """``csv.DictReader`` over ``text`` whose header and rows raise InvalidInput naming ``file`` and the line."""

    def __init__(self, text: str, *, file: str, **kwargs: Any) -> None:
        super().__init__(io.StringIO(text), **kwargs)
        self.file = file
        try:
            self.fieldnames  # noqa: B018  (reads the header now, inside the try; kept for later reads)
        except csv.Error as exc:
            raise _refusal(exc, file, self.reader.line_num) from None

    def __next__(self) -> dict[str | Any, str | Any]:
        try:
            return super().__next__()
        except csv.Error as exc:
            raise _refusal(exc, self.file, self.reader.line_num) from None


def checked_rows(lines: Iterable[str], *, file: str, **kwargs: Any) -> Iterator[tuple[int, list[str]]]:
    """``(line, row)`` for each of ``csv.reader``'s rows of ``lines`` (``line``: where the row ends, counting from
    1); a line the reader cannot split raises InvalidInput naming ``file`` and it."""
    reader = csv.reader(lines, **kwargs)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _refusal(exc, file, reader.line_num) from None
        yield reader.line_num, row
