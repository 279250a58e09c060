"""``callops forecast``: call volume per interval from a series file or the store's call history.

The forecasting package is imported inside the command: statsforecast takes seconds to load and the
other commands should not wait for it.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from callops.cell_text import safe_cell
from callops.cli._output import echo_json, echo_table
from callops.dates import require_date
from callops.errors import InvalidInput

if TYPE_CHECKING:
    from callops.forecast import ForecastRun, History

MODEL_CHOICES = ("auto", "seasonal_naive", "weekly_average", "ets", "regression", "combined", "mstl")
COLUMNS = ("interval_start", "forecast", "lo", "hi")


def register(group: click.Group) -> None:
    group.add_command(forecast)


def _read_series(path: Path, tz: str | None) -> History:
    from callops.forecast import read_series_csv

    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            return read_series_csv(handle, source=str(path), tz=tz)
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise InvalidInput(f"cannot read the file: {exc}", file=str(path)) from exc


def _store_series(queue: str | None, start: dt.date, end: dt.date, grain_min: int) -> tuple[History, str | None]:
    """The offered calls of ``queue`` per interval in its site's zone, and its site's holiday calendar."""
    from callops.cli import _context
    from callops.forecast import history_from_datetimes
    from callops.services.workforce import place_of
    from callops.store.history import arrival_series

    settings = _context.settings()
    with _context.engine().connect() as conn:
        place = place_of(conn, queue, fallback_tz=settings.site_tz)
        series = arrival_series(conn, start=start, end=end, tz=place.tz, grain_min=grain_min, queue=queue)
    return history_from_datetimes(series.starts, [float(c) for c in series.calls]), place.holidays


def _date(value: str | None, option: str) -> dt.date:
    return require_date(value, field=option, missing=f"{option} is needed to forecast from the store")


def _summary(run: ForecastRun) -> str:
    report = run.report()
    lines = [f"model: {report['model']}  (holidays {report['holidays']}: {report['holiday_rule']})"]
    backtest = report.get("backtest")
    if isinstance(backtest, dict):
        lines.append(f"backtest: {len(backtest['origins'])} origins, {backtest['horizon_days']} days ahead")
        for score in backtest["models"]:
            if score["error"]:
                lines.append(f"  {score['model']:<15} failed: {score['error']}")
            else:
                lines.append(f"  {score['model']:<15} WAPE {score['wape']:.4f}  MASE {score['mase']:.4f}")
        if report.get("wape_ratio") is not None:
            lines.append(
                f"chosen vs seasonal naive: WAPE x{report['wape_ratio']:.3f}, "
                f"MASE x{report['mase_ratio']:.3f}"
            )
    else:
        lines.append("backtest: none (history too short); bands assume quasi-Poisson errors")
    return "\n".join(lines)


@click.command("forecast")
@click.option(
    "--series",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV (or .csv.gz) with columns interval_start,calls.",
)
@click.option(
    "--queue", help="Forecast the offered calls of this queue from the store (default: all queues)."
)
@click.option("--history-from", help="First day of store history (YYYY-MM-DD).")
@click.option("--history-to", help="Last day of store history (YYYY-MM-DD).")
@click.option("--grain", required=True, help="Interval: 5m, 15m, 30m, 60m or day.")
@click.option("--horizon", default="14d", show_default=True, help="Days after the history: 14d, 2w, ...")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option(
    "--holidays",
    type=click.Choice(["site", "CN", "US", "IL", "none"], case_sensitive=False),
    default="site",
    show_default=True,
    help="Holiday calendar (CN includes the swapped working weekends 调休); site: the calendar of the queue's "
    "site for store history, CN otherwise.",
)
@click.option(
    "--model",
    type=click.Choice(MODEL_CHOICES),
    default="auto",
    show_default=True,
    help="auto chooses by rolling-origin backtest against seasonal naive.",
)
@click.option(
    "--level",
    "levels",
    type=int,
    multiple=True,
    help="Band level in percent, repeatable (default 80 95); lo/hi in the rows are the first.",
)
@click.option(
    "--override",
    "overrides",
    multiple=True,
    help="START,END,FACTOR or START,END,=VALUE: multiply or set the forecast over [START, END).",
)
@click.option("--tz", help="IANA zone for timestamps with a UTC offset that changes (daylight saving time).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the backtest accuracy, the choice and the overrides to this JSON file.",
)
def forecast(
    series: Path | None,
    queue: str | None,
    history_from: str | None,
    history_to: str | None,
    grain: str,
    horizon: str,
    fmt: str,
    as_json: bool,
    holidays: str,
    model: str,
    levels: tuple[int, ...],
    overrides: tuple[str, ...],
    tz: str | None,
    report_path: Path | None,
) -> None:
    """Forecast calls per interval with prediction bands; rows interval_start, forecast, lo, hi.

    Timestamps without a zone are local and come back without one. Accuracy (chosen model, WAPE and MASE
    against seasonal naive) goes to stderr with --format table and to --report FILE.
    """
    from callops.forecast import forecast_calls, parse_grain, parse_horizon, parse_override

    grain_min = parse_grain(grain)
    horizon_days = parse_horizon(horizon)
    from_store = queue is not None or history_from is not None or history_to is not None
    if (series is None) == (not from_store):
        raise InvalidInput(
            "give either --series FILE or --history-from D --history-to D (with --queue Q for one queue)",
            field="--series",
        )
    site_calendar: str | None = "CN"
    if series is not None:
        history = _read_series(series, tz)
    else:
        history, site_calendar = _store_series(
            queue, _date(history_from, "--history-from"), _date(history_to, "--history-to"), grain_min
        )
    if holidays.lower() == "site":
        holidays = site_calendar or "none"
    parsed = [parse_override(text, history.tz) for text in overrides]
    run = forecast_calls(
        history,
        grain_min=grain_min,
        horizon_days=horizon_days,
        model=model,
        levels=levels or (80, 95),
        holidays=None if holidays.lower() == "none" else holidays.upper(),
        overrides=parsed,
    )
    if report_path is not None:
        report_path.write_text(
            json.dumps(run.report(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    rows = run.forecast.rows()
    fmt = "json" if as_json else fmt
    if fmt == "json":
        echo_json(rows)
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        click.echo(_summary(run), err=True)
        echo_table(rows, COLUMNS)
    sys.stdout.flush()
