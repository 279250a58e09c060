"""``callops export parquet``: calls and agent state intervals as Parquet files for DuckDB and friends."""

from __future__ import annotations

from pathlib import Path

import click

from callops.cli import _context
from callops.cli._output import echo_json
from callops.dates import parse_date
from callops.metrics import zone
from callops.store.parquet_export import export_parquet


def register(group: click.Group) -> None:
    group.add_command(export)


@click.group()
def export() -> None:
    """Export store data for other engines."""


@export.command("parquet")
@click.argument("outdir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--from", "start", help="First day, inclusive (YYYY-MM-DD, in --tz).")
@click.option("--to", "end", help="Last day, inclusive (YYYY-MM-DD, in --tz).")
@click.option("--tz", help="Zone of --from/--to (default: the site's).")
@click.option("--json", "as_json", is_flag=True)
def export_parquet_command(outdir: Path, start: str | None, end: str | None, tz: str | None, as_json: bool) -> None:
    """Write OUTDIR/calls.parquet, agent_intervals.parquet and agents.parquet (datetimes as epoch ms UTC)."""
    zone_name = tz or _context.settings().site_tz
    zone(zone_name)
    result = export_parquet(_context.engine(), outdir, start=parse_date(start, field="from"),
                            end=parse_date(end, field="to"), tz=zone_name)
    if as_json:
        echo_json({"folder": str(result.folder), "rows": result.rows})
    else:
        for table, count in result.rows.items():
            click.echo(f"{table}: {count} rows -> {outdir / (table + '.parquet')}")
