"""Reads an interval-count CSV (``interval_start,calls``) from its lines; the caller opens the file.

The start column may also be called ``hour_start``, ``start`` or ``date``; other columns are ignored.

Errors name the file, the line (the header is line 1) and the field.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from callops.csv_rows import checked_rows
from callops.errors import InvalidInput
from callops.forecast.series import History, history_from_datetimes

__all__ = ["read_series_csv", "START_COLUMNS"]

START_COLUMNS = ("interval_start", "hour_start", "start", "date")


def read_series_csv(lines: Iterable[str], *, source: str, tz: str | None = None) -> History:
    rows = checked_rows(lines, file=source)
    _, header = next(rows, (1, None))
    if header is None:
        raise InvalidInput("the file is empty; expected a header interval_start,calls", file=source, line=1)
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    start_column = next((c for c in START_COLUMNS if c in names), None)
    for column, found in (("interval_start", start_column), ("calls", "calls" if "calls" in names else None)):
        if found is None:
            raise InvalidInput(
                f"no column {column!r} in the header ({', '.join(names)})", file=source, line=1, field=column
            )
    assert start_column is not None
    at_start, at_calls = names.index(start_column), names.index("calls")
    starts: list[dt.datetime] = []
    counts: list[float] = []
    seen: dict[dt.datetime, int] = {}
    for line, row in rows:
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise InvalidInput(f"{len(row)} fields, the header has {len(names)}", file=source, line=line)
        text = row[at_start].strip()
        try:
            start = dt.datetime.fromisoformat(text)
        except ValueError:
            raise InvalidInput(
                f"{text!r} is not an ISO date-time", file=source, line=line, field="interval_start"
            ) from None
        raw = row[at_calls].strip()
        try:
            calls = float(raw)
        except ValueError:
            raise InvalidInput(f"{raw!r} is not a number", file=source, line=line, field="calls") from None
        if not math.isfinite(calls) or calls < 0:
            raise InvalidInput(f"{raw!r} must be a count >= 0", file=source, line=line, field="calls")
        if start in seen:
            raise InvalidInput(
                f"{text} already appeared on line {seen[start]}",
                file=source,
                line=line,
                field="interval_start",
            )
        if starts and (start.tzinfo is None) != (starts[0].tzinfo is None):
            raise InvalidInput(
                f"{text!r}: some timestamps have a zone and some do not",
                file=source,
                line=line,
                field="interval_start",
            )
        seen[start] = line
        starts.append(start)
        counts.append(calls)
    if not starts:
        raise InvalidInput("no data rows", file=source, line=2)
    return history_from_datetimes(starts, counts, tz=tz)

