"""Hours and overtime pay: holiday work at 300 %, a sixth day at 200 %, comprehensive hours past the period."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from click.testing import CliRunner
from openpyxl import load_workbook

from callops.cli import cli
from callops.scheduling.pay import pay_report
from callops.scheduling.roster_model import RosterAgent, RosterBreak, RosterShift
from callops.scheduling.work_rules import WorkSystem, china_rules

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def day_shift(agent: str, day: dt.date) -> RosterShift:
    start = dt.datetime.combine(day, dt.time(9), tzinfo=TZ)
    meal = RosterBreak(start + dt.timedelta(hours=4), start + dt.timedelta(hours=5), "meal", False)
    return RosterShift(agent, start, start + dt.timedelta(hours=9), (meal,))


def test_holiday_and_sixth_day() -> None:
    """A standard agent working Sep 28-Oct 3 2026 (Oct 1-3 are National Day holidays): 3 days regular,
    3 holiday days at 300 %; six normal days in a week make the sixth a rest day worked at 200 %."""
    monday = dt.date(2026, 9, 28)
    shifts = [day_shift("A", monday + dt.timedelta(days=k)) for k in range(6)]
    [row] = pay_report(shifts, [RosterAgent("A", WorkSystem.STANDARD)], china_rules(), tz=TZ, week_start=monday)
    assert (row.worked_h, row.regular_h, row.holiday_h, row.rest_day_h) == (48, 24, 24, 0)
    assert row.paid_equivalent_h == 24 + 24 * 3
    normal = dt.date(2026, 11, 2)
    six = [day_shift("B", normal + dt.timedelta(days=k)) for k in range(6)]
    [row] = pay_report(six, [RosterAgent("B", WorkSystem.STANDARD)], china_rules(), tz=TZ, week_start=normal)
    assert (row.regular_h, row.rest_day_h, row.overtime_workday_h) == (40, 8, 0)
    assert row.paid_equivalent_h == 40 + 8 * 2


def test_comprehensive_overtime_past_the_month() -> None:
    """November 2026 has 21 working days (168 h); 22 shifts of 8 h leave 8 h of overtime at 150 %."""
    first = dt.date(2026, 11, 1)
    days = [first + dt.timedelta(days=k) for k in range(30) if (first + dt.timedelta(days=k)).weekday() != 6][:22]
    rows = pay_report([day_shift("C", d) for d in days], [RosterAgent("C", WorkSystem.COMPREHENSIVE)],
                      china_rules(), tz=TZ, week_start=first, last_day=dt.date(2026, 11, 30))
    assert sum(r.worked_h for r in rows) == 176
    assert sum(r.overtime_workday_h for r in rows) == 8
    assert sum(r.regular_h for r in rows) == 168


def test_pay_cli_exports_csv_and_xlsx(tmp_path: Path) -> None:
    """roster pay writes the same rows as CSV and XLSX."""
    import json

    monday = dt.date(2026, 11, 2)
    shifts = [{"agent": "A", "start": f"{monday + dt.timedelta(days=k)}T09:00:00+08:00",
               "end": f"{monday + dt.timedelta(days=k)}T18:00:00+08:00",
               "breaks": [{"start": f"{monday + dt.timedelta(days=k)}T13:00:00+08:00",
                           "end": f"{monday + dt.timedelta(days=k)}T14:00:00+08:00", "kind": "meal"}]}
              for k in range(5)]
    (tmp_path / "r.json").write_text(json.dumps({"from": monday.isoformat(), "shifts": shifts}), encoding="utf-8")
    (tmp_path / "a.csv").write_text("agent,contract,skills\nA,standard,\n", encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(cli, ["roster", "pay", str(tmp_path / "r.json"), "--agents", str(tmp_path / "a.csv"),
                              "--format", "csv"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].startswith("agent,system,week_start,worked_h,regular_h")
    assert lines[1].startswith("A,standard,2026-11-02,40.0,40.0,0.0,0.0,0.0,40.0")
    xlsx = tmp_path / "pay.xlsx"
    out = runner.invoke(cli, ["roster", "pay", str(tmp_path / "r.json"), "--agents", str(tmp_path / "a.csv"),
                              "--format", "xlsx", "--output", str(xlsx)])
    assert out.exit_code == 0, out.output
    sheet = load_workbook(xlsx).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:4] == ["A", "standard", "2026-11-02", 40.0]
