"""``callops scenarios list``: saved simulation runs (``callops simulate --save``) and the dates they span."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.metrics import zone
from callops.store.scenarios import SavedScenario, list_scenarios


def register(group: click.Group) -> None:
    group.add_command(scenarios)


@click.group()
def scenarios() -> None:
    """Saved simulation scenarios; report one with `callops report kpi --scenario NAME`."""


def _local(at: dt.datetime | None, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
    return None if at is None else at.astimezone(tz)


def _row(s: SavedScenario, tz: zoneinfo.ZoneInfo) -> dict[str, Any]:
    first, last = _local(s.first_call_at, tz), _local(s.last_call_at, tz)
    return {"name": s.name, "calls": s.calls, "from": first.date().isoformat() if first else None,
            "to": last.date().isoformat() if last else None,
            "first_call_at": first.isoformat(timespec="seconds") if first else None,
            "last_call_at": last.isoformat(timespec="seconds") if last else None,
            "replications": s.replications, "seed": s.seed,
            "created_at": s.created_at.astimezone(tz).isoformat(timespec="seconds")}


@scenarios.command("list")
@click.option("--tz", help="Zone of the dates and times (default: the site's, CALLOPS_TZ).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def scenarios_list(tz: str | None, as_json: bool) -> None:
    """Saved scenarios, newest first: calls, the local dates they span (--from/--to of `callops report`),
    first and last call start, replications, seed."""
    zone_info = zone(tz or _context.settings().site_tz)
    with _context.engine().connect() as conn:
        rows = [_row(s, zone_info) for s in list_scenarios(conn)]
    echo_json(rows) if as_json else echo_table(rows)
