"""Reading interval-count CSV lines, with errors that name file, line and field."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callops.errors import InvalidInput
from callops.forecast import read_series_csv


def test_reads_rows_and_accepts_an_hour_start_column() -> None:
    """Rows become a History; the Anonymous Bank header hour_start is accepted."""
    lines = ["hour_start,calls\n", "1999-01-01T00:00:00,11\n", "1999-01-01T01:00:00,3\n"]
    history = read_series_csv(lines, source="h.csv")
    assert history.calls.tolist() == [11.0, 3.0]
    assert history.starts[1] == np.datetime64("1999-01-01T01:00")


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("2024-13-01T09:00,5", "interval_start"),
        ("2024-01-01T09:00,five", "calls"),
        ("2024-01-01T09:00,-1", "calls"),
    ],
)
def test_a_bad_line_is_named_with_file_line_and_field(row: str, field: str) -> None:
    """The error names the file, the line counting the header as 1, and the field."""
    lines = ["interval_start,calls\n", "2024-01-01T08:55,4\n", row + "\n"]
    with pytest.raises(InvalidInput) as info:
        read_series_csv(lines, source="calls.csv")
    assert str(info.value).startswith(f"calls.csv, line 3, field {field}")


def test_a_missing_column_is_named() -> None:
    """A header without calls is refused on line 1."""
    with pytest.raises(InvalidInput, match="line 1, field calls"):
        read_series_csv(["interval_start,count\n", "2024-01-01T09:00,1\n"], source="x.csv")


def test_a_repeated_interval_names_both_lines() -> None:
    """The second occurrence of an interval is the error, and the first line is named."""
    lines = ["interval_start,calls\n", "2024-01-01T09:00,1\n", "2024-01-01T09:00,2\n"]
    with pytest.raises(InvalidInput, match="line 3.*already appeared on line 2"):
        read_series_csv(lines, source="x.csv")


def test_mixing_naive_and_aware_timestamps_is_refused() -> None:
    """A zone on some rows but not others is named at the first such row."""
    lines = ["interval_start,calls\n", "2024-01-01T09:00,1\n", "2024-01-01T09:05+08:00,2\n"]
    with pytest.raises(InvalidInput, match="line 3, field interval_start"):
        read_series_csv(lines, source="x.csv")


@given(st.lists(st.text(alphabet="0123456789-T:,.+ abcz\n", max_size=30), max_size=8))
def test_garbage_never_crashes(lines: list[str]) -> None:
    """Any text either reads as a series or fails with InvalidInput naming the file."""
    text = ["interval_start,calls\n", *(line + "\n" for line in lines)]
    try:
        history = read_series_csv(text, source="g.csv")
    except InvalidInput as exc:
        assert str(exc).startswith("g.csv")
    else:
        assert len(history.starts) == len(history.calls) > 0
