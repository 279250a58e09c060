"""``callops live route``: callops as the ACD, routing the calls offered in the live event log to agents."""

from __future__ import annotations

import datetime as dt
import threading

import click

from callops.cli import _context
from callops.cli._live_group import live_group, live_zone, stop_on_signals
from callops.feeds.bus import PgNotifyBus, RedisBus, wake_bus
from callops.live.acd import AcdSettings
from callops.live.events import LiveEvent
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
              help="Without a wake-up (no CALLOPS_REDIS_URL, on SQLite; or --no-wake): seconds between looks at "
                   "the log.")
@click.option("--safety-poll", "safety_poll_s", type=click.FloatRange(0.01, 60.0), default=0.25, show_default=True,
              help="With Redis or PostgreSQL NOTIFY, the router sleeps until a writer's wake-up and still looks at "
                   "the log this often, "
                   "so a lost wake-up only delays a decision.")
@click.option("--hot", "hot_s", type=click.FloatRange(0.0, 5.0), default=0.0, show_default=True,
              help="With wake-ups: for this many seconds after events arrive, also look every --poll (a busy floor "
                   "routes at polling speed); 0: wake-ups only (measured no clear gain on a 2-core machine).")
@click.option("--wake/--no-wake", default=True, show_default=True,
              help="Sleep until a writer's wake-up (Redis when CALLOPS_REDIS_URL is set, else NOTIFY on PostgreSQL); "
                   "--no-wake: poll the log every --poll.")
@click.option("--directory-check", "directory_check_s", type=click.FloatRange(0.0, 3600.0), default=5.0,
              show_default=True,
              help="Seconds between looks at the directory (queues, agents, skills, the day's nesting plans): a "
                   "change, or a new local day, is routed with from then on; 0: read only at start.")
@click.option("--tz", default=None, help="Zone whose day is replayed on start (default: the site's zone).")
@click.option("--switch", "switch_url", default=None, envvar="CALLOPS_SWITCH",
              help="Ring each chosen agent on the PBX: ami://USER:SECRET@HOST:PORT (Asterisk Redirect) or "
                   "esl://:PASSWORD@HOST:PORT (FreeSWITCH uuid_transfer); a secret left out is read from "
                   "CALLOPS_AMI_SECRET / CALLOPS_ESL_PASSWORD. Default: decisions are only logged.")
@click.option("--agent-context", default="agents", show_default=True,
              help="With --switch: the dialplan context the caller is moved to.")
@click.option("--agent-exten", default="{agent}", show_default=True,
              help="With --switch: the extension that rings an agent; {agent} is the agent id.")
@click.option("--exit-after", "exit_after_s", type=click.FloatRange(0.1, 86_400 * 7), default=None,
              help="Stop after this many seconds (scripts; default: run until stopped).")
def route(strategy: str, wrap_up: str, ring_timeout_s: float, poll_s: float, safety_poll_s: float, hot_s: float,
          wake: bool, directory_check_s: float, tz: str | None,
          switch_url: str | None, agent_context: str, agent_exten: str, exit_after_s: float | None) -> None:
    """Route live calls: each call offered to a queue rings an agent with that skill (a call_ringing event).

    Queues and agents with their skills come from the directory (a new hire in nesting: the skills of their
    nesting plan on the local day), looked at again every --directory-check seconds: a change (an agent or a
    skill added, a nesting plan saved) or a new day is routed with from then on, with nobody's state lost. On
    start, today's log is
    replayed to rebuild who is ready, ringing and on a call; then every new event is routed as it is appended.
    A switch adapter or the practice floor acts on the decisions and reports answered, ended and abandoned calls
    back; with --switch callops rings the agent itself (the caller's channel is the call's data.channel, else its
    id).
    """
    from callops.services.live_acd import DirectoryWatch, acd_from_directory, replay_log, run_acd
    from callops.services.switch_runner import RingOnSwitch, SwitchRunner, switch_from_url
    from callops.store.live_events import append_events

    settings = _context.settings()
    zone = live_zone(tz, settings.site_tz)
    engine = _context.engine()
    acd_settings = AcdSettings(strategy=Strategy(strategy), auto_ready=wrap_up == "auto",
                               ring_timeout_s=ring_timeout_s)
    today = dt.datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    day = dt.datetime.now(zone).date()
    with engine.connect() as conn:
        acd = acd_from_directory(conn, acd_settings, on=day)  # nesting plans of today
        unlogged: list[LiveEvent] = []
        last = replay_log(conn, acd, since=today, unlogged=unlogged)
    if unlogged:  # calls offered while no router ran: ring for them now (the log is what the switch acts on)
        with engine.begin() as conn:
            append_events(conn, unlogged)
        click.echo(f"rang {len(unlogged)} calls offered while no router ran", err=True)
    stop = stop_on_signals()
    if exit_after_s is not None:
        timer = threading.Timer(exit_after_s, stop.set)
        timer.daemon = True  # stopped sooner (Ctrl-C, SIGTERM), the process need not wait for it
        timer.start()
    waiting = sum(acd.waiting().values())
    click.echo(f"routing {len(acd.router.queues)} queues, {len(acd.router.agents)} agents "
               f"(replayed today's log to event {last}: {waiting} calls waiting); stop with Ctrl-C", err=True)
    runner = ringer = None
    if switch_url:
        runner = SwitchRunner(switch_from_url(switch_url))
        ringer = RingOnSwitch(runner, engine, context=agent_context, exten=agent_exten,
                              report=lambda message: click.echo(f"switch: {message}", err=True))
        click.echo(f"ringing agents on {ringer.feed}", err=True)
    # the writers are other processes: Redis, or NOTIFY on PostgreSQL, wakes the router; else it polls every --poll
    bus = wake_bus(settings.redis_url, settings.database_url) if wake else None
    if isinstance(bus, PgNotifyBus):
        bus.start()  # LISTEN before the first look at the log: a NOTIFY sent in between is not missed
    how = "Redis" if isinstance(bus, RedisBus) else "PostgreSQL NOTIFY"
    click.echo(f"waiting on {how} wake-ups (polling {poll_s:g} s for {hot_s:g} s after events), safety poll "
               f"every {safety_poll_s:g} s" if bus is not None
               else f"polling the log every {poll_s:g} s (no wake-up: " + (
                   "--no-wake)" if not wake else "no CALLOPS_REDIS_URL, not PostgreSQL)"), err=True)
    watch = None
    if directory_check_s > 0:
        watch = DirectoryWatch(zone, check_s=directory_check_s)
        watch.start(acd, day)
    try:
        run = run_acd(engine, acd, after_id=last, bus=bus, poll_s=poll_s, safety_poll_s=safety_poll_s,
                      hot_s=hot_s, stop=stop.is_set, sink=ringer, directory=watch)
    finally:
        if bus is not None:
            bus.close()
        if ringer is not None and runner is not None:
            ringer.wait(5.0)
            runner.close()
    click.echo(f"stopped after event {run.last_id}: {run.read} events read, {run.decisions} decisions appended; "
               f"{run.looks} looks at the log, {run.woken} wake-ups, {run.caught_by_poll} caught by a poll; "
               f"{run.reloads} directory changes routed with")
    for problem in dict.fromkeys(watch.problems if watch is not None else []):
        click.echo(f"  {problem}")
    if ringer is not None:
        done = ", ".join(f"{k} {v}" for k, v in sorted(ringer.results.items())) or "no result yet"
        click.echo(f"switch: {ringer.sent} rings sent ({done})")
    for reason, count in sorted(run.ignored.items()):
        click.echo(f"  ignored {count}: {reason}")
