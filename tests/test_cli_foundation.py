"""The foundation commands: db upgrade, import (exit codes and JSON), users, demo load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.store.directory import led_agents, list_agents


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def test_db_upgrade_reports_revision(run) -> None:  # type: ignore[no-untyped-def]
    """`callops db upgrade` on a migrated database says which revision it is at."""
    from alembic.script import ScriptDirectory

    from callops.store.engine import _MIGRATIONS

    head = ScriptDirectory(str(_MIGRATIONS)).get_current_head()
    result = run("db", "upgrade")
    assert result.exit_code == 0 and f"revision {head}" in result.output


def test_import_json_and_reimport(run, fixtures: Path) -> None:  # type: ignore[no-untyped-def]
    """--json prints the counts; the second import inserts nothing."""
    path = str(fixtures / "anonymous_bank" / "calls.txt")
    first = json.loads(run("import", path, "--format", "anonymous-bank", "--json").output)
    assert {k: first[k] for k in ("inserted", "duplicates", "rejected", "skipped", "calls", "agent_intervals")} == {
        "inserted": 8, "duplicates": 0, "rejected": 0, "skipped": 1, "calls": 8, "agent_intervals": 0}
    second = json.loads(run("import", path, "--format", "anonymous-bank", "--json").output)
    assert (second["inserted"], second["duplicates"]) == (0, 8)


def test_import_bad_line_exits_1_naming_it(run, fixtures: Path) -> None:  # type: ignore[no-untyped-def]
    """A bad line exits 1 and the message names file, line and field."""
    result = run("import", str(fixtures / "anonymous_bank" / "bad_date.txt"), "--format", "anonymous-bank")
    assert result.exit_code == 1
    assert "bad_date.txt, line 6, field date" in result.output


def test_import_unknown_zone_is_refused(run, fixtures: Path) -> None:  # type: ignore[no-untyped-def]
    """--tz must name a real zone."""
    result = run("import", str(fixtures / "anonymous_bank" / "calls.txt"), "--format", "anonymous-bank",
                 "--tz", "Mars/Olympus")
    assert result.exit_code == 1 and "--tz" in result.output


def test_users_add_and_list(run) -> None:  # type: ignore[no-untyped-def]
    """`users add` creates a user with the role; `users list --json` shows it."""
    result = run("users", "add", "zhang.wei", "--role", "team_lead", input="s3cret-pass\ns3cret-pass\n")
    assert result.exit_code == 0, result.output
    listed = json.loads(run("users", "list", "--json").output)
    assert listed == [{"username": "zhang.wei", "role": "team_lead", "agent_id": None, "locale": "zh-CN",
                       "active": True}]


def test_demo_load_is_idempotent(run) -> None:  # type: ignore[no-untyped-def]
    """The demo month loads once; a second load adds no calls and no users."""
    first = run("demo", "load")
    assert first.exit_code == 0 and "31359 inserted" in first.output and "admin-demo-1" in first.output
    second = run("demo", "load")
    assert "0 inserted, 31359 already there" in second.output


def test_demo_lead_leads_every_demo_agent(run, engine: sa.Engine) -> None:  # type: ignore[no-untyped-def]
    """Team leads see only the teams they lead: the demo puts its agents in one team led by the demo lead."""
    assert run("demo", "load").exit_code == 0
    with engine.connect() as conn:
        led = led_agents(conn, "lead")
        everyone = {a.agent_id for a in list_agents(conn)}
    assert led == everyone and "MICHAL" in led
