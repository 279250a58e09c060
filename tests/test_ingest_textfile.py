"""Reading import files: CSV rows numbered by their first line, bad quoting reported, reading goes on."""

from __future__ import annotations

from callops.ingest.textfile import csv_rows


def test_quoted_field_spanning_lines_keeps_first_line_number() -> None:
    """A row whose quoted field spans two lines is numbered by its first line; the next row by its own."""
    rows = list(csv_rows(enumerate(['a,"b', 'c",d', "e,f"], start=1)))
    assert rows == [(1, ["a", "b\nc", "d"], None), (3, ["e", "f"], None)]


def test_bad_quoting_is_reported_and_reading_continues() -> None:
    """A stray quote yields an error for that row, and the following rows are still read."""
    rows = list(csv_rows(enumerate(['"y"z;w', "q;r"], start=1), delimiter=";"))
    assert rows[0][0] == 1 and rows[0][1] == [] and rows[0][2]
    assert rows[1] == (2, ["q", "r"], None)
