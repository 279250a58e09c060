"""``callops csat``: post-call survey results (CSAT) from a file (see docs/desk.md)."""

from __future__ import annotations

from pathlib import Path

import click

from callops.cli import _context
from callops.cli._outbound_input import read_text
from callops.cli._output import echo_json


def register(group: click.Group) -> None:
    group.add_command(csat)


@click.group()
def csat() -> None:
    """Post-call survey results (CSAT, 1-5 by IVR or SMS): import them onto their calls."""


@csat.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def import_csat_command(file: Path, as_json: bool) -> None:
    """Import FILE.csv (call,score,channel,at[,source]) as one transaction: each survey is stored and becomes
    its call's csat (what the csat KPI reads); a survey stored before is skipped, so re-importing adds nothing.
    A bad row, an unknown call or a call with a different survey stops the import naming line and field."""
    from callops.desk.csat import read_csat_csv
    from callops.services.desk_catalog import import_csat

    rows = read_csat_csv(read_text(file), file=str(file))
    with _context.engine().begin() as conn:
        result = import_csat(conn, rows, file=str(file))
    if as_json:
        echo_json({"inserted": result.inserted, "duplicates": result.duplicates})
    else:
        click.echo(f"inserted {result.inserted}, duplicates {result.duplicates} (already stored)")
