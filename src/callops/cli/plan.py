"""``callops plan``: staffing plans from a forecast, saved by name in versions, shown and compared.

The forecast package (statsforecast) loads in seconds: it is imported only when a plan is built from
call history.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import click

from callops.cli import _context
from callops.cli._options import options_named
from callops.cli._output import echo_json, echo_table
from callops.dates import require_date
from callops.scheduling import StaffingPlan, StaffingTargets, compare_plan_totals, plan_totals, recovery_agents
from callops.services.workforce import HistorySpec, create_plan, forecast_versions, load_plan_ref
from callops.services.workforce_json import comparison_json, plan_json
from callops.store.plans import list_plans

_POSITIVE = click.FloatRange(min=0, min_open=True)
_SHARE = click.FloatRange(min=0, max=1, min_open=True, max_open=True)
_GRAINS = {"5m": 5, "15m": 15, "30m": 30, "60m": 60, "1h": 60}


def register(group: click.Group) -> None:
    group.add_command(plan)


@click.group()
def plan() -> None:
    """Staffing plans: agents per interval from a forecast and service targets (saved in versions)."""


def _date(value: str | None, option: str) -> dt.date:
    return require_date(value, field=option, missing=f"{option} is needed to plan from the call history")


def _totals_rows(p: StaffingPlan) -> list[dict[str, Any]]:
    t = plan_totals(p)
    recovery_hours = float(recovery_agents(p).sum()) * p.targets.interval_min / 60
    return [
        {"total": "calls", "value": t.calls},
        {"total": "agent_hours", "value": t.agent_hours},
        {"total": "required_agent_hours", "value": t.required_agent_hours},
        {"total": "peak_scheduled", "value": t.peak_scheduled},
        {"total": "expected_service_level", "value": t.expected_service_level},
        {"total": "recovery_agent_hours", "value": recovery_hours},
    ]


@plan.command("build")
@click.option("--name", required=True, help="Plan name; building under a name again makes the next version.")
@click.option("--forecast", "forecast_ref", help="A saved forecast, NAME or NAME@VERSION.")
@click.option("--queue", help="Plan this queue from the store's call history (default: all queues).")
@click.option("--history-from", help="First day of call history (YYYY-MM-DD).")
@click.option("--history-to", help="Last day of call history (YYYY-MM-DD).")
@click.option("--horizon", default="14d", show_default=True, help="Days to plan after the history: 14d, 2w, ...")
@click.option("--grain", type=click.Choice(list(_GRAINS)), default="30m", show_default=True, help="Interval.")
@click.option("--model", default="auto", show_default=True, help="Forecast model (see `callops forecast`).")
@click.option("--holidays", default="site", show_default=True,
              help="Holiday calendar: site (the queue's site calendar; CN without a site), CN, US, IL or none.")
@click.option("--override", "overrides", multiple=True, help="Forecast override START,END,FACTOR or START,END,=VALUE.")
@click.option("--sl", "service_level", type=_SHARE, default=0.8, show_default=True, help="Service-level target.")
@click.option("--sl-time", "sl_time_s", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Service-level threshold, seconds.")
@click.option("--patience", "patience_s", type=_POSITIVE, help="Mean caller patience, seconds (Erlang A).")
@click.option("--asa", "asa_s", type=_POSITIVE, help="Most ASA allowed, seconds.")
@click.option("--max-abandon", type=_SHARE, help="Most abandon rate allowed (needs --patience).")
@click.option("--max-occupancy", type=click.FloatRange(min=0, max=1, min_open=True), help="Most occupancy allowed.")
@click.option("--shrinkage", type=click.FloatRange(min=0, max=1, max_open=True), default=0.0, show_default=True,
              help="Share of paid time off the phones.")
@click.option("--aht", "aht_s", type=_POSITIVE, help="AHT in seconds for every interval (default: from history).")
@click.option("--distressing-share", type=click.FloatRange(min=0, max=1), default=0.0, show_default=True,
              help="Share of calls after which the agent needs recovery time.")
@click.option("--recovery", "recovery_s", type=click.FloatRange(min=0), default=0.0, show_default=True,
              help="Recovery time after a distressing call, seconds.")
@click.option("--note", help="A note kept with the plan.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (with every interval).")
def build(name: str, forecast_ref: str | None, queue: str | None, history_from: str | None,
          history_to: str | None, horizon: str, grain: str, model: str, holidays: str, overrides: tuple[str, ...],
          service_level: float, sl_time_s: float, patience_s: float | None, asa_s: float | None,
          max_abandon: float | None, max_occupancy: float | None, shrinkage: float, aht_s: float | None,
          distressing_share: float, recovery_s: float, note: str | None, as_json: bool) -> None:
    """Build and save the plan NAME from a saved forecast or from the call history in the store.

    From history, the forecast (with its accuracy and overrides) is saved too, under the plan's name.
    """
    from_history = queue is not None or history_from is not None or history_to is not None
    if (forecast_ref is None) == (not from_history):
        raise click.UsageError("give either --forecast NAME[@V] or --history-from D --history-to D [--queue Q]")
    with options_named({"max_abandon": "--max-abandon", "distressing_share": "--distressing-share",
                        "recovery_s": "--recovery"}):
        targets = StaffingTargets(interval_min=_GRAINS[grain], service_level=service_level, sl_time_s=sl_time_s,
                                  shrinkage=shrinkage, patience_s=patience_s, max_occupancy=max_occupancy,
                                  asa_s=asa_s, max_abandon=max_abandon, distressing_share=distressing_share,
                                  recovery_s=recovery_s)
    history = None
    if from_history:
        from callops.forecast import parse_horizon

        history = HistorySpec(start=_date(history_from, "--history-from"), end=_date(history_to, "--history-to"),
                              horizon_days=parse_horizon(horizon), queue=queue, model=model,
                              holidays=None if holidays.lower() == "none" else holidays.upper(),
                              overrides=overrides)
    with _context.engine().begin() as conn:
        forecast, saved = create_plan(conn, targets, name=name, now=dt.datetime.now(dt.UTC),
                                      tz=_context.settings().site_tz, forecast_ref=forecast_ref, history=history,
                                      aht_s=aht_s, note=note)
    if as_json:
        echo_json(plan_json(saved, tz=zoneinfo.ZoneInfo(_context.settings().site_tz)))
        return
    click.echo(f"plan {saved.name} version {saved.version}: {len(saved.intervals)} intervals of "
               f"{targets.interval_min} min from forecast {forecast.name}@{forecast.version} ({forecast.model})")
    echo_table(_totals_rows(saved))


@plan.command("show")
@click.argument("name")
@click.option("--version", type=click.IntRange(min=1), help="Version (default: the newest).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def show(name: str, version: int | None, as_json: bool) -> None:
    """Every interval of the plan NAME: calls, AHT, agents, scheduled, service level, ASA, abandon, occupancy."""
    from callops.store.plans import load_plan

    with _context.engine().connect() as conn:
        p = load_plan(conn, name, version)
    data = plan_json(p, tz=zoneinfo.ZoneInfo(_context.settings().site_tz))
    if as_json:
        echo_json(data)
        return
    click.echo(f"plan {p.name} version {p.version} ({p.queue or 'all queues'}), "
               f"targets {p.targets.service_level:.0%}/{p.targets.sl_time_s:g}s, shrinkage {p.targets.shrinkage:.0%}")
    echo_table(data["intervals"], ["interval_start", "calls", "aht_s", "agents", "scheduled", "service_level",
                                   "asa_s", "p_abandon", "occupancy", "recovery_agents"])
    echo_table(_totals_rows(p))


@plan.command("delete")
@click.argument("name")
@click.option("--version", type=click.IntRange(min=1), help="Delete only this version (default: every version).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(name: str, version: int | None, yes: bool) -> None:
    """Delete the plan NAME (every version, or one); the forecasts it was built from stay."""
    from callops.services.plan_deletion import delete_plan_audited

    what = f"plan {name}" + (f" version {version}" if version else " (every version)")
    if not yes:
        click.confirm(f"delete {what}?", abort=True)
    with _context.engine().begin() as conn:
        count = delete_plan_audited(conn, name, version, actor=_context.actor(),
                                    at=dt.datetime.now(dt.UTC))
    click.echo(f"deleted {what}: {count} version(s)")


@plan.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_(as_json: bool) -> None:
    """Saved plans, newest first."""
    with _context.engine().connect() as conn:
        rows = [{"name": n, "version": v, "created_at": at.isoformat(), "queue": q}
                for n, v, at, q in list_plans(conn)]
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["name", "version", "created_at", "queue"])


@plan.command("forecasts")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def forecasts_(as_json: bool) -> None:
    """Saved forecasts (those plans are built from), newest first."""
    with _context.engine().connect() as conn:
        rows = forecast_versions(conn)
    if as_json:
        echo_json(rows)
    else:
        echo_table(rows, ["name", "version", "created_at", "queue", "grain_min", "model"])


@plan.command("compare")
@click.argument("a")
@click.argument("b")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--all", "show_all", is_flag=True, help="List every interval, not only those that differ.")
def compare(a: str, b: str, as_json: bool, show_all: bool) -> None:
    """Plan A against plan B (NAME or NAME@VERSION): scheduled agents per interval, agent-hours, peak."""
    with _context.engine().connect() as conn:
        plan_a, plan_b = load_plan_ref(conn, a), load_plan_ref(conn, b)
    zone = zoneinfo.ZoneInfo(_context.settings().site_tz)
    data = comparison_json(plan_a, plan_b, compare_plan_totals(plan_a, plan_b), tz=zone)
    if as_json:
        echo_json(data)
        return
    left, right = f"{plan_a.name}@{plan_a.version}", f"{plan_b.name}@{plan_b.version}"
    ta, tb = data["a"]["totals"], data["b"]["totals"]
    echo_table([{"total": key, left: ta[key], right: tb[key]}
                for key in ("calls", "agent_hours", "required_agent_hours", "peak_scheduled",
                            "expected_service_level")])
    click.echo(f"agent-hours {data['agent_hours_delta']:+g}, peak {data['peak_delta']:+d}, "
               f"{data['changed_intervals']} of {len(data['intervals'])} intervals differ")
    rows = [r for r in data["intervals"] if show_all or r["delta"] != 0]
    if rows:
        echo_table(rows, ["interval_start", "scheduled_a", "scheduled_b", "delta"])
