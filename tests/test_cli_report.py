"""`callops report kpi|agents` and `callops export parquet`: formats, engines, and the Anonymous Bank reconciled."""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result
from openpyxl import load_workbook

from callops.cli import cli
from callops.store.records import insert_calls
from kpi_hand_day import hand_day

BANK = "anonymous-bank-1999"


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def run(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CALLOPS_TZ", "Asia/Shanghai")
    monkeypatch.chdir(tmp_path)
    return _invoke


def raw_counts(path: Path) -> dict[str, Counter[str]]:
    """Per file date: offered, answered, abandoned, counted straight from the raw rows (PHANTOM ignored)."""
    out: dict[str, Counter[str]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            day = f"19{cols[5][:2]}-{cols[5][2:4]}-{cols[5][4:6]}"
            outcome, queued = cols[12].strip(), cols[9].strip() != "0:00:00"
            counts = out.setdefault(day, Counter())
            if outcome == "AGENT":
                counts.update(["offered", "answered"])
            elif outcome == "HANG" and queued:
                counts.update(["offered", "abandoned"])
    return out


def _reconcile(rows: list[dict[str, object]], expected: dict[str, Counter[str]]) -> None:
    got = {str(r["period"]): {k: r[k] for k in ("offered", "answered", "abandoned")} for r in rows}
    want = {day: {k: c[k] for k in ("offered", "answered", "abandoned")} for day, c in expected.items()}
    assert got == want


def test_january_reconciles_day_by_day(run, shared_data: Path) -> None:  # type: ignore[no-untyped-def]
    """Imported January 1999 gives, per local day, the raw file's offered/answered/abandoned counts."""
    path = shared_data / BANK / "calls_1999-01.txt.gz"
    assert run("import", str(path), "--format", "anonymous-bank", "--tz", "Asia/Jerusalem").exit_code == 0
    result = run("report", "kpi", "--from", "1999-01-01", "--to", "1999-01-31", "--grain", "day",
                 "--tz", "Asia/Jerusalem", "--format", "json")
    assert result.exit_code == 0
    _reconcile(json.loads(result.output), raw_counts(path))


def test_april_reconciles_across_the_dst_change(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                shared_data: Path) -> None:
    """April 1999 (Jerusalem moves to summer time on the 2nd) reconciles per day on SQLite, then on DuckDB."""
    monkeypatch.setenv("CALLOPS_DATABASE_URL", f"sqlite:///{tmp_path / 'bank.db'}")
    monkeypatch.chdir(tmp_path)
    path = shared_data / BANK / "calls_1999-04.txt.gz"
    assert _invoke("db", "upgrade").exit_code == 0
    assert _invoke("import", str(path), "--format", "anonymous-bank", "--tz", "Asia/Jerusalem").exit_code == 0
    assert _invoke("export", "parquet", str(tmp_path / "pq")).exit_code == 0
    expected = raw_counts(path)
    for engine_args in ([], ["--engine", "duckdb", "--parquet", str(tmp_path / "pq")]):
        result = _invoke("report", "kpi", "--from", "1999-04-01", "--to", "1999-04-30", "--tz", "Asia/Jerusalem",
                         "--format", "json", "--kpis", "offered,answered,abandoned", *engine_args)
        _reconcile(json.loads(result.output), expected)


def _hand_day(db_url: str) -> None:
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    calls, states = hand_day()
    with engine.begin() as conn:
        insert_calls(conn, calls)
    engine.dispose()


def test_formats_carry_the_same_numbers(run, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """JSON, CSV and XLSX rows have period, --by columns and the KPI keys, with rates as fractions."""
    _hand_day(db_url)
    base = ["report", "kpi", "--from", "2026-03-02", "--to", "2026-03-02", "--grain", "day", "--by", "queue"]
    rows = json.loads(run(*base, "--format", "json").output)
    keys = {"period", "queue", "offered", "answered", "abandoned", "lost", "answer_rate", "service_level",
            "abandon_rate", "loss_rate", "asa_s", "aht_s"}
    sales = next(r for r in rows if r["queue"] == "sales")
    assert keys <= sales.keys() and sales["offered"] == 7 and sales["answer_rate"] == pytest.approx(3 / 7)
    text = run(*base, "--format", "csv").output
    by_csv = next(r for r in csv.DictReader(io.StringIO(text)) if r["queue"] == "sales")
    assert float(by_csv["service_level"]) == pytest.approx(sales["service_level"])
    out = tmp_path / "kpi.xlsx"
    assert run(*base, "--format", "xlsx", "--out", str(out)).exit_code == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    values = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert values["period"] == "2026-03-02" and values["abandoned"] == sales["abandoned"]


def test_duckdb_engine_gives_the_database_numbers(run, db_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The same report read from the Parquet export by DuckDB equals the report from the database."""
    _hand_day(db_url)
    exported = json.loads(run("export", "parquet", str(tmp_path / "pq"), "--json").output)
    assert exported["rows"]["calls"] == 15
    args = ["report", "kpi", "--from", "2026-03-01", "--to", "2026-03-03", "--grain", "30min", "--format", "json",
            "--compare-previous"]
    from_db = json.loads(run(*args).output)
    from_duckdb = json.loads(run(*args, "--engine", "duckdb", "--parquet", str(tmp_path / "pq")).output)
    assert from_db == from_duckdb and from_db[0]["period"] == "2026-03-02T09:00"


def test_agents_report_and_errors(run, db_url: str) -> None:  # type: ignore[no-untyped-def]
    """`report agents` lists each agent; a bad grain or missing --parquet exits 1 naming the field."""
    _hand_day(db_url)
    rows = json.loads(run("report", "agents", "--from", "2026-03-02", "--to", "2026-03-02", "--format",
                          "json").output)
    assert {r["agent"]: r["answered"] for r in rows} == {"a1": 2, "a2": 1}
    bad = CliRunner().invoke(cli, ["report", "kpi", "--from", "2026-03-02", "--to", "2026-03-02", "--grain", "x"])
    assert bad.exit_code == 1 and "grain" in bad.output
    bad = CliRunner().invoke(cli, ["report", "kpi", "--from", "2025-01-01", "--to", "2025-12-31", "--grain", "15min",
                                   "--by", "queue,agent"])
    assert bad.exit_code == 1 and "limit is 2,000,000" in bad.output
    bad = CliRunner().invoke(cli, ["report", "kpi", "--from", "2026-03-02", "--to", "2026-03-02", "--engine",
                                   "duckdb"])
    assert bad.exit_code == 1 and "parquet" in bad.output
