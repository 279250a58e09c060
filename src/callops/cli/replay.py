"""``callops replay``: fit an average day of a queue from its stored calls, simulate it and compare per hour."""

from __future__ import annotations

import datetime as dt
from typing import get_args

import click

from callops.cli import _context
from callops.cli._output import echo_json, echo_table
from callops.simulation import Capacity


def register(group: click.Group) -> None:
    group.add_command(replay)


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
    from callops.services.replay import parse_weekdays, replay_history, replay_json

    with _context.engine().connect() as conn:
        report = replay_history(conn, start=start.date(), end=end.date(), tz=_context.settings().site_tz,
                                queue=queue, weekdays=parse_weekdays(weekdays), capacity=capacity,
                                replications=replications, seed=seed, sl_time_s=sl_time_s,
                                min_calls_per_day=min_calls)
    data = replay_json(report)
    if as_json:
        echo_json(data)
        return
    click.echo(f"{report.calls} calls on {report.days} days, capacity {report.capacity}, "
               f"patience {report.patience_s:.0f} s, {replications} replications, seed {seed}")
    echo_table([{"hour": h.hour, "calls/day": f"{h.offered_per_day:.1f}", "agents": h.agents,
                 "SL actual": f"{h.service_level_actual:.1%}", "SL sim": f"{h.service_level_sim:.1%}",
                 "ASA actual s": f"{h.asa_s_actual:.1f}", "ASA sim s": f"{h.asa_s_sim:.1f}",
                 "abandon actual": f"{h.p_abandon_actual:.1%}", "abandon sim": f"{h.p_abandon_sim:.1%}"}
                for h in report.hours])
    errors = data["mean_absolute_error"]
    click.echo(f"mean absolute error over these hours: SL {errors['service_level']:.4f}, "
               f"ASA {errors['asa_s']:.1f} s, abandon {errors['p_abandon']:.4f}")
