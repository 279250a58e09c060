"""Every reader of uploaded or command-line CSV names a line the csv module cannot split (a field over its
128 KiB limit) as a bad line of the file, never a server error; the page says it in the viewer's language."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from typing import Any

import pytest

from callops.csv_rows import CheckedDictReader, checked_rows
from callops.errors import InvalidInput

LONG = "s" * 200_000  # over the csv module's default field limit (131,072 characters)


def _with_long_field(header: str) -> str:
    """``header``, one good-looking row, then a row whose first field is too long for the csv module."""
    n = header.count(",") + 1
    return f"{header}\n" + ",".join(["x"] * n) + "\n" + ",".join([LONG] + ["x"] * (n - 1)) + "\n"


def test_the_dict_reader_names_the_line_it_could_not_split() -> None:
    reader = CheckedDictReader("a,b\n1,2\n3," + LONG + "\n", file="f.csv")
    assert reader.fieldnames == ["a", "b"]
    assert next(reader) == {"a": "1", "b": "2"}
    with pytest.raises(InvalidInput) as err:
        next(reader)
    assert (err.value.file, err.value.line) == ("f.csv", 3) and "not a CSV row" in str(err.value)
    with pytest.raises(InvalidInput) as header:
        CheckedDictReader(LONG + "\n", file="h.csv")
    assert (header.value.file, header.value.line) == ("h.csv", 1)


def test_rows_come_with_the_line_they_end_on() -> None:
    rows = list(checked_rows(['a,b\n', '"multi\n', 'line",2\n', '3,4\n'], file="g.csv"))
    assert rows == [(1, ["a", "b"]), (3, ["multi\nline", "2"]), (4, ["3", "4"])]
    with pytest.raises(InvalidInput) as err:
        list(checked_rows(["a\n", LONG + "\n"], file="g.csv"))
    assert err.value.line == 2


def _readers() -> dict[str, Callable[[], Any]]:
    from callops.desk.csat import read_csat_csv
    from callops.desk.ticket_csv import read_tickets_csv
    from callops.dialer.consent import read_consent_csv
    from callops.dialer.history import read_history_csv
    from callops.forecast.series_csv import read_series_csv
    from callops.people.hr_csv import read_history_csv as read_hr_csv
    from callops.scheduling.roster_inputs import parse_agents, parse_requirements
    from callops.simulation.from_roster import parse_workload

    utc = zoneinfo.ZoneInfo("UTC")
    return {
        "csat": lambda: read_csat_csv(_with_long_field("call,score,channel,at")),
        "tickets": lambda: read_tickets_csv(_with_long_field(
            "ticket,phone,category,opened_at,resolved_at,escalated,contacts")),
        "consent": lambda: read_consent_csv(_with_long_field("member,channel,purpose,status,at")),
        "dial history": lambda: read_history_csv(_with_long_field("member,phone,channel,at,outcome,campaign")),
        "series": lambda: read_series_csv(_with_long_field("interval_start,calls").splitlines(keepends=True),
                                          source="series.csv"),
        "hr": lambda: read_hr_csv(_with_long_field("person,hire_date,exit_date,exit_reason,team,position"),
                                  file="hr.csv"),
        "requirements": lambda: parse_requirements(_with_long_field("interval_start,required"), tz=utc,
                                                   interval_min=30),
        "agents": lambda: parse_agents(_with_long_field("agent,contract,skills")),
        "workload": lambda: parse_workload(_with_long_field("interval_start,calls,aht_s"), tz=utc),
    }


@pytest.mark.parametrize("name", sorted(_readers()))
def test_every_csv_reader_refuses_the_line_by_number(name: str) -> None:
    """Line 3 holds the long field; the reader may refuse line 2 first (its "x" values), but never with the
    csv module's own exception."""
    with pytest.raises(InvalidInput) as err:
        _readers()[name]()
    assert err.value.line in {2, 3}


def test_the_page_says_it_in_chinese() -> None:
    from callops.web.i18n import load_catalogs
    from callops.web.reason_keys import say_reason

    text = str(InvalidInput("not a CSV row: field larger than field limit (131072)", file="a.csv", line=3))
    zh = say_reason(text, load_catalogs().translator("zh-CN"))
    assert "该行无法按 CSV 读取" in zh and "a.csv" in zh and "3" in zh
