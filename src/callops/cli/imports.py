"""``callops import``: files from PBX logs and CSV exports into the store."""

from __future__ import annotations

from pathlib import Path

import click

from callops.cli import _context
from callops.cli._output import echo_json
from callops.errors import InvalidInput
from callops.ingest import FORMATS, import_files
from callops.yaml_input import load_yaml


def register(group: click.Group) -> None:
    group.add_command(import_)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(sorted(FORMATS)), help="Format of the files.")
@click.option("--tz", default=None, help="Zone of local clock times in the files (default: the site's zone).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML column mapping (format csv).")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import good lines; bad ones go to the rejects file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where rejected lines go (default FILE.rejects.csv in the current folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def import_(files: tuple[Path, ...], fmt: str, tz: str | None, mapping: Path | None, dry_run: bool,
            skip_invalid: bool, rejects: Path | None, as_json: bool) -> None:
    """Import FILES (plain or gzip) as one transaction; re-importing adds nothing."""
    settings = _context.settings()
    options = {}
    if fmt == "csv":
        if mapping is None:
            raise InvalidInput("format csv needs --mapping MAPPING.yaml", field="--mapping")
        options = {"mapping": load_yaml(mapping.read_text(encoding="utf-8"), file=str(mapping)),
                   "mapping_file": str(mapping)}
    report = import_files(_context.engine(), list(files), fmt=fmt, tz=tz or settings.site_tz,
                          skip_invalid=skip_invalid, dry_run=dry_run, rejects_path=rejects, options=options)
    if as_json:
        echo_json(report.as_dict())
        return
    verb = "would insert" if dry_run else "inserted"
    click.echo(f"{verb} {report.inserted}, duplicates {report.duplicates}, rejected {report.rejected}, "
               f"skipped {report.skipped} ({report.calls} calls, {report.agent_intervals} agent intervals)")
    for notice in report.notices:
        click.echo(f"note: {notice}")
    if report.rejects_file:
        click.echo(f"rejected lines written to {report.rejects_file}")
