"""``callops forecast`` from a series file: formats, report, errors."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from callops.cli import cli
from callops.records import Call, Direction, Outcome
from callops.store.records import insert_calls


def _write_series(path: Path, *, days: int = 35, offset: str = "") -> Path:
    rng = np.random.default_rng(3)
    lines = ["interval_start,calls"]
    for k in range(days):
        day = dt.date(2024, 4, 1) + dt.timedelta(days=k)
        if day.weekday() >= 5:
            continue
        for h in range(9, 17):
            lines.append(f"{day}T{h:02d}:00:00{offset},{rng.poisson(20 + 5 * (h == 10))}")
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_json_rows_cover_open_hours_only(tmp_path: Path) -> None:
    """JSON is a list of rows with interval_start, forecast, lo, hi for weekday 09:00-16:00 only."""
    series = _write_series(tmp_path / "s.csv.gz")
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--series",
            str(series),
            "--grain",
            "60m",
            "--horizon",
            "7d",
            "--holidays",
            "none",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5 * 8
    assert set(rows[0]) == {"interval_start", "forecast", "lo", "hi"}
    assert rows[0]["interval_start"] == "2024-05-06T09:00:00"
    assert all(r["lo"] <= r["forecast"] <= r["hi"] for r in rows)


def test_aware_timestamps_come_back_aware(tmp_path: Path) -> None:
    """Timestamps with +08:00 come back with +08:00."""
    series = _write_series(tmp_path / "s.csv", offset="+08:00")
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--series",
            str(series),
            "--grain",
            "60m",
            "--horizon",
            "3d",
            "--model",
            "weekly_average",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["interval_start"] == "2024-05-06T09:00:00+08:00"


def test_table_prints_accuracy_on_stderr_and_report_file(tmp_path: Path) -> None:
    """The table format reports the chosen model and its ratio to seasonal naive; --report writes JSON."""
    series = _write_series(tmp_path / "s.csv")
    report = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--series",
            str(series),
            "--grain",
            "60m",
            "--horizon",
            "7d",
            "--holidays",
            "none",
            "--report",
            str(report),
            "--override",
            "2024-05-06,2024-05-07,1.5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "chosen vs seasonal naive" in result.stderr
    assert result.stdout.splitlines()[0].split() == ["interval_start", "forecast", "lo", "hi"]
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["seasonal_naive_wape"] > 0 and data["overrides"][0]["factor"] == 1.5


def test_csv_format(tmp_path: Path) -> None:
    """CSV output has the four columns and one line per interval."""
    series = _write_series(tmp_path / "s.csv")
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--series",
            str(series),
            "--grain",
            "day",
            "--horizon",
            "7d",
            "--model",
            "seasonal_naive",
            "--format",
            "csv",
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "interval_start,forecast,lo,hi"
    assert len(lines) == 1 + 5


def test_bad_line_is_named_and_exits_1(tmp_path: Path) -> None:
    """A corrupt value fails with the file, line and field in the message."""
    series = _write_series(tmp_path / "s.csv")
    text = series.read_text(encoding="utf-8").splitlines()
    text[4] = "2024-04-01T12:00:00,many"
    series.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["forecast", "--series", str(series), "--grain", "60m"])
    assert result.exit_code == 1
    assert f"{series}, line 5, field calls" in result.stderr


def test_series_or_store_history_is_required() -> None:
    """Without --series or a store range the command explains what it needs."""
    result = CliRunner().invoke(cli, ["forecast", "--grain", "60m"])
    assert result.exit_code == 1
    assert "--series FILE or --history-from" in result.stderr


def test_store_history_of_a_queue(engine: sa.Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Offered calls of queue q1 from the store: rows only for the weekday hours that had calls."""
    shanghai = dt.timezone(dt.timedelta(hours=8))
    records = []
    for k in range(28):
        day = dt.date(2026, 3, 2) + dt.timedelta(days=k)
        if day.weekday() >= 5:
            continue
        for h in range(9, 17):
            for m in range(0, 60, 12):
                at = dt.datetime.combine(day, dt.time(h, m), shanghai)
                records.append(
                    Call(
                        source="t",
                        source_call_id=f"{day}{h}{m}",
                        direction=Direction.INBOUND,
                        outcome=Outcome.ANSWERED,
                        queue="q1",
                        queue_entered_at=at,
                        answered_at=at,
                        ended_at=at + dt.timedelta(minutes=3),
                        talk_s=120,
                    )
                )
    with engine.begin() as conn:
        insert_calls(conn, records)
    monkeypatch.setenv("CALLOPS_DATABASE_URL", db_url)
    monkeypatch.setenv("CALLOPS_TZ", "Asia/Shanghai")
    result = CliRunner().invoke(
        cli,
        [
            "forecast",
            "--queue",
            "q1",
            "--history-from",
            "2026-03-02",
            "--history-to",
            "2026-03-29",
            "--grain",
            "60m",
            "--horizon",
            "7d",
            "--model",
            "weekly_average",
            "--holidays",
            "none",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 5 * 8
    assert {r["interval_start"][11:16] for r in rows} == {f"{h:02d}:00" for h in range(9, 17)}
    assert all(abs(r["forecast"] - 5) < 1e-6 for r in rows)


def test_model_choices_match_the_package() -> None:
    """The CLI offers auto and exactly the package's models."""
    from callops.cli.forecast import MODEL_CHOICES
    from callops.forecast import MODELS

    assert set(MODEL_CHOICES) == {"auto", *MODELS}
