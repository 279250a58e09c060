"""Reading import files: CSV rows numbered by their first line, bad quoting reported, reading goes on."""

from __future__ import annotations

import io

from callops.ingest.items import Rejection
from callops.ingest.textfile import csv_rows, decoded_lines


def test_quoted_field_spanning_lines_keeps_first_line_number() -> None:
    """A row whose quoted field spans two lines is numbered by its first line; the next row by its own."""
    rows = list(csv_rows(enumerate(['a,"b', 'c",d', "e,f"], start=1)))
    assert rows == [(1, ["a", "b\nc", "d"], None), (3, ["e", "f"], None)]


def test_bad_quoting_is_reported_and_reading_continues() -> None:
    """A stray quote yields an error for that row, and the following rows are still read."""
    rows = list(csv_rows(enumerate(['"y"z;w', "q;r"], start=1), delimiter=";"))
    assert rows[0][0] == 1 and rows[0][1] == [] and rows[0][2]
    assert rows[1] == (2, ["q", "r"], None)


def test_decoded_lines_name_each_bad_line_and_go_on() -> None:
    """Per-line decoding: line 2's bad byte is a rejection of line 2 only; a BOM on line 1 is dropped."""
    raw = io.BytesIO("\ufeffa|1\n".encode() + b"b|\xa5\r\n" + "c|\u4e2d\n".encode())
    out = list(decoded_lines(raw, "f"))
    assert out[0] == (1, "a|1") and out[2] == (3, "c|\u4e2d")
    assert isinstance(out[1], Rejection) and out[1].line == 2 and "0xA5" in out[1].reason
    latin = list(decoded_lines(io.BytesIO(b"b|\xa5\n"), "f", encoding="latin-1"))
    assert latin == [(1, "b|\u00a5")]
