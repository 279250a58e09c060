"""``callops scenarios list|delete``: saved simulation runs (``callops simulate --save``) and the dates they span."""

from __future__ import annotations

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.metrics import zone
from callops.services.scenario_runs import scenario_json
from callops.store.scenarios import delete_scenario, list_scenarios


def register(group: click.Group) -> None:
    group.add_command(scenarios)


@click.group()
def scenarios() -> None:
    """Saved simulation scenarios; report one with `callops report kpi --scenario NAME`."""


@scenarios.command("list")
@click.option("--tz", help="Zone of the dates and times (default: the site's, CALLOPS_TZ).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def scenarios_list(tz: str | None, as_json: bool) -> None:
    """Saved scenarios, newest first: calls, the local dates they span (--from/--to of `callops report`),
    first and last call start, replications, seed."""
    zone_info = zone(tz or _context.settings().site_tz)
    with _context.engine().connect() as conn:
        rows = [scenario_json(s, zone_info) for s in list_scenarios(conn)]
    echo_json(rows) if as_json else echo_table(rows)


@scenarios.command("delete")
@click.argument("name")
def scenarios_delete(name: str) -> None:
    """Delete scenario NAME with its calls and agent intervals (an unknown NAME exits 1)."""
    with _context.engine().begin() as conn:
        deleted = delete_scenario(conn, name)
    click.echo(f"deleted scenario {deleted.name}: {deleted.calls} calls")
