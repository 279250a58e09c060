"""A command run where there is no callops database says where it looked and what to run, and creates nothing;
the commands that write (db upgrade, import, demo load) still create it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from callops.cli import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that is not the project's, with CALLOPS_DATABASE_URL unset (the default sqlite:///callops.db)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CALLOPS_DATABASE_URL", raising=False)
    return tmp_path


def test_a_reading_command_without_a_database_says_where_and_creates_nothing(elsewhere: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "kpi", "--from", "1999-01-01", "--to", "1999-01-31"])
    assert result.exit_code == 1
    assert f"there is no database file {elsewhere / 'callops.db'}" in result.output
    assert "callops db upgrade" in result.output and "CALLOPS_DATABASE_URL" in result.output
    assert "Traceback" not in result.output and len(result.output.splitlines()) <= 2
    assert not (elsewhere / "callops.db").exists()


def test_a_database_file_without_the_schema_is_named_too(elsewhere: Path) -> None:
    sqlite3.connect(elsewhere / "callops.db").close()
    result = CliRunner().invoke(cli, ["users", "list"])
    assert result.exit_code == 1 and "the database has no callops tables" in result.output


def test_a_url_that_is_set_is_quoted(elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALLOPS_DATABASE_URL", f"sqlite:///{elsewhere / 'other.db'}")
    result = CliRunner().invoke(cli, ["report", "kpi", "--from", "1999-01-01", "--to", "1999-01-31"])
    assert result.exit_code == 1 and f"CALLOPS_DATABASE_URL is sqlite:///{elsewhere / 'other.db'}" in result.output
    assert not (elsewhere / "other.db").exists()


def test_import_creates_the_database_and_then_reports_read_it(elsewhere: Path) -> None:
    runner = CliRunner()
    imported = runner.invoke(cli, ["import", str(FIXTURES / "anonymous_bank" / "calls.txt"),
                                   "--format", "anonymous-bank", "--tz", "Asia/Jerusalem"])
    assert imported.exit_code == 0, imported.output
    assert "created the callops schema" in imported.output and "inserted 8" in imported.output
    report = runner.invoke(cli, ["report", "kpi", "--from", "1999-01-01", "--to", "1999-01-31",
                                 "--tz", "Asia/Jerusalem"])
    assert report.exit_code == 0, report.output
    assert "1999-01" in report.output


def test_a_dry_run_without_a_database_says_so_and_creates_nothing(elsewhere: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(FIXTURES / "anonymous_bank" / "calls.txt"),
                                      "--format", "anonymous-bank", "--dry-run"])
    assert result.exit_code == 1 and "no callops database" in result.output
    assert not (elsewhere / "callops.db").exists()


def test_format_auto_recognises_the_file_and_prints_why(elsewhere: Path) -> None:
    result = CliRunner().invoke(cli, ["import", str(FIXTURES / "freeswitch_cc" / "example_template.csv"),
                                      "--format", "auto", "--tz", "Asia/Shanghai"])
    assert result.exit_code == 0, result.output
    assert "format freeswitch-cc (template example): lines of 15 CSV fields" in result.output
    assert "inserted 3" in result.output
    refused = CliRunner().invoke(cli, ["import", str(FIXTURES / "csv" / "crm-export.yaml"), "--format", "auto"])
    assert refused.exit_code == 1 and "field --format: cannot recognise the format" in refused.output
