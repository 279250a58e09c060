"""``callops adherence``: adherence (遵时率) and conformance against the published rosters."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput
from callops.scheduling.adherence import AdherenceRow, total


def register(group: click.Group) -> None:
    group.add_command(adherence_command)


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field=option) from exc


def _row(r: AdherenceRow) -> dict[str, Any]:
    return {"agent": r.agent, "scheduled_s": round(r.scheduled_s), "in_adherence_s": round(r.in_adherence_s),
            "worked_s": round(r.worked_s),
            "adherence": None if r.adherence is None else round(r.adherence, 4),
            "conformance": None if r.conformance is None else round(r.conformance, 4)}


@click.command("adherence")
@click.option("--from", "from_", required=True, help="First day (YYYY-MM-DD, site time).")
@click.option("--to", "to", required=True, help="Last day (YYYY-MM-DD, site time).")
@click.option("--by", type=click.Choice(["agent", "all"]), default="all", show_default=True,
              help="One row per agent, or one for everyone.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--exceptions", "show_exceptions", is_flag=True, help="Also list stretches out of adherence (≥ 5 min).")
def adherence_command(from_: str, to: str, by: str, fmt: str, show_exceptions: bool) -> None:
    """Scheduled time, time in adherence, adherence and conformance against the newest published rosters."""
    from callops.services.roster_adherence import adherence_over

    first, last = _day(from_, "--from"), _day(to, "--to")
    zone = zoneinfo.ZoneInfo(_context.settings().site_tz)
    with _context.engine().connect() as conn:
        period = adherence_over(conn, first, last, tz=zone, to_field="--to")
    rows, exceptions = period.rows, period.exceptions
    out = [_row(r) for r in rows] if by == "agent" else [_row(total(rows))]
    if fmt == "json":
        data: Any = out
        if show_exceptions:
            data = {"rows": out, "exceptions": [
                {"agent": e.agent, "start": e.start_at.astimezone(zone).isoformat(),
                 "end": e.end_at.astimezone(zone).isoformat(), "scheduled": e.scheduled, "actual": e.actual}
                for e in exceptions]}
        echo_json(data)
        return
    echo_table(out)
    if show_exceptions:
        echo_table([{"agent": e.agent, "start": e.start_at.astimezone(zone).isoformat(),
                     "end": e.end_at.astimezone(zone).isoformat(), "scheduled": e.scheduled, "actual": e.actual}
                    for e in exceptions])
