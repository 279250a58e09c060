"""Opening import files: plain or gzip (detected by content), UTF-8 with a BOM tolerated."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from callops.errors import InvalidInput
from callops.ingest.items import Rejection

__all__ = ["open_text", "numbered_lines", "named_rows", "csv_rows"]

_GZIP_MAGIC = b"\x1f\x8b"


def open_text(path: Path) -> IO[str]:
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
    except OSError as exc:
        raise InvalidInput(f"cannot read: {exc.strerror}", file=str(path)) from exc
    raw = gzip.open(path, "rb") if magic == _GZIP_MAGIC else path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="strict", newline="")


def numbered_lines(stream: IO[str], file: str) -> Iterator[tuple[int, str]]:
    """(line number from 1, line without its end), naming the line when it is not UTF-8."""
    number = 0
    try:
        for number, line in enumerate(stream, start=1):  # noqa: B007 - number is used after errors
            yield number, line.rstrip("\r\n")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text ({exc.reason})", file=file, line=number + 1) from exc
    except (OSError, EOFError) as exc:
        raise InvalidInput(f"cannot read the file ({exc})", file=file, line=number + 1) from exc



def csv_rows(lines: Iterator[tuple[int, str]], *,
             delimiter: str = ",") -> Iterator[tuple[int, list[str], str | None]]:
    """(number of the row's first line, fields, error) of CSV text; a quoted field may span lines.

    A row the CSV reader cannot split comes back with no fields and the reader's reason; reading
    goes on with the next line.
    """
    current = [0]

    def texts() -> Iterator[str]:
        for number, text in lines:
            current[0] = number
            yield text + "\n"

    reader = csv.reader(texts(), delimiter=delimiter, strict=True)
    while True:
        start = current[0] + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, [], str(exc)
            continue
        yield start, row, None


def named_rows(rows: Iterator[tuple[int, list[str], str | None]], names: list[str], *, file: str,
               delimiter: str = ",") -> Iterator[tuple[int, dict[str, str], str] | Rejection]:
    """The data rows after a CSV header: (line, column -> value, raw text) for each row of the header's
    width, a Rejection for a row that is not CSV or has the wrong number of fields; blank rows are dropped."""
    for number, row, error in rows:
        if error is not None:
            yield Rejection(file, number, None, f"not CSV: {error}")
            continue
        if not any(cell.strip() for cell in row):
            continue
        raw = delimiter.join(row)
        if len(row) != len(names):
            yield Rejection(file, number, None, f"{len(row)} fields, the header names {len(names)}", raw)
            continue
        yield number, dict(zip(names, row, strict=True)), raw
