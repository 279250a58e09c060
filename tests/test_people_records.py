"""HR rows into stints: columns, mapping, Chinese codes, and every refusal naming its line and field."""

from __future__ import annotations

import datetime as dt

import pytest

from callops.errors import InvalidInput
from callops.people import ExitReason, Position, build_stints, read_history_csv

HEADER = "person,hire_date,exit_date,exit_reason,team,position\n"
TEAMS = {"t1", "t2"}


def _stints(body: str, *, header: str = HEADER, mapping: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    rows = read_history_csv(header + body, file="hr.csv", mapping=mapping)
    return build_stints(rows, known_teams=TEAMS, file="hr.csv")


def test_one_row_per_person_and_a_position_history() -> None:
    """A single row is one stint; contiguous rows are moves inside one stint; a gap is a rehire."""
    people = _stints("a1,2024-01-01,,,t1,agent\n"
                     "a2,2023-06-01,2024-02-01,,t1,agent\n"
                     "a2,2024-02-01,,,t2,senior\n"
                     "a3,2022-01-01,2022-05-01,study,t1,坐席\n"
                     "a3,2023-01-01,2023-09-01,薪酬,t2,agent\n")
    (a1,) = people["a1"]
    assert a1.hire_on == dt.date(2024, 1, 1) and a1.exit_on is None and not a1.moved
    (a2,) = people["a2"]
    assert [s.position for s in a2.spells] == [Position.AGENT, Position.SENIOR]
    assert a2.moved and a2.promoted and a2.spells[0].end_on == dt.date(2024, 2, 1)
    first, second = people["a3"]
    assert first.exit_reason is ExitReason.STUDY and second.exit_reason is ExitReason.PAY
    assert first.exit_on == dt.date(2022, 5, 1) and second.hire_on == dt.date(2023, 1, 1)
    assert second.early_exit is False and first.tenure_days(dt.date(2030, 1, 1)) == 120


def test_a_row_without_exit_date_ends_where_the_next_begins() -> None:
    (stint,) = _stints("a1,2023-01-01,,,t1,agent\na1,2023-07-01,,,t1,lead\n")["a1"]
    assert stint.spells[0].end_on == dt.date(2023, 7, 1) and stint.exit_on is None


def test_mapping_names_other_headers() -> None:
    header = "工号,入职日期,离职日期,离职原因,班组,岗位,合同\n"
    mapping = {"person": "工号", "hire_date": "入职日期", "exit_date": "离职日期", "exit_reason": "离职原因",
               "team": "班组", "position": "岗位", "contract": "合同"}
    (stint,) = _stints("b7,2024-03-04,2024-05-20,没有发展,t2,组长,full_time\n", header=header, mapping=mapping)["b7"]
    assert stint.exit_reason is ExitReason.NO_GROWTH and stint.spells[0].position is Position.LEAD
    assert stint.spells[0].contract == "full_time" and stint.early_exit


@pytest.mark.parametrize(("body", "line", "field", "words"), [
    ("a1,2024-05-01,2024-04-01,pay,t1,agent\n", 2, "exit_date", "not after the hire date"),
    ("a1,2024-05-01,2024-05-01,pay,t1,agent\n", 2, "exit_date", "not after the hire date"),
    ("a1,2024-01-01,2024-06-01,,t1,agent\na1,2024-03-01,,,t1,senior\n", 3, "hire_date", "overlaps line 2"),
    ("a1,2024-01-01,,,t1,agent\na1,2024-01-01,,,t2,agent\n", 3, "hire_date", "two rows"),
    ("a1,2024-01-01,,,nowhere,agent\n", 2, "team", "unknown team 'nowhere'"),
    ("a1,2024-01-01,,pay,t1,agent\n", 2, "exit_reason", "needs an exit date"),
    ("a1,2024-01-01,2024-03-01,,t1,agent\n", 2, "exit_reason", "needs a reason"),
    ("a1,2024-01-01,2024-03-01,,t1,agent\na1,2024-06-01,,,t1,agent\n", 2, "exit_reason", "needs a reason"),
    ("a1,2024-01-01,2024-03-01,pay,t1,agent\na1,2024-03-01,,,t1,senior\n", 2, "exit_reason", "last row"),
    ("a1,2024-13-01,,,t1,agent\n", 2, "hire_date", "not a date"),
    ("a1,2024-01-01,,,t1,astronaut\n", 2, "position", "not a position"),
    ("a1,2024-01-01,2024-02-01,bored,t1,agent\n", 2, "exit_reason", "not an exit reason"),
    ("ok,2024-01-01,,,t1,agent\n,2024-01-01,,,t1,agent\n", 3, "person", "needs a person"),
])
def test_impossible_rows_are_refused_naming_line_and_field(body: str, line: int, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as err:
        _stints(body)
    assert (err.value.file, err.value.line, err.value.field) == ("hr.csv", line, field)
    assert words in err.value.reason


def test_missing_columns_and_bad_mappings() -> None:
    with pytest.raises(InvalidInput, match="missing column"):
        _stints("a1,2024-01-01\n", header="person,hire_date\n")
    with pytest.raises(InvalidInput, match="names 'salary'"):
        _stints("", mapping={"salary": "x"})


def test_exit_reasons_classify_loss_and_release() -> None:
    assert ExitReason.PAY.voluntary and not ExitReason.PAY.release
    assert not ExitReason.DISMISSED.voluntary
    assert ExitReason.TRANSFERRED_OUT.release and not ExitReason.TRANSFERRED_OUT.voluntary


@pytest.mark.parametrize(("text", "reason"), [("No growth", ExitReason.NO_GROWTH), ("no-growth", ExitReason.NO_GROWTH),
                                              ("Transferred out", ExitReason.TRANSFERRED_OUT),
                                              ("辞退", ExitReason.DISMISSED), ("PAY", ExitReason.PAY)])
def test_reason_spellings(text: str, reason: ExitReason) -> None:
    from callops.people.hr_csv import parse_reason

    assert parse_reason(text) is reason


def test_position_spellings() -> None:
    from callops.people.hr_csv import parse_position

    assert parse_position("Team lead") is Position.LEAD and parse_position("Senior agent") is Position.SENIOR
    assert parse_position("组长") is Position.LEAD
