"""People records in the store and `callops people`: import (atomic, idempotent, audited), attrition, survival."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.store.directory import save_team
from callops.store.people import load_stints
from callops.store.qa_reviews import list_audit
from callops.store.schema import agents, person_spells
from people_site import HR


@pytest.fixture
def run(db_url: str, engine: sa.Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)
    with engine.begin() as conn:
        save_team(conn, "t1", lead="lee")
        save_team(conn, "t2")

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


def _spells(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(person_spells)).scalar_one())


def test_import_is_idempotent_audited_and_linked_to_the_directory(run, engine: sa.Engine,  # type: ignore[no-untyped-def]
                                                                   tmp_path: Path) -> None:
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    first = json.loads(run("people", "import", "hr.csv", "--json").output)
    assert (first["people"], first["changed"], first["agents_added"], first["spells_written"]) == (4, 4, 4, 5)
    again = json.loads(run("people", "import", "hr.csv", "--json").output)
    assert (again["changed"], again["unchanged"], again["spells_written"]) == (0, 4, 0)
    assert _spells(engine) == 5
    with engine.connect() as conn:
        audit = [r for r in list_audit(conn) if r.subject.startswith("person:")]
        assert len(audit) == 4 and {r.action for r in audit} == {"person.imported"}
        directory = {r.agent_id: (r.team, r.active) for r in conn.execute(sa.select(agents))}
        assert directory["a3"] == ("t2", True) and directory["a4"] == ("t2", False)
        stints = {s.person: s for s in load_stints(conn)}
        assert stints["a1"].lead == "lee" and stints["a3"].moved and str(stints["a4"].exit_reason) == "transferred_out"
    # a change to one person rewrites only them, with the old history in the audit
    (tmp_path / "hr.csv").write_text(HR.replace("a1,2024-01-01,,,t1,agent", "a1,2024-01-01,2024-06-01,health,t1,agent"),
                                     encoding="utf-8")
    third = json.loads(run("people", "import", "hr.csv", "--json").output)
    assert third["changed"] == 1
    with engine.connect() as conn:
        (last,) = list_audit(conn, subject="person:a1")[-1:]
        assert last.details["before"][0]["end_on"] is None and last.details["after"][0]["end_on"] == "2024-06-01"
    shown = json.loads(run("people", "show", "a1", "--format", "json").output)
    assert shown["spells"][0]["exit_reason"] == "health" and len(shown["audit"]) == 2


def test_a_bad_row_imports_nothing(run, engine: sa.Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "bad.csv").write_text(HR + "a9,2024-01-01,,,ghost-team,agent\n", encoding="utf-8")
    result = run("people", "import", "bad.csv")
    assert result.exit_code == 1 and "bad.csv, line 7, field team" in result.output and "ghost-team" in result.output
    (tmp_path / "bad2.csv").write_text(HR + "a5,2024-05-01,2024-04-01,pay,t1,agent\n", encoding="utf-8")
    result = run("people", "import", "bad2.csv")
    assert result.exit_code == 1 and "line 7, field exit_date" in result.output
    assert _spells(engine) == 0
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(agents)).scalar_one() == 0


def test_dry_run_and_mapping(run, engine: sa.Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "hr.csv").write_text("工号,入职,离职,原因,班组,岗位\nz1,2024-01-01,2024-02-01,健康,t1,坐席\n",
                                     encoding="gb18030")
    (tmp_path / "m.yaml").write_text("columns:\n  person: 工号\n  hire_date: 入职\n  exit_date: 离职\n"
                                     "  exit_reason: 原因\n  team: 班组\n  position: 岗位\n", encoding="utf-8")
    dry = json.loads(run("people", "import", "hr.csv", "--mapping", "m.yaml", "--dry-run", "--json").output)
    assert dry["changed"] == 1 and dry["dry_run"] and _spells(engine) == 0
    run("people", "import", "hr.csv", "--mapping", "m.yaml")
    assert _spells(engine) == 1


def test_attrition_and_survival_commands(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "hr.csv").write_text(HR, encoding="utf-8")
    run("people", "import", "hr.csv")
    out = run("people", "attrition", "--from", "2024-01-01", "--to", "2024-03-31", "--grain", "month",
              "--format", "json").output
    rows = json.loads(out)
    assert [r["period"] for r in rows] == ["2024-01", "2024-02", "2024-03"]
    keys = {"period", "headcount_start", "headcount_end", "hires", "exits", "voluntary_exits", "attrition_rate",
            "annualised_attrition"}
    assert keys <= set(rows[0])
    assert [(r["headcount_start"], r["headcount_end"], r["hires"], r["exits"], r["voluntary_exits"]) for r in rows] == [
        (3, 4, 2, 0, 0), (4, 3, 0, 1, 0), (2, 2, 0, 1, 1)]
    assert rows[2]["attrition_rate"] == 0.5 and rows[2]["annualised_attrition"] == 6.0
    teams = json.loads(run("people", "attrition", "--from", "2024-01-01", "--to", "2024-03-31", "--grain", "quarter",
                           "--by", "team", "--format", "json").output)
    assert [(r["team"], r["exits"]) for r in teams] == [("t1", 1), ("t2", 1)]
    curves = json.loads(run("people", "survival", "--as-of", "2024-06-01", "--format", "json").output)
    (curve,) = curves
    assert curve["group"] == "all"
    assert [(p["t"], p["survival"], p["at_risk"]) for p in curve["points"]] == [(46, 0.75, 4), (405, 0.0, 1)]
    assert set(curve["points"][0]) == {"t", "survival", "lo", "hi", "at_risk"}
    by_cohort = json.loads(run("people", "survival", "--by", "cohort", "--as-of", "2024-06-01", "--format",
                               "json").output)
    assert [c["group"] for c in by_cohort] == ["2023-01", "2023-06", "2024-01"]
    bad = run("people", "attrition", "--from", "2024-03-01", "--to", "2024-01-01", "--format", "json")
    assert bad.exit_code == 1 and "before" in bad.output


def test_dates_are_stored_as_dates(engine: sa.Engine) -> None:
    from callops.people import build_stints, read_history_csv
    from callops.store.people import save_people

    with engine.begin() as conn:
        save_team(conn, "t1")
        people = build_stints(read_history_csv(HR.splitlines()[0] + "\nq,2024-02-29,,,t1,lead\n", file="x"),
                              known_teams={"t1"}, file="x")
        save_people(conn, people, actor="test", now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
        (stint,) = load_stints(conn)
        assert stint.hire_on == dt.date(2024, 2, 29) and stint.spells[0].position.value == "lead"


def test_0012_downgrades_and_upgrades(engine: sa.Engine) -> None:
    """Below 0012 only person_spells and coaching_sessions are gone; upgrading to head brings them back."""
    from alembic import command

    from callops.store import upgrade
    from callops.store.engine import _alembic_config

    try:
        command.downgrade(_alembic_config(engine), "0012")  # later migrations' tables are not this test's
        tables = set(sa.inspect(engine).get_table_names())
        command.downgrade(_alembic_config(engine), "0011")  # the revision 0012 follows
        assert set(sa.inspect(engine).get_table_names()) == tables - {"person_spells", "coaching_sessions"}
    finally:
        upgrade(engine)
    assert "person_spells" in set(sa.inspect(engine).get_table_names())


def test_xlsx_import(run, engine: sa.Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["person", "hire_date", "exit_date", "exit_reason", "team", "position"])
    sheet.append(["x1", dt.datetime(2024, 2, 1), dt.datetime(2024, 3, 15), "monotony", "t1", "agent"])
    sheet.append(["x2", "2024-02-05", None, None, "t2", "lead"])
    book.save(tmp_path / "hr.xlsx")
    counts = json.loads(run("people", "import", "hr.xlsx", "--json").output)
    assert counts["changed"] == 2
    with engine.connect() as conn:
        stints = {s.person: s for s in load_stints(conn)}
    assert stints["x1"].exit_on == dt.date(2024, 3, 15) and stints["x2"].spells[0].position.value == "lead"
