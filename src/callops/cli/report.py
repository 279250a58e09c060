"""``callops report kpi`` and ``callops report agents``: KPI reports from the store or from Parquet, of real
calls or (``--scenario NAME``) of a saved simulation run."""

from __future__ import annotations

from pathlib import Path

import click

from callops.cli import _context
from callops.cli._tabular import FORMATS, write_rows
from callops.errors import InvalidInput
from callops.metrics import KpiOptions, SlDenominator, kpi_request_from_text, parse_kpis, parse_span, report_zone
from callops.store.kpi_query import ParquetSource, Source, agent_report, kpi_report, stored_span


def register(group: click.Group) -> None:
    group.add_command(report)


def _source(engine_name: str, parquet: Path | None) -> Source:
    if engine_name == "duckdb":
        if parquet is None:
            raise InvalidInput("--engine duckdb reads Parquet: give --parquet DIR", field="parquet")
        return ParquetSource(parquet)
    return _context.engine()


_common = [
    click.option("--from", "start", help="First day, inclusive (YYYY-MM-DD, in --tz); `report kpi` without "
                                         "--from and --to covers the days with stored data."),
    click.option("--to", "end", help="Last day, inclusive (YYYY-MM-DD, in --tz)."),
    click.option("--tz", help="Report time zone (default: the site's, CALLOPS_TZ)."),
    click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True),
    click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (xlsx needs it)."),
    click.option("--engine", "engine_name", type=click.Choice(["db", "duckdb"]), default="db", show_default=True,
                 help="db: the store database; duckdb: Parquet files from `callops export parquet`."),
    click.option("--parquet", type=click.Path(file_okay=False, path_type=Path),
                 help="Parquet folder for --engine duckdb."),
    click.option("--sl-threshold", type=float, default=20.0, show_default=True, help="Service-level T, seconds."),
    click.option("--sl-denominator", type=click.Choice([d.value for d in SlDenominator]), default="offered",
                 show_default=True),
    click.option("--short-abandon", type=float, default=0.0, show_default=True,
                 help="Abandons with wait below this many seconds are short (0: none)."),
    click.option("--fcr-days", type=int, default=7, show_default=True,
                 help="A repeat call from the same caller within this many days breaks first-contact resolution."),
    click.option("--scenario", help="Report this saved simulation scenario (`callops scenarios list`) instead of "
                                    "real calls."),
]


def _with_common(func: click.decorators.FC) -> click.decorators.FC:
    for option in reversed(_common):
        func = option(func)
    return func


@click.group()
def report() -> None:
    """KPI reports (service level, ASA, abandon rate, AHT, occupancy, ...) at any grain."""


@report.command("kpi")
@_with_common
@click.option("--grain", default="day", show_default=True,
              help="15min, 30min, 60min, hour, day, week (ISO, Monday first), month, quarter, year or total.")
@click.option("--by", "by", help="Dimensions, comma-separated: queue, call_type, team, agent, priority, source.")
@click.option("--kpis", help="KPI keys, comma-separated (default: every inbound KPI).")
@click.option("--compare-previous", is_flag=True, help="Add prev_<kpi> columns: the period one step earlier.")
def report_kpi(start: str | None, end: str | None, tz: str | None, fmt: str, out: Path | None, engine_name: str,
               parquet: Path | None, sl_threshold: float, sl_denominator: str, short_abandon: float, fcr_days: int,
               scenario: str | None, grain: str, by: str | None, kpis: str | None, compare_previous: bool) -> None:
    """KPIs per period (and per --by dimension values) for the inclusive dates --from..--to (both omitted: from
    the first to the last day with stored data for the KPIs asked: calls, agent states, tickets)."""
    if start is None and end is None:
        zone_name = report_zone(tz, _context.settings().site_tz)
        span = stored_span(_source(engine_name, parquet), tz=zone_name, kpis=parse_kpis(kpis), scenario=scenario)
        if span is None:
            raise InvalidInput("no stored data for these KPIs: give --from and --to", field="from")
        start, end = span[0].isoformat(), span[1].isoformat()
    request = kpi_request_from_text(start=start, end=end, tz=tz, site_tz=_context.settings().site_tz, grain=grain,
                                    by=by, kpis=kpis, sl_threshold=sl_threshold, sl_denominator=sl_denominator,
                                    short_abandon=short_abandon, fcr_days=fcr_days,
                                    compare_previous=compare_previous, scenario=scenario)
    rows = kpi_report(_source(engine_name, parquet), request)
    write_rows([r.as_dict() for r in rows], fmt=fmt, out=out, sheet="kpi")


@report.command("agents")
@_with_common
def report_agents(start: str | None, end: str | None, tz: str | None, fmt: str, out: Path | None, engine_name: str,
                  parquet: Path | None, sl_threshold: float, sl_denominator: str, short_abandon: float,
                  fcr_days: int, scenario: str | None) -> None:
    """Per-agent table (seed 000): inbound handling, occupancy, away time by reason, outbound results."""
    zone_name = report_zone(tz, _context.settings().site_tz)
    options = KpiOptions(sl_threshold_s=sl_threshold, sl_denominator=SlDenominator(sl_denominator),
                         short_abandon_s=short_abandon, fcr_days=fcr_days)
    first, last = parse_span(start, end)
    rows = agent_report(_source(engine_name, parquet), start=first, end=last, tz=zone_name, options=options,
                        scenario=scenario)
    write_rows(rows, fmt=fmt, out=out, sheet="agents")
