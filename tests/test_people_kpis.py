"""People measures in the KPI layer: `callops report kpi --kpis headcount,hires,exits,attrition_rate --grain month`
gives per period what `callops people attrition` does (SQLite and PostgreSQL); people KPIs stand alone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.errors import InvalidInput
from callops.metrics import Grain, KpiRequest, kpi
from callops.store.directory import save_team
from people_site import HR


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def people(engine: sa.Engine, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with engine.begin() as conn:
        save_team(conn, "t1")
        save_team(conn, "t2")
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    assert run("people", "import", str(tmp_path / "hr.csv"))[0] == 0


@pytest.mark.parametrize("grain", ["month", "quarter", "year"])
def test_report_kpi_matches_people_attrition(people: None, grain: str) -> None:
    code, out = run(
        "report",
        "kpi",
        "--kpis",
        "headcount,hires,exits,voluntary_exits,attrition_rate",
        "--grain",
        grain,
        "--from",
        "2024-01-01",
        "--to",
        "2024-06-30",
        "--tz",
        "Asia/Shanghai",
        "--format",
        "json",
    )
    assert code == 0, out
    rows = json.loads(out)
    code, out = run(
        "people", "attrition", "--from", "2024-01-01", "--to", "2024-06-30", "--grain", grain, "--format", "json"
    )
    expected = [
        {
            "period": r["period"],
            "headcount": r["headcount_end"],
            "hires": r["hires"],
            "exits": r["exits"],
            "voluntary_exits": r["voluntary_exits"],
            "attrition_rate": r["attrition_rate"],
        }
        for r in json.loads(out)
    ]
    assert len(rows) == len(expected) and len(rows) == {"month": 6, "quarter": 2, "year": 1}[grain]
    for got, want in zip(rows, expected, strict=True):
        assert {k: got[k] for k in want if k != "attrition_rate"} == {
            k: v for k, v in want.items() if k != "attrition_rate"
        }
        assert got["attrition_rate"] == pytest.approx(want["attrition_rate"], abs=1e-6)  # people rounds to 6 places
    if grain == "month":  # February: a3 moved (no exit), a4 left (released); March: a2 left on the 1st
        by_period = {r["period"]: r for r in rows}
        assert by_period["2024-02"]["exits"] == 1 and by_period["2024-03"]["exits"] == 1
        assert by_period["2024-01"]["hires"] == 2


def test_people_kpis_stand_alone_and_take_calendar_grains(people: None) -> None:
    assert kpi("attrition_rate").zh == "流失率" and kpi("headcount").unit == "count"
    code, out = run(
        "report", "kpi", "--kpis", "headcount,offered", "--grain", "month", "--from", "2024-01-01", "--to", "2024-03-31"
    )
    assert code != 0 and "kpis" in out
    code, out = run("report", "kpi", "--kpis", "exits", "--grain", "day", "--from", "2024-01-01", "--to", "2024-03-31")
    assert code != 0 and "grain" in out
    with pytest.raises(InvalidInput) as err:
        KpiRequest(
            start=dt.date(2024, 1, 1),
            end=dt.date(2024, 1, 31),
            grain=Grain.MONTH,
            tz="UTC",
            kpis=("hires",),
            dims=("queue",),
        )
    assert err.value.field == "by"
    code, out = run(
        "report", "kpi", "--kpis", "headcount,hires,exits,attrition_rate", "--grain", "year", "--format", "json"
    )  # no range: from the first hire to the last exit or today
    assert code == 0, out
    assert json.loads(out)[0]["period"] == "2023"
