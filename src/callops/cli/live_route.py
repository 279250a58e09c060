"""``callops live route``: callops as the ACD, routing the calls offered in the live event log to agents."""

from __future__ import annotations

import datetime as dt
import threading

import click

from callops.cli import _context
from callops.cli._live_group import live_group, live_zone, stop_on_signals
from callops.feeds.bus import bus_for
from callops.live.acd import AcdSettings
from callops.routing.config import Strategy

EXTENDS = "live"  # loaded right after cli/live.py, which adds the group

_STRATEGIES = [s.value for s in Strategy if s not in (Strategy.RANDOM, Strategy.RING_ALL)]


def register(group: click.Group) -> None:
    live_group(group).add_command(route)


@click.command("route")
@click.option("--strategy", type=click.Choice(_STRATEGIES), default=Strategy.LONGEST_IDLE.value, show_default=True,
              help="Which idle agent an arriving call goes to.")
@click.option("--wrap-up", type=click.Choice(["auto", "manual"]), default="auto", show_default=True,
              help="auto: an agent is ready again at hang-up; manual: after-call work until they press ready.")
@click.option("--ring-timeout", "ring_timeout_s", type=click.FloatRange(1, 600), default=20.0, show_default=True,
              help="Seconds a call rings before the agent is set away (ring_no_answer) and the call moves on.")
@click.option("--poll", "poll_s", type=click.FloatRange(0.0005, 5.0), default=0.001, show_default=True,
              help="Seconds between looks at the log when no bus wakes the router (1 ms: about 1 % of a core).")
@click.option("--tz", default=None, help="Zone whose day is replayed on start (default: the site's zone).")
@click.option("--exit-after", "exit_after_s", type=click.FloatRange(0.1, 86_400 * 7), default=None,
              help="Stop after this many seconds (scripts; default: run until stopped).")
def route(strategy: str, wrap_up: str, ring_timeout_s: float, poll_s: float, tz: str | None,
          exit_after_s: float | None) -> None:
    """Route live calls: each call offered to a queue rings an agent with that skill (a call_ringing event).

    Queues and agents with their skills come from the directory (a new hire in nesting: the skills of their
    nesting plan, as of the day it starts; restart to pick up plans changed since). On start, today's log is
    replayed to rebuild who is ready, ringing and on a call; then every new event is routed as it is appended.
    A switch adapter or the practice floor acts on the decisions and reports answered, ended and abandoned calls back.
    """
    from callops.services.live_acd import acd_from_directory, replay_log, run_acd

    settings = _context.settings()
    zone = live_zone(tz, settings.site_tz)
    engine = _context.engine()
    acd_settings = AcdSettings(strategy=Strategy(strategy), auto_ready=wrap_up == "auto",
                               ring_timeout_s=ring_timeout_s)
    today = dt.datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    with engine.connect() as conn:
        acd = acd_from_directory(conn, acd_settings, on=dt.datetime.now(zone).date())  # nesting plans of today
        last = replay_log(conn, acd, since=today)
    stop = stop_on_signals()
    if exit_after_s is not None:
        threading.Timer(exit_after_s, stop.set).start()
    waiting = sum(acd.waiting().values())
    click.echo(f"routing {len(acd.router.queues)} queues, {len(acd.router.agents)} agents "
               f"(replayed today's log to event {last}: {waiting} calls waiting); stop with Ctrl-C", err=True)
    bus = bus_for(settings.redis_url)
    try:
        run = run_acd(engine, acd, after_id=last, bus=bus, poll_s=poll_s, stop=stop.is_set)
    finally:
        bus.close()
    click.echo(f"stopped after event {run.last_id}: {run.read} events read, {run.decisions} decisions appended")
    for reason, count in sorted(run.ignored.items()):
        click.echo(f"  ignored {count}: {reason}")
