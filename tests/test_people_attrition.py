"""Attrition per period: boundary days, groups, annualising, and a brute-force check on random people."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from callops.errors import InvalidInput
from callops.people import ExitReason, Grain, GroupBy, Position, Spell, Stint, attrition, periods
from callops.people.tenure import exits_by_reason, released_destinations, tenure_distribution

D = dt.date


def _stint(person: str, hire: dt.date, exit_on: dt.date | None = None, reason: ExitReason | None = None,
           team: str = "t1", destination: str | None = None) -> Stint:
    return Stint(person, (Spell(hire, exit_on, team, Position.AGENT),),
                 exit_reason=reason if exit_on else None, destination=destination)


def test_boundary_days_follow_the_headcount_of_each_day() -> None:
    """Hired on the 1st: in the month's opening headcount. Leaving on the 1st: not in it, but an exit of that month.
    Leaving on the 1st of the next month: still in this month's closing headcount."""
    people = [_stint("stay", D(2023, 1, 1)),
              _stint("hired_on_first", D(2024, 3, 1)),
              _stint("left_on_first", D(2023, 5, 1), D(2024, 3, 1), ExitReason.PAY),
              _stint("left_next_first", D(2023, 5, 1), D(2024, 4, 1), ExitReason.DISMISSED),
              _stint("left_on_last", D(2023, 5, 1), D(2024, 3, 31), ExitReason.HEALTH)]
    (row,) = attrition(people, date_from=D(2024, 3, 1), date_to=D(2024, 3, 31), grain=Grain.MONTH)
    # 3-01: stay, hired_on_first, left_next_first, left_on_last; 3-31: stay, hired_on_first, left_next_first
    assert (row.headcount_start, row.headcount_end, row.hires, row.exits) == (4, 3, 1, 2)
    assert row.voluntary_exits == 2 and row.early_exits == 0
    assert row.attrition_rate == pytest.approx(2 / 3.5, abs=1e-6)
    assert row.annualised_attrition == pytest.approx(12 * 2 / 3.5, abs=1e-5)
    (april,) = attrition(people, date_from=D(2024, 4, 1), date_to=D(2024, 4, 30), grain=Grain.MONTH)
    assert (april.headcount_start, april.exits, april.voluntary_exits) == (2, 1, 0)


def test_early_exits_and_released_people() -> None:
    people = [_stint("quick", D(2024, 1, 10), D(2024, 4, 9), ExitReason.MONOTONY),  # 90 days: early
              _stint("slow", D(2024, 1, 10), D(2024, 4, 10), ExitReason.MONOTONY),  # 91 days
              _stint("out", D(2022, 1, 1), D(2024, 4, 20), ExitReason.TRANSFERRED_OUT, destination="sales")]
    (q2,) = attrition(people, date_from=D(2024, 4, 1), date_to=D(2024, 6, 30), grain=Grain.QUARTER)
    assert (q2.period, q2.exits, q2.early_exits, q2.released, q2.voluntary_exits) == ("2024-Q2", 3, 1, 1, 2)
    assert q2.attrition_rate == pytest.approx(3 / 1.5) and q2.annualised_attrition == pytest.approx(4 * 3 / 1.5)
    reasons = {r.reason: r.exits for r in exits_by_reason(people, date_from=D(2024, 1, 1), date_to=D(2024, 12, 31))}
    assert reasons["monotony"] == 2 and reasons["transferred_out"] == 1 and reasons["pay"] == 0
    assert released_destinations(people, date_from=D(2024, 1, 1), date_to=D(2024, 12, 31)) == [
        {"destination": "sales", "people": 1}]


def test_periods_are_cut_to_the_span_and_annualised_by_days() -> None:
    cut = periods(D(2024, 1, 16), D(2024, 3, 10), Grain.MONTH)
    assert [(p[0], p[1], p[2]) for p in cut] == [("2024-01", D(2024, 1, 16), D(2024, 1, 31)),
                                                  ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
                                                  ("2024-03", D(2024, 3, 1), D(2024, 3, 10))]
    assert cut[0][3] == pytest.approx(12 * 31 / 16) and cut[1][3] == 12
    assert [p[0] for p in periods(D(2023, 12, 31), D(2025, 1, 1), Grain.YEAR)] == ["2023", "2024", "2025"]
    with pytest.raises(InvalidInput):
        periods(D(2024, 2, 1), D(2024, 1, 1), Grain.MONTH)
    with pytest.raises(InvalidInput, match="periods"):
        periods(D(1900, 1, 1), D(2100, 1, 1), Grain.MONTH)


def test_empty_headcount_gives_no_rate() -> None:
    (row,) = attrition([], date_from=D(2024, 1, 1), date_to=D(2024, 1, 31), grain=Grain.MONTH)
    assert row.attrition_rate is None and row.exits == 0


def test_by_team_counts_a_team_move_in_each_team_on_its_days() -> None:
    mover = Stint("m", (Spell(D(2023, 1, 1), D(2024, 2, 15), "t1", Position.AGENT),
                        Spell(D(2024, 2, 15), D(2024, 2, 20), "t2", Position.SENIOR)), exit_reason=ExitReason.PAY)
    rows = attrition([mover], date_from=D(2024, 2, 1), date_to=D(2024, 2, 29), grain=Grain.MONTH, by=GroupBy.TEAM)
    by = {r.group: r for r in rows}
    assert by["t1"].headcount_start == 1 and by["t1"].exits == 0
    assert by["t2"].headcount_start == 0 and by["t2"].exits == 1 and by["t2"].attrition_rate is None


def _random_people(rng: random.Random, n: int) -> list[Stint]:
    out = []
    for i in range(n):
        hire = D(2022, 1, 1) + dt.timedelta(days=rng.randrange(900))
        leaves = rng.random() < 0.6
        exit_on = hire + dt.timedelta(days=rng.randrange(1, 500)) if leaves else None
        out.append(_stint(f"p{i}", hire, exit_on, rng.choice(list(ExitReason)), team=rng.choice(["a", "b"])))
    return out


def test_matches_a_brute_force_count_day_by_day() -> None:
    """Headcounts, hires and exits agree with counting every person on every day."""
    rng = random.Random(11)
    people = _random_people(rng, 300)

    def headcount(day: dt.date) -> int:
        return sum(1 for p in people if p.hire_on <= day and (p.exit_on is None or p.exit_on > day))

    for row in attrition(people, date_from=D(2022, 3, 5), date_to=D(2024, 8, 20), grain=Grain.MONTH):
        assert row.headcount_start == headcount(row.first_day)
        assert row.headcount_end == headcount(row.last_day)
        assert row.hires == sum(1 for p in people if row.first_day <= p.hire_on <= row.last_day)
        exits = [p for p in people if p.exit_on and row.first_day <= p.exit_on <= row.last_day]
        assert row.exits == len(exits)
        assert row.voluntary_exits == sum(1 for p in exits if p.exit_reason and p.exit_reason.voluntary)
        mean = (row.headcount_start + row.headcount_end) / 2
        assert row.attrition_rate == (None if mean == 0 else pytest.approx(len(exits) / mean, abs=1e-6))
    by_team = attrition(people, date_from=D(2023, 1, 1), date_to=D(2023, 12, 31), grain=Grain.YEAR, by=GroupBy.TEAM)
    (total,) = attrition(people, date_from=D(2023, 1, 1), date_to=D(2023, 12, 31), grain=Grain.YEAR)
    assert sum(r.exits for r in by_team) == total.exits
    assert sum(r.headcount_end for r in by_team) == total.headcount_end


def test_tenure_distribution_of_a_day() -> None:
    people = [_stint("new", D(2024, 5, 1)), _stint("old", D(2021, 1, 1)), _stint("year", D(2023, 6, 1)),
              _stint("gone", D(2020, 1, 1), D(2024, 1, 1), ExitReason.PAY), _stint("future", D(2024, 9, 1))]
    bands = {b.band: b for b in tenure_distribution(people, as_of=D(2024, 6, 30))}
    assert (bands["0-3m"].people, bands["12-18m"].people, bands["24m+"].people) == (1, 1, 1)
    assert bands["24m+"].share == pytest.approx(1 / 3, abs=1e-6)
    assert sum(b.people for b in bands.values()) == 3
