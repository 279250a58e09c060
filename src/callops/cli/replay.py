"""``callops replay``: fit an average day of a queue from its stored calls, simulate it and compare per hour."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.errors import InvalidInput
from callops.simulation import Capacity


def register(group: click.Group) -> None:
    group.add_command(replay)


def _weekdays(text: str | None) -> frozenset[int] | None:
    if text is None:
        return None
    try:
        days = frozenset(int(d) for d in text.split(","))
    except ValueError as exc:
        raise InvalidInput(f"{text!r} is not a list of ISO weekdays like 7,1,2,3,4", field="weekdays") from exc
    if not days or not days <= set(range(1, 8)):
        raise InvalidInput("weekdays are 1 (Monday) to 7 (Sunday)", field="weekdays")
    return days


@click.command()
@click.option("--queue", help="The queue to replay (default: all queues as one).")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First local date.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last local date (inclusive).")
@click.option("--weekdays", help="Only these ISO weekdays, e.g. 7,1,2,3,4 for Sunday to Thursday.")
@click.option("--capacity", type=click.Choice(get_args(Capacity)), default="calibrated", show_default=True,
              help="Agents per hour: calibrated to the observed share of calls that waited, or servers seen.")
@click.option("--replications", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True)
@click.option("--sl-time", "sl_time_s", type=click.FloatRange(min=0), default=20.0, show_default=True)
@click.option("--min-calls", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Compare only hours with at least this many calls a day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def replay(queue: str | None, start: dt.datetime, end: dt.datetime, weekdays: str | None, capacity: Capacity,
           replications: int, seed: int, sl_time_s: float, min_calls: float, as_json: bool) -> None:
    """Replay stored history: an average day fitted from the calls, simulated, against the real hours."""
    from callops.services.replay import replay_history

    with _context.engine().connect() as conn:
        report = replay_history(conn, start=start.date(), end=end.date(), tz=_context.settings().site_tz,
                                queue=queue, weekdays=_weekdays(weekdays), capacity=capacity,
                                replications=replications, seed=seed, sl_time_s=sl_time_s,
                                min_calls_per_day=min_calls)
    rows = [{"hour": h.hour, "offered_per_day": round(h.offered_per_day, 1), "agents": h.agents,
             "sl_actual": round(h.service_level_actual, 4), "sl_sim": round(h.service_level_sim, 4),
             "asa_actual_s": round(h.asa_s_actual, 1), "asa_sim_s": round(h.asa_s_sim, 1),
             "abandon_actual": round(h.p_abandon_actual, 4), "abandon_sim": round(h.p_abandon_sim, 4)}
            for h in report.hours]
    errors = {k: round(v, 4) for k, v in report.errors.items()}
    if as_json:
        echo_json({"queue": report.queue, "days": report.days, "calls": report.calls, "capacity": report.capacity,
                   "patience_s": round(report.patience_s, 1), "replications": replications, "seed": seed,
                   "hours": rows, "mean_absolute_error": errors})
        return
    click.echo(f"{report.calls} calls on {report.days} days, capacity {report.capacity}, "
               f"patience {report.patience_s:.0f} s, {replications} replications, seed {seed}")
    echo_table([{"hour": h.hour, "calls/day": f"{h.offered_per_day:.1f}", "agents": h.agents,
                 "SL actual": f"{h.service_level_actual:.1%}", "SL sim": f"{h.service_level_sim:.1%}",
                 "ASA actual s": f"{h.asa_s_actual:.1f}", "ASA sim s": f"{h.asa_s_sim:.1f}",
                 "abandon actual": f"{h.p_abandon_actual:.1%}", "abandon sim": f"{h.p_abandon_sim:.1%}"}
                for h in report.hours])
    click.echo(f"mean absolute error over these hours: SL {errors['service_level']:.4f}, "
               f"ASA {errors['asa_s']:.1f} s, abandon {errors['p_abandon']:.4f}")
