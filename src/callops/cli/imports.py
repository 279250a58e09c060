"""``callops import``: files from PBX logs and CSV exports into the store."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import click

from callops.cli import _context
from callops.cli._output import echo_json
from callops.cli._progress import for_terminal
from callops.errors import InvalidInput
from callops.ingest import FORMATS, import_files
from callops.ingest.freeswitch_cc import TEMPLATES
from callops.ingest.sniff import sniff_file
from callops.ingest.textfile import ENCODINGS
from callops.yaml_input import load_yaml


def register(group: click.Group) -> None:
    group.add_command(import_)


@click.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", required=True, type=click.Choice(["auto", *sorted(FORMATS)]),
              help="Format of the files; auto: recognised from the first file's first lines (the guess is printed).")
@click.option("--tz", default=None, help="Zone of local clock times in the files (default: the site's zone).")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML column mapping (format csv).")
@click.option("--dry-run", is_flag=True, help="Check and count, write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import good lines; bad ones go to the rejects file.")
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where rejected lines go (default FILE.rejects.csv in the current folder).")
@click.option("--encoding", default="utf-8", show_default=True, type=click.Choice(ENCODINGS),
              help="Text encoding of the files (gb18030/gbk are common in China; latin-1 reads any byte).")
@click.option("--not-before", metavar="YYYY-MM-DD", help="Refuse records dated before this day (default 1990-01-01).")
@click.option("--not-after", metavar="YYYY-MM-DD", help="Refuse records dated after this day (default: tomorrow).")
@click.option("--agent-alias", "aliases", multiple=True, metavar="NAME=AGENT",
              help="Store agent NAME as AGENT (queue_log: join an interface and a member name); repeatable.")
@click.option("--rules", "rules", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="YAML rules for direction and customer calls (format asterisk-cdr; see docs/importing.md).")
@click.option("--template", type=click.Choice(["header", *TEMPLATES]), default=None,
              help="freeswitch-cc: the file has a header (default) or is mod_cdr_csv's stock template example/snom.")
@click.option("--explain", is_flag=True, help="With --dry-run: print what each rule decided, call by call.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def import_(files: tuple[Path, ...], fmt: str, tz: str | None, mapping: Path | None, dry_run: bool,
            skip_invalid: bool, rejects: Path | None, encoding: str, not_before: str | None, not_after: str | None,
            aliases: tuple[str, ...], rules: Path | None, template: str | None, explain: bool, as_json: bool) -> None:
    """Import FILES (plain or gzip) as one transaction; re-importing adds nothing.

    A progress bar appears on stderr when the import takes more than two seconds (not with --json, nor when
    stderr is not a terminal)."""
    settings = _context.settings()
    zone = tz or settings.site_tz
    if fmt == "auto":
        guess = sniff_file(files[0], encoding=encoding)
        if guess.format is None:
            raise InvalidInput(f"cannot recognise the format: {guess.reason}", file=str(files[0]), field="--format")
        fmt = guess.format
        if guess.template is not None and template is None:
            template = guess.template
        click.echo(f"format {fmt}{f' (template {template})' if guess.template else ''}: {guess.reason}", err=True)
    options: dict[str, object] = {}
    if fmt == "csv":
        if mapping is None:
            raise InvalidInput("format csv needs --mapping MAPPING.yaml", field="--mapping")
        options = {"mapping": _yaml(mapping), "mapping_file": str(mapping)}
    if template is not None:
        options["template"] = template
    if rules is not None:
        options["cdr_rules"] = _yaml(rules)
    if explain:
        if not dry_run:
            raise InvalidInput("--explain shows decisions without writing: add --dry-run", field="--explain")
        options["explain"] = True
    options["not_before"] = _day(not_before, "--not-before", zone)
    options["not_after"] = _day(not_after, "--not-after", zone, end=True)
    if aliases:
        options["agent_aliases"] = _aliases(aliases)
    engine = _context.engine(create=not dry_run)  # a dry run needs the database it checks against
    if not dry_run:
        _context.schema_for_writing(engine)
    progress = for_terminal(as_json=as_json)
    try:
        report = import_files(engine, list(files), fmt=fmt, tz=zone, skip_invalid=skip_invalid,
                              dry_run=dry_run, rejects_path=rejects, options=options, encoding=encoding,
                              progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if as_json:
        echo_json(report.as_dict())
        return
    verb = "would insert" if dry_run else "inserted"
    click.echo(f"{verb} {report.inserted}, duplicates {report.duplicates} (already stored), merged {report.merged} "
               f"(repeated in the files), rejected {report.rejected}, skipped {report.skipped} "
               f"({report.calls} calls, {report.agent_intervals} agent intervals)")
    for reason, count in report.skip_reasons.items():
        click.echo(f"skipped {count}: {reason}")
    for reason, count in report.merge_reasons.items():
        click.echo(f"merged {count}: {reason}")
    for notice in report.notices:
        click.echo(f"note: {notice}")
    if report.rejects_file:
        click.echo(f"rejected lines written to {report.rejects_file}")


def _day(text: str | None, option: str, zone: str, *, end: bool = False) -> dt.datetime | None:
    """Midnight starting (or, with ``end``, ending) the day ``text`` in ``zone``."""
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a date YYYY-MM-DD", field=option) from exc
    try:
        tzinfo = zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"unknown time zone {zone!r}", field="--tz") from exc
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tzinfo)
    return (start + dt.timedelta(days=1) if end else start).astimezone(dt.UTC)


def _aliases(pairs: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, agent = pair.partition("=")
        if not sep or not name.strip() or not agent.strip():
            raise InvalidInput(f"{pair!r} is not NAME=AGENT", field="--agent-alias")
        found[name.strip()] = agent.strip()
    return found


def _yaml(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"not UTF-8 text: {exc}", file=str(path)) from exc
    return load_yaml(text, file=str(path))
